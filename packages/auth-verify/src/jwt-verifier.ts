import type { AppError } from "@atlas/errors";
import { createRemoteJWKSet, customFetch, errors, jwtVerify } from "jose";
import { type AuthContext, copyAuth } from "./auth-context.ts";
import { expiredToken, invalidToken } from "./challenge.ts";
import { authContextFromClaims, ClaimsError } from "./claims.ts";
import { ExpiringLru } from "./expiring-lru.ts";
import type { ResolvedOptions } from "./options.ts";
import { tokenHash } from "./token-hash.ts";

/** Verifies an access JWT and returns the caller, or throws a 401 AppError. */
export type JwtVerifier = (token: string) => Promise<AuthContext>;

/**
 * Maps a verification failure to a 401 whose `error_description` is a short fixed phrase:
 * jose's messages (which name claims, algorithms and key ids) stay in `cause`, i.e. the logs.
 */
export function verificationError(error: unknown): AppError {
  if (error instanceof errors.JWTExpired) return expiredToken(error);
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return invalidToken("signature verification failed", error);
  if (error instanceof errors.JWKSNoMatchingKey) return invalidToken("unknown signing key", error);
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return invalidToken("algorithm not allowed", error);
  }
  if (error instanceof errors.JWTClaimValidationFailed || error instanceof ClaimsError) {
    return invalidToken("token claims rejected", error);
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return invalidToken("malformed token", error);
  }
  return invalidToken("token could not be verified", error);
}

/**
 * Local verification against the issuer's remote JWKS (jose `createRemoteJWKSet`): keys are
 * cached for `jwksCacheMaxAgeMs`, an unknown `kid` refetches at most once per
 * `jwksCooldownMs`, and while the issuer is down the cached keys keep verifying. Verified
 * tokens are remembered (by SHA-256) until their `exp`; see `verifiedCacheSize`.
 */
export function createJwtVerifier(options: ResolvedOptions): JwtVerifier {
  const jwks = createRemoteJWKSet(options.jwksUrl, {
    cooldownDuration: options.jwksCooldownMs,
    cacheMaxAge: options.jwksCacheMaxAgeMs,
    timeoutDuration: options.jwksTimeoutMs,
    [customFetch]: (url: string, init: RequestInit) => options.fetch()(url, init),
  });
  const verified = new ExpiringLru<AuthContext>(options.verifiedCacheSize);

  return async function verifyJwt(token) {
    const key = tokenHash(token);
    const now = options.now();
    const cached = verified.get(key, now);
    if (cached) return copyAuth(cached);

    let auth: AuthContext;
    let exp: number;
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: options.issuer,
        audience: options.audiences,
        algorithms: options.algorithms,
        clockTolerance: options.clockToleranceSec,
        currentDate: new Date(now),
        // Without `exp` a token would be valid forever (and cached forever).
        requiredClaims: ["exp", "sub"],
      });
      auth = authContextFromClaims(payload, "jwt");
      exp = payload.exp as number;
    } catch (error) {
      throw verificationError(error);
    }
    verified.set(key, auth, exp * 1000, now);
    return copyAuth(auth);
  };
}
