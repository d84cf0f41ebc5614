import { AppError } from "@atlas/errors";
import type { MiddlewareHandler } from "hono";
import type { Deps } from "../ports.ts";
import { authenticatePat, PAT_PREFIX } from "../services/tokens/pat.service.ts";
import { isSessionActive } from "../services/tokens/session.service.ts";

const CHALLENGE = 'Bearer realm="atlas"';

/** Extracts an RFC 6750 bearer token, or null when there is no Authorization header. */
export function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/.exec(header);
  if (!match?.[1])
    throw new AppError("INVALID_TOKEN", {
      detail: "Malformed Authorization header",
      headers: { "WWW-Authenticate": `${CHALLENGE}, error="invalid_request"` },
    });
  return match[1];
}

/**
 * Requires an access token issued by this service for the request's tenant, whose session is
 * still live (service-auth checks revocation on every call; other services rely on expiry or
 * introspection).
 */
export function requireAuth(deps: Deps): MiddlewareHandler {
  return async function requireAuthMiddleware(c, next) {
    const token = bearerToken(c.req.header("authorization"));
    if (!token)
      throw new AppError("INVALID_TOKEN", {
        detail: "Authentication required",
        headers: { "WWW-Authenticate": CHALLENGE },
      });
    const now = deps.now();
    const fail = (detail: string) =>
      new AppError("INVALID_TOKEN", { detail, headers: { "WWW-Authenticate": `${CHALLENGE}, error="invalid_token"` } });
    let claims: Awaited<ReturnType<Deps["jwt"]["verify"]>>;
    try {
      claims = await deps.jwt.verify(token, now);
    } catch (error) {
      if (error instanceof AppError) {
        throw new AppError(error.code, {
          detail: error.detail,
          headers: { "WWW-Authenticate": `${CHALLENGE}, error="invalid_token"` },
        });
      }
      throw error;
    }
    const tenant = c.var.tenant;
    if (claims.tid !== tenant.id || claims.aud !== tenant.jwtAudience) throw fail("Token is for another tenant");
    if (!(await isSessionActive(deps, claims.sid, now))) throw fail("Session revoked or expired");
    c.set("principal", {
      userId: claims.sub,
      sessionId: claims.sid,
      tenantId: claims.tid,
      scopes: claims.scope.split(" ").filter(Boolean),
      amr: claims.amr,
      roles: claims.roles ?? [],
    });
    await next();
  };
}

/**
 * Like {@link requireAuth}, but a personal access token of the request's tenant is accepted too
 * (the CLI manages its tokens with the PAT it holds). The principal then has no session, only the
 * PAT's scopes and `pat`; routes decide what a PAT may do.
 */
export function requireAuthOrPat(deps: Deps): MiddlewareHandler {
  const sessionAuth = requireAuth(deps);
  return async function requireAuthOrPatMiddleware(c, next) {
    const header = c.req.header("authorization");
    const token = bearerToken(header);
    if (!token?.startsWith(PAT_PREFIX)) return sessionAuth(c, next);
    const pat = await authenticatePat(deps, token);
    if (!pat || pat.tenantId !== c.var.tenant.id) {
      throw new AppError("INVALID_TOKEN", {
        detail: "Unknown, revoked or expired token",
        headers: { "WWW-Authenticate": `${CHALLENGE}, error="invalid_token"` },
      });
    }
    c.set("principal", {
      userId: pat.userId,
      sessionId: "",
      tenantId: pat.tenantId,
      scopes: pat.scopes,
      amr: ["pat"],
      roles: [],
      pat: { id: pat.id, expiresAt: pat.expiresAt },
    });
    await next();
  };
}
