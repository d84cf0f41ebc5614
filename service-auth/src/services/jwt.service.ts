import { AppError } from "@atlas/errors";
import { decodeProtectedHeader, type JWTPayload, errors as joseErrors, jwtVerify, SignJWT } from "jose";
import type { SigningKeyStore } from "./tokens/signing-keys.service.ts";

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
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "at+jwt" })
      .setIssuer(this.issuer)
      .setSubject(input.userId)
      .setAudience(input.audience)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(iat + this.ttlSec)
      .setJti(jti)
      .sign(key.privateKey);
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
