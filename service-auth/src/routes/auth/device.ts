import { AppError } from "@atlas/errors";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { requireAuth } from "../../middleware/auth.ts";
import { byIp, loginRules, rateLimit } from "../../middleware/rate-limit.ts";
import type { AuthEnv, Deps } from "../../ports.ts";
import { requestContext } from "../../services/login/request-context.ts";
import {
  DEVICE_CLIENTS,
  DEVICE_CODE_GRANT_TYPE,
  type DeviceClientId,
  decideDeviceRequest,
  describeDeviceRequest,
  formatUserCode,
  pollDeviceToken,
  startDeviceAuthorization,
} from "../../services/methods/device/device-auth.service.ts";
import { assertRecentMfa } from "../../services/mfa/mfa.service.ts";
import { USER_SCOPES } from "../../services/tokens/jwt.service.ts";
import { bearerSecurity, problem, TenantHeader } from "../schemas.ts";

const CLIENT_IDS = Object.keys(DEVICE_CLIENTS) as [DeviceClientId, ...DeviceClientId[]];

const DeviceCodeBody = z.strictObject({
  client_id: z.enum(CLIENT_IDS).openapi({ description: "A known device client: `atlas-cli`" }),
  scope: z
    .string()
    .max(200)
    .optional()
    .openapi({ description: "Space-separated scopes of the PAT asked for; default `profile:read`" }),
  hostname: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9._-]+$/, "a hostname")
    .optional()
    .openapi({ description: "The device's hostname, shown to the approving user and used in the PAT's name" }),
});

const DeviceCodeResponse = z
  .object({
    device_code: z.string(),
    user_code: z.string().openapi({ example: "BCDF-GHJK" }),
    verification_uri: z.string(),
    verification_uri_complete: z.string(),
    expires_in: z.number().int(),
    interval: z.number().int(),
  })
  .openapi("DeviceAuthorizationResponse");

const DeviceTokenBody = z.strictObject({
  grant_type: z.literal(DEVICE_CODE_GRANT_TYPE),
  device_code: z.string().min(1).max(256),
  client_id: z.enum(CLIENT_IDS).optional(),
});

export const DeviceTokenResponse = z
  .object({
    access_token: z.string().openapi({ description: "A personal access token (`atlas_pat_…`)" }),
    token_type: z.literal("Bearer"),
    scope: z.string(),
    expires_in: z.number().int(),
    pat_id: z.string().openapi({ description: "The PAT's id (to revoke it: DELETE /auth/pats/{id})" }),
  })
  .openapi("DeviceTokenResponse");

export const OAuthError = z
  .object({
    error: z.enum([
      "authorization_pending",
      "slow_down",
      "expired_token",
      "access_denied",
      "invalid_grant",
      "invalid_request",
      "unsupported_grant_type",
    ]),
    error_description: z.string(),
    interval: z.number().int().optional().openapi({ description: "With slow_down: the interval now required" }),
  })
  .openapi("OAuthError");

export { DeviceTokenBody };

const UserCodeBody = z.strictObject({ user_code: z.string().min(1).max(32) });
const UserCodeQuery = z.object({ user_code: z.string().min(1).max(32) });

const DeviceRequest = z
  .object({
    userCode: z.string(),
    clientName: z.string(),
    hostname: z.string().nullable(),
    scopes: z.array(z.string()),
    requestIp: z.string(),
    requestGeo: z.string().nullable(),
    requestUserAgent: z.string().nullable(),
    createdAt: z.string(),
    expiresAt: z.string(),
  })
  .openapi("DeviceRequest");

/** A form (RFC 6749 §4 / RFC 8628 §3.1) or JSON body, parsed by hand: the routes accept either. */
async function readBody(c: Context): Promise<unknown> {
  const type = c.req.header("content-type") ?? "";
  try {
    if (type.startsWith("application/json")) return await c.req.json();
    if (type.startsWith("application/x-www-form-urlencoded"))
      return Object.fromEntries(new URLSearchParams(await c.req.text()));
  } catch {
    return undefined;
  }
  return undefined;
}

function parseScopes(scope: string | undefined): string[] {
  const scopes = (scope ?? "profile:read").split(" ").filter(Boolean);
  const known = new Set<string>(USER_SCOPES);
  const unknown = scopes.filter((s) => !known.has(s));
  if (scopes.length === 0 || unknown.length > 0) {
    throw new AppError("VALIDATION_FAILED", {
      detail: `Unknown scope(s): ${unknown.join(" ") || "(none)"}; known: ${USER_SCOPES.join(" ")}`,
      extensions: { error: "invalid_scope" },
    });
  }
  return scopes;
}

const oauthError = (c: Context, error: z.infer<typeof OAuthError>) => {
  c.header("Cache-Control", "no-store");
  return c.json(error, 400);
};

/**
 * The device_code grant at the token endpoint (RFC 8628 §3.4), mounted in front of the refresh
 * route: form bodies and JSON bodies with a `grant_type` are OAuth token requests and answered
 * with RFC 6749 §5.1/§5.2 bodies; anything else passes on to the refresh route.
 */
export function deviceTokenGrant(deps: Deps): MiddlewareHandler<AuthEnv> {
  return async function deviceTokenGrantMiddleware(c, next) {
    const type = c.req.header("content-type") ?? "";
    const isForm = type.startsWith("application/x-www-form-urlencoded");
    let body: unknown;
    if (isForm) body = await readBody(c);
    else if (type.startsWith("application/json")) {
      body = await c.req.raw
        .clone()
        .json()
        .catch(() => undefined);
      if (!(body && typeof body === "object" && "grant_type" in body)) return next();
    } else return next();

    const grant = (body as { grant_type?: unknown } | undefined)?.grant_type;
    if (grant !== DEVICE_CODE_GRANT_TYPE) {
      return oauthError(c, {
        error: grant === undefined ? "invalid_request" : "unsupported_grant_type",
        error_description: `grant_type must be ${DEVICE_CODE_GRANT_TYPE} here (refresh: JSON { refreshToken })`,
      });
    }
    const parsed = DeviceTokenBody.safeParse(body);
    if (!parsed.success) {
      return oauthError(c, { error: "invalid_request", error_description: "device_code is required" });
    }
    const result = await pollDeviceToken(deps, {
      deviceCode: parsed.data.device_code,
      tenantId: c.var.tenant.id,
      context: requestContext(c),
    });
    if (!result.ok) {
      return oauthError(c, {
        error: result.error,
        error_description: result.description,
        ...(result.interval === undefined ? {} : { interval: result.interval }),
      });
    }
    c.header("Cache-Control", "no-store");
    c.header("Pragma", "no-cache");
    return c.json(
      {
        access_token: result.token,
        token_type: "Bearer" as const,
        scope: result.scopes.join(" "),
        expires_in: result.expiresIn,
        pat_id: result.patId,
      },
      200,
    );
  };
}

export function registerDeviceRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps) {
  app.use("/auth/device/code", rateLimit(deps, loginRules(deps)));

  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/auth/device/code",
    tags: ["device authorization"],
    summary: "RFC 8628 device authorization request (e.g. `atlas login`)",
    description:
      "Form-encoded (RFC 8628 §3.1) or JSON. The device shows `user_code` (or `verification_uri_complete`) to the user and polls the token endpoint (`POST /auth/token/refresh`, form `grant_type=urn:ietf:params:oauth:grant-type:device_code&device_code=…`) every `interval` seconds.",
    request: {
      headers: TenantHeader,
      body: {
        required: true,
        content: {
          "application/x-www-form-urlencoded": { schema: DeviceCodeBody },
          "application/json": { schema: DeviceCodeBody },
        },
      },
    },
    responses: {
      200: { description: "The codes", content: { "application/json": { schema: DeviceCodeResponse } } },
      400: problem("Unknown client_id or scope, bad hostname (VALIDATION_FAILED, with `error` per RFC 6749)"),
      429: problem("Rate limited"),
    },
  });
  app.post("/auth/device/code", async (c) => {
    const raw = await readBody(c);
    const parsed = DeviceCodeBody.safeParse(raw ?? {});
    if (!parsed.success) {
      const clientIssue = parsed.error.issues.some((i) => i.path[0] === "client_id");
      throw new AppError("VALIDATION_FAILED", {
        detail: raw === undefined ? "Send application/x-www-form-urlencoded or application/json" : "Invalid request",
        extensions: { error: clientIssue ? "invalid_client" : "invalid_request" },
      });
    }
    const body = parsed.data;
    const grant = await startDeviceAuthorization(deps, {
      tenantId: c.var.tenant.id,
      clientId: body.client_id,
      scopes: parseScopes(body.scope),
      hostname: body.hostname ?? null,
      context: requestContext(c),
    });
    const verificationUri = `${deps.config.WEB_ORIGIN}/device`;
    const userCode = formatUserCode(grant.userCode);
    c.header("Cache-Control", "no-store");
    return c.json(
      {
        device_code: grant.deviceCode,
        user_code: userCode,
        verification_uri: verificationUri,
        verification_uri_complete: `${verificationUri}?user_code=${encodeURIComponent(userCode)}`,
        expires_in: grant.expiresIn,
        interval: grant.interval,
      },
      200,
    );
  });

  // Code entry needs a signed-in user, and is rate limited per user and per address on top of
  // the wrong-code count the service keeps.
  const auth = requireAuth(deps);
  const entryLimits = rateLimit(deps, [
    { name: "device-entry:ip", limit: deps.config.RATE_LIMIT_LOGIN_PER_MIN_IP, windowMs: 60_000, key: byIp },
    { name: "device-entry:user", limit: 20, windowMs: 60_000, key: (c) => c.var.principal.userId },
  ]);
  for (const path of ["/auth/device/verify", "/auth/device/approve", "/auth/device/deny"]) {
    app.use(path, auth, entryLimits);
  }

  const codeInput = (c: Context<AuthEnv>, userCode: string) => ({
    userCode,
    userId: c.var.principal.userId,
    tenantId: c.var.tenant.id,
    context: requestContext(c),
  });

  app.openapi(
    createRoute({
      method: "get",
      path: "/auth/device/verify",
      tags: ["device authorization"],
      summary: "What a user code asks for: client, scopes, where the device asked from",
      security: bearerSecurity,
      request: { headers: TenantHeader, query: UserCodeQuery },
      responses: {
        200: { description: "The pending request", content: { "application/json": { schema: DeviceRequest } } },
        401: problem("Not authenticated"),
        404: problem("No pending request with this code (wrong, expired or used); counted"),
        429: problem("Too many attempts or wrong codes"),
      },
    }),
    async (c) => {
      const summary = await describeDeviceRequest(deps, codeInput(c, c.req.valid("query").user_code));
      c.header("Cache-Control", "no-store");
      return c.json(summary, 200);
    },
  );

  for (const decision of ["approve", "deny"] as const) {
    app.openapi(
      createRoute({
        method: "post",
        path: `/auth/device/${decision}`,
        tags: ["device authorization"],
        summary:
          decision === "approve"
            ? "Approve a device request: its next poll receives a PAT with the requested scopes (recent MFA where enrolled)"
            : "Deny a device request: its next poll receives access_denied",
        security: bearerSecurity,
        request: {
          headers: TenantHeader,
          body: { content: { "application/json": { schema: UserCodeBody } }, required: true },
        },
        responses: {
          200: { description: "Decided", content: { "application/json": { schema: DeviceRequest } } },
          400: problem("Invalid request"),
          401: problem("Not authenticated, or MFA_REQUIRED (users with MFA need a recent verification)"),
          404: problem("No pending request with this code (wrong, expired or used); counted"),
          429: problem("Too many attempts or wrong codes"),
        },
      }),
      async (c) => {
        const { user_code } = c.req.valid("json");
        // Step-up: approving mints a PAT that outlives the session, as POST /auth/pats does.
        if (decision === "approve") {
          await assertRecentMfa(deps, { principal: c.var.principal, tenant: c.var.tenant, context: requestContext(c) });
        }
        const summary = await decideDeviceRequest(deps, {
          ...codeInput(c, user_code),
          decision: decision === "approve" ? "approved" : "denied",
        });
        return c.json(summary, 200);
      },
    );
  }
}
