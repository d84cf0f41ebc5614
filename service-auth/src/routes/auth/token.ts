import { AppError } from "@atlas/errors";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { bearerToken } from "../../middleware/auth.ts";
import { byIp, hitRule, type RateLimitRule, rateLimit } from "../../middleware/rate-limit.ts";
import type { AuthEnv, Deps } from "../../ports.ts";
import { requestContext } from "../../services/login/request-context.ts";
import { refreshSession } from "../../services/tokens/refresh.service.ts";
import { authenticateClient, introspect, revokeToken } from "../../services/tokens/token-introspection.service.ts";
import * as EX from "../examples/tokens.ts";
import { problem, TenantHeader, TokenResponseSchema } from "../schemas.ts";
import { DeviceTokenBody, DeviceTokenResponse, deviceTokenGrant, OAuthError } from "../shared/device-grant.ts";
import { deliverTokens, REFRESH_COOKIE } from "../token-delivery.ts";

const RefreshBody = z.strictObject({ refreshToken: z.string().min(1).max(512).optional() });
const TokenBody = z.strictObject({
  token: z.string().min(1).max(4096),
  token_type_hint: z.enum(["access_token", "refresh_token", "pat"]).optional(),
});
const Introspection = z
  .object({
    active: z.boolean(),
    token_type: z.enum(["access_token", "refresh_token", "pat"]).optional(),
    sub: z.string().optional(),
    tid: z.string().optional(),
    scope: z.string().optional(),
    exp: z.number().int().optional(),
    iat: z.number().int().optional(),
    sid: z.string().optional(),
  })
  .openapi("Introspection");

const tokenBodyContent = {
  "application/json": { schema: TokenBody, example: EX.TOKEN_REQUEST },
  "application/x-www-form-urlencoded": { schema: TokenBody, example: EX.TOKEN_REQUEST },
};

/**
 * The `{ token }` of an RFC 7662/7009 request: form-encoded per the RFCs, or JSON (api.md).
 * Parsed by hand because the route accepts either media type.
 */
async function readTokenBody(c: Context): Promise<z.infer<typeof TokenBody>> {
  const type = c.req.header("content-type") ?? "";
  let raw: unknown;
  if (type.startsWith("application/json")) {
    try {
      raw = JSON.parse(await c.req.text());
    } catch {
      throw new AppError("VALIDATION_FAILED", { detail: "The body is not valid JSON" });
    }
  } else if (type.startsWith("application/x-www-form-urlencoded"))
    raw = Object.fromEntries(new URLSearchParams(await c.req.text()));
  else
    throw new AppError("VALIDATION_FAILED", { detail: "Send application/json or application/x-www-form-urlencoded" });
  return TokenBody.parse(raw);
}

const INTROSPECT_PATH = "/auth/token/introspect";

export function registerTokenRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps) {
  // Introspection is not counted per IP here: every resource server calls it from one address on
  // behalf of all its users, so a per-IP budget spent by anyone (junk PATs) would fail every real
  // PAT. It is limited per authenticated client instead, and failed client auth per IP (below).
  const perIp = (c: Context) => (c.req.path === INTROSPECT_PATH ? null : byIp(c));
  app.use(
    "/auth/token/*",
    rateLimit(deps, [{ name: "token:ip", limit: deps.config.RATE_LIMIT_TOKEN_PER_MIN, windowMs: 60_000, key: perIp }]),
  );
  const unauthenticatedIntrospection: RateLimitRule = {
    name: "introspect:unauthenticated:ip",
    limit: deps.config.RATE_LIMIT_INTROSPECTION_FAILURES_PER_MIN_IP,
    windowMs: 60_000,
    key: byIp,
  };

  // RFC 8628 polling shares the token endpoint (the discovery document's token_endpoint).
  app.post("/auth/token/refresh", deviceTokenGrant(deps));

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/token/refresh",
      tags: ["tokens"],
      summary: "Rotate a refresh token (body or cookie) for a new token pair; or poll a device_code (RFC 8628)",
      description:
        "JSON `{ refreshToken }` (or the cookie) rotates a refresh token. A form body (or JSON with `grant_type`) " +
        "`grant_type=urn:ietf:params:oauth:grant-type:device_code&device_code=…` polls a device authorization: " +
        "200 with a PAT once approved, else 400 with an RFC 6749 error (`authorization_pending`, `slow_down`, " +
        "`expired_token`, `access_denied`, `invalid_grant`).",
      request: {
        headers: TenantHeader,
        body: {
          content: {
            "application/json": { schema: RefreshBody, example: EX.REFRESH_REQUEST },
            "application/x-www-form-urlencoded": { schema: DeviceTokenBody, example: EX.DEVICE_TOKEN_REQUEST },
          },
          required: false,
        },
      },
      responses: {
        200: {
          description: "New tokens (refresh), or the device's PAT (device_code grant)",
          content: {
            "application/json": {
              schema: z.union([TokenResponseSchema, DeviceTokenResponse]),
              example: EX.TOKEN_RESPONSE,
            },
          },
        },
        400: {
          description: "Device grant: RFC 6749 §5.2 / RFC 8628 §3.5 error",
          content: { "application/json": { schema: OAuthError, example: EX.OAUTH_ERROR } },
        },
        401: problem("Unknown, expired, revoked or reused refresh token"),
        403: problem("A cookie refresh without an allowed Origin (CSRF defence)"),
        429: problem("Rate limited"),
      },
    }),
    async (c) => {
      const json = c.req.header("content-type") ? (c.req.valid("json") as z.infer<typeof RefreshBody>) : undefined;
      const fromBody = json?.refreshToken;
      const fromCookie = fromBody ? undefined : getCookie(c, REFRESH_COOKIE);
      // CSRF defence in depth (on top of SameSite=Strict): a cookie-borne refresh must come from
      // a page of one of the tenant's origins, which browsers state in Origin.
      const origin = c.req.header("origin");
      if (fromCookie && (!origin || !c.var.tenant.allowedOrigins.includes(origin))) {
        throw new AppError("FORBIDDEN", { detail: "Cookie refresh is only accepted from the tenant's web origins" });
      }
      const presented = fromBody ?? fromCookie;
      if (!presented) throw new AppError("INVALID_TOKEN", { detail: "No refresh token presented" });
      const tokens = await refreshSession(deps, presented, c.var.tenant.id, requestContext(c));
      return c.json(deliverTokens(c, deps, tokens), 200);
    },
  );

  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/auth/token/introspect",
    tags: ["tokens"],
    summary: "RFC 7662 token introspection (service clients, HTTP Basic)",
    description:
      "For resource servers such as service-cloud-api: HTTP Basic with a service client's id and secret. Answers the token's state (active, owner, tenant, scopes, expiry) for an access token, refresh token or PAT; an unknown, expired or revoked token is simply active: false. Rate limited per client, and failed client authentications per address.",
    request: { body: { content: tokenBodyContent, required: true } },
    security: [{ basic: [] }],
    responses: {
      200: {
        description: "Token state",
        content: { "application/json": { schema: Introspection, example: EX.INTROSPECTION } },
      },
      400: problem("Invalid request"),
      401: problem("Missing or invalid client credentials"),
      429: problem("Rate limited: the client's introspection budget, or failed client authentications from this IP"),
    },
  });
  app.post(INTROSPECT_PATH, async (c) => {
    let clientId: string | null;
    try {
      clientId = authenticateClient(deps, c.req.header("authorization"));
    } catch (error) {
      // Failed client auth counts in its own per-IP bucket, which authenticated clients never read.
      await hitRule(deps, c, unauthenticatedIntrospection);
      throw error;
    }
    if (!clientId) {
      await hitRule(deps, c, unauthenticatedIntrospection);
      throw new AppError("INVALID_CREDENTIALS", {
        detail: "Client credentials required",
        headers: { "WWW-Authenticate": 'Basic realm="atlas"' },
      });
    }
    const client = clientId;
    await hitRule(deps, c, {
      name: "introspect:client",
      limit: deps.config.RATE_LIMIT_INTROSPECTION_PER_MIN_CLIENT,
      windowMs: 60_000,
      key: () => client,
    });
    const body = await readTokenBody(c);
    c.header("Cache-Control", "no-store");
    return c.json(await introspect(deps, body.token), 200);
  });

  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/auth/token/revoke",
    tags: ["tokens"],
    summary: "RFC 7009 revocation (service client via Basic, or the token's owner via Bearer)",
    description:
      "Revokes an access token's session, a refresh token's family or a PAT. A service client (HTTP Basic) may revoke any token; a user (Bearer) only their own. As RFC 7009 asks, an unknown or already revoked token also answers 200, so the answer says nothing about the token.",
    request: { body: { content: tokenBodyContent, required: true } },
    security: [{ basic: [] }, { bearer: [] }],
    responses: {
      200: { description: "Revoked, or nothing to revoke" },
      400: problem("Invalid request"),
      401: problem("Not authenticated"),
    },
  });
  app.post("/auth/token/revoke", async (c) => {
    const authz = c.req.header("authorization");
    const clientId = authenticateClient(deps, authz);
    let actor: { clientId: string } | { userId: string };
    if (clientId) actor = { clientId };
    else {
      const bearer = bearerToken(authz);
      if (!bearer) {
        throw new AppError("INVALID_TOKEN", {
          detail: "Authentication required",
          headers: { "WWW-Authenticate": 'Bearer realm="atlas"' },
        });
      }
      actor = { userId: (await deps.jwt.verify(bearer, deps.now())).sub };
    }
    const body = await readTokenBody(c);
    await revokeToken(deps, body.token, actor, requestContext(c));
    return c.body(null, 200);
  });
}
