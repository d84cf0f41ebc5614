import { USER_SCOPES } from "@atlas/auth-verify/tokens";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AuthEnv, Deps } from "../ports.ts";

const Jwks = z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).openapi("JWKS");

/** JWKS (served from memory) and OpenID discovery metadata. */
export function registerWellKnownRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps) {
  const jwksCacheControl = `public, max-age=${deps.config.JWKS_MAX_AGE_SEC}`;
  app.openapi(
    createRoute({
      method: "get",
      path: "/.well-known/jwks.json",
      tags: ["discovery"],
      summary: "Public signing keys (published before they sign, kept until their tokens expire)",
      responses: {
        200: { description: "JWKS", content: { "application/json": { schema: Jwks } } },
        304: { description: "Not modified (If-None-Match matched the ETag)" },
      },
    }),
    // No request input, no response validation: the pre-serialised body as it is cached.
    (c) => {
      const { body, etag } = deps.signingKeys.jwks(deps.now());
      c.header("Cache-Control", jwksCacheControl);
      c.header("ETag", etag);
      if (c.req.header("if-none-match") === etag) return c.body(null, 304) as never;
      c.header("Content-Type", "application/json");
      return c.body(body, 200) as never;
    },
  );

  app.get("/.well-known/openid-configuration", (c) => {
    const iss = deps.config.PUBLIC_URL;
    c.header("Cache-Control", "public, max-age=3600");
    return c.json({
      issuer: iss,
      jwks_uri: `${iss}/.well-known/jwks.json`,
      token_endpoint: `${iss}/auth/token/refresh`,
      introspection_endpoint: `${iss}/auth/token/introspect`,
      revocation_endpoint: `${iss}/auth/token/revoke`,
      device_authorization_endpoint: `${iss}/auth/device/code`,
      // The OpenID Provider endpoint kinds (api.md "OpenID Provider"), served by the default
      // tenant's issuer; each tenant's own document is at /t/<slug>/.well-known/openid-configuration.
      authorization_endpoint: `${iss}/t/default/authorize`,
      userinfo_endpoint: `${iss}/t/default/userinfo`,
      end_session_endpoint: `${iss}/t/default/logout`,
      introspection_endpoint_auth_methods_supported: ["client_secret_basic"],
      revocation_endpoint_auth_methods_supported: ["client_secret_basic", "bearer"],
      id_token_signing_alg_values_supported: ["RS256", "ES256", "EdDSA"],
      token_endpoint_auth_methods_supported: ["none"],
      grant_types_supported: ["refresh_token", "urn:ietf:params:oauth:grant-type:device_code"],
      response_types_supported: ["code"],
      subject_types_supported: ["public"],
      scopes_supported: [...USER_SCOPES],
    });
  });
}
