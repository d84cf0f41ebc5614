import { sign as cryptoSign } from "node:crypto";
import { AppError } from "@atlas/errors";
import { decodeProtectedHeader, type JWTPayload, errors as joseErrors, jwtVerify } from "jose";
import type { LoadedKey, SigningKeyStore } from "./tokens/signing-keys.service.ts";

/** Scopes a login grants (api.md "Scopes"): every user scope. PATs carry a subset. */
export { USER_SCOPES, type UserScope } from "@atlas/auth-verify/tokens";

/** api.md access-token claims. */
export interface AccessClaims extends JWTPayload {
  sub: string;
  sid: string;
  tid: string;
  amr: string[];
  scope: string;
  roles?: string[];
}

export interface AccessTokenInput {
  userId: string;
  sessionId: string;
  tenantId: string;
  audience: string;
  amr: string[];
  scopes: readonly string[];
  roles: string[];
}

const ALLOWED_ALGS = ["RS256", "ES256", "EdDSA"];
const CLOCK_TOLERANCE_SEC = 30;

/**
 * A compact JWS over `claims`, signed with the key's cached `KeyObject` by `node:crypto` (the
 * callback form, so the RSA/EC work runs on libuv's thread pool, off the event loop). The header
 * (`alg`, `kid`, `typ: at+jwt`) is serialised once per key (LoadedKey.jwsHeader). ES256 signs in
 * JOSE's raw r‖s form (ieee-p1363), EdDSA (Ed25519) with no digest.
 */
export function signCompact(key: LoadedKey, claims: Record<string, unknown>): Promise<string> {
  const input = `${key.jwsHeader}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
  const digest = key.alg === "EdDSA" ? null : "sha256";
  const options = key.alg === "ES256" ? { key: key.privateKey, dsaEncoding: "ieee-p1363" as const } : key.privateKey;
  return new Promise((resolve, reject) => {
    cryptoSign(digest, Buffer.from(input), options, (error, signature) => {
      if (error) reject(error);
      else resolve(`${input}.${signature.toString("base64url")}`);
    });
  });
}

/** Issues and verifies this service's access tokens (RS256 by default, `kid` in the header). */
export class JwtService {
  constructor(
    private readonly keys: SigningKeyStore,
    private readonly issuer: string,
    private readonly ttlSec: number,
    /** Token ids (deps.random; a slice of it, since ports.ts imports this module). */
    private readonly random: { uuid(): string },
  ) {}

  async sign(input: AccessTokenInput, now: Date): Promise<{ token: string; expiresIn: number; jti: string }> {
    const key = this.keys.signer(now);
    if (!key) throw new AppError("INTERNAL", { detail: "No signing key is active", cause: new Error("no signer") });
    const iat = Math.floor(now.getTime() / 1000);
    const jti = this.random.uuid();
    const claims: Record<string, unknown> = {
      sid: input.sessionId,
      tid: input.tenantId,
      amr: input.amr,
      scope: input.scopes.join(" "),
    };
    if (input.roles.length > 0) claims.roles = input.roles;
    // The same claims, in the same order, as jose's SignJWT chain wrote them before.
    claims.iss = this.issuer;
    claims.sub = input.userId;
    claims.aud = input.audience;
    claims.iat = iat;
    claims.nbf = iat;
    claims.exp = iat + this.ttlSec;
    claims.jti = jti;
    const token = await signCompact(key, claims);
    return { token, expiresIn: this.ttlSec, jti };
  }

  /**
   * Verifies a token this service issued (signature by a published key, `iss`, `exp`, `nbf`).
   * The audience is the caller's to check. Throws AppError INVALID_TOKEN / EXPIRED_TOKEN.
   */
  async verify(token: string, now: Date): Promise<AccessClaims> {
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      throw new AppError("INVALID_TOKEN", { detail: "Malformed token" });
    }
    const key = kid ? this.keys.published(kid, now) : undefined;
    if (!key) throw new AppError("INVALID_TOKEN", { detail: "Unknown signing key" });
    try {
      const { payload } = await jwtVerify(token, key.publicKey, {
        issuer: this.issuer,
        algorithms: ALLOWED_ALGS,
        clockTolerance: CLOCK_TOLERANCE_SEC,
        currentDate: now,
        requiredClaims: ["sub", "exp", "iat", "jti"],
      });
      const claims = payload as AccessClaims;
      if (typeof claims.sid !== "string" || typeof claims.tid !== "string") {
        throw new AppError("INVALID_TOKEN", { detail: "Token lacks session or tenant" });
      }
      return claims;
    } catch (error) {
      if (error instanceof AppError) throw error;
      if (error instanceof joseErrors.JWTExpired)
        throw new AppError("EXPIRED_TOKEN", { detail: "Token expired", cause: error });
      throw new AppError("INVALID_TOKEN", { detail: "Invalid token", cause: error });
    }
  }
}
