import type { AuthContext } from "./auth-context.ts";

/** Why a set of claims could not become an {@link AuthContext}. */
export class ClaimsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ClaimsError";
  }
}

const isString = (v: unknown): v is string => typeof v === "string" && v !== "";
const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === "string");

/** Splits an RFC 6749 §3.3 `scope` (space-separated) into a list. */
export function splitScope(scope: unknown): string[] {
  if (scope === undefined) return [];
  if (typeof scope !== "string") throw new ClaimsError("scope must be a string");
  return [...new Set(scope.split(" ").filter(Boolean))];
}

/**
 * Maps verified claims (a JWT payload or an introspection answer) to the caller's identity.
 * `sub` and `tid` are required; optional claims of the wrong type make the token invalid rather
 * than being silently dropped.
 */
export function authContextFromClaims(claims: Record<string, unknown>, method: AuthContext["method"]): AuthContext {
  const { sub, tid, sid, amr, roles, jti } = claims;
  if (!isString(sub)) throw new ClaimsError("sub is required");
  if (!isString(tid)) throw new ClaimsError("tid is required");
  const auth: AuthContext = { sub, tid, scopes: splitScope(claims.scope), method };
  if (sid !== undefined) {
    if (!isString(sid)) throw new ClaimsError("sid must be a string");
    auth.sessionId = sid;
  }
  if (amr !== undefined) {
    if (!isStringList(amr)) throw new ClaimsError("amr must be a list of strings");
    auth.amr = amr;
  }
  if (roles !== undefined) {
    if (!isStringList(roles)) throw new ClaimsError("roles must be a list of strings");
    auth.roles = roles;
  }
  if (jti !== undefined) {
    if (!isString(jti)) throw new ClaimsError("jti must be a string");
    auth.tokenId = jti;
  }
  return auth;
}
