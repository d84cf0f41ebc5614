import { bearerAuth, checkJwks } from "@atlas/auth-verify";
import type { ReadinessCheck } from "@atlas/service-kit";
import type { Context, MiddlewareHandler } from "hono";
import type { CloudConfig } from "../config.ts";
import type { Deps } from "../deps.ts";

/** Where service-auth publishes its signing keys. */
export const jwksUrlOf = (config: CloudConfig) => `${config.AUTH_URL}/.well-known/jwks.json`;

/** service-auth's RFC 7662 introspection endpoint (used for personal access tokens). */
export const introspectionUrlOf = (config: CloudConfig) => `${config.AUTH_URL}/auth/token/introspect`;

/**
 * Local verification of access tokens for every `/v1` route: JWTs against service-auth's JWKS,
 * PATs through introspection (`beforeIntrospection` may refuse first). Without INTROSPECTION_CLIENT_SECRET PATs are rejected (fail
 * closed) and a warning says so once, when the app is built.
 */
export function createAuthMiddleware(
  deps: Pick<Deps, "config" | "logger" | "fetch" | "now">,
  beforeIntrospection?: (c: Context) => void,
): MiddlewareHandler {
  const { config } = deps;
  const secret = config.INTROSPECTION_CLIENT_SECRET;
  if (!secret) {
    deps.logger.warn(
      { variable: "INTROSPECTION_CLIENT_SECRET" },
      "INTROSPECTION_CLIENT_SECRET is not set: personal access tokens will be rejected",
    );
  }
  return bearerAuth({
    issuer: config.AUTH_ISSUER,
    audiences: config.JWT_AUDIENCES,
    jwksUrl: jwksUrlOf(config),
    jwksCooldownMs: config.JWKS_COOLDOWN_SEC * 1000,
    introspection: secret
      ? { url: introspectionUrlOf(config), clientId: config.INTROSPECTION_CLIENT_ID, clientSecret: secret }
      : undefined,
    fetch: deps.fetch,
    now: () => deps.now().getTime(),
    ...(beforeIntrospection ? { beforeIntrospection } : {}),
  });
}

/** `/ready` check: service-auth's JWKS answers 200 with at least one key. */
export function jwksReadiness(deps: Pick<Deps, "config" | "fetch">): ReadinessCheck {
  return () => checkJwks(jwksUrlOf(deps.config), { fetch: deps.fetch });
}
