import { AppError } from "@atlas/errors";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { requireAuth } from "../../middleware/auth.ts";
import { byIp, loginRules, rateLimit } from "../../middleware/rate-limit.ts";
import type { AuthEnv, Deps } from "../../ports.ts";
import { USER_SCOPES } from "../../services/jwt.service.ts";
import { requestContext } from "../../services/login/request-context.ts";
import {
  decideDeviceRequest,
  describeDeviceRequest,
  formatUserCode,
  previewDeviceRequest,
  startDeviceAuthorization,
} from "../../services/methods/device/device-auth.service.ts";
import { assertRecentMfa } from "../../services/mfa/mfa.service.ts";
import * as EX from "../examples/tokens.ts";
import { bearerSecurity, problem, TenantHeader } from "../schemas.ts";
import { CLIENT_IDS, readBody } from "../shared/device-grant.ts";

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

const UserCodeBody = z.strictObject({ user_code: z.string().min(1).max(32) });
const UserCodeQuery = z.object({ user_code: z.string().min(1).max(32) });

const DevicePreview = z.object({ clientName: z.string(), hostname: z.string().nullable() }).openapi("DevicePreview");

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
          "application/x-www-form-urlencoded": { schema: DeviceCodeBody, example: EX.DEVICE_CODE_REQUEST },
          "application/json": { schema: DeviceCodeBody, example: EX.DEVICE_CODE_REQUEST },
        },
      },
    },
    responses: {
      200: {
        description: "The codes",
        content: { "application/json": { schema: DeviceCodeResponse, example: EX.DEVICE_CODE_RESPONSE } },
      },
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

  // Before sign-in, the sign-in page may name who asks (client and hostname, nothing else).
  app.use(
    "/auth/device/preview",
    rateLimit(deps, [
      { name: "device-preview:ip", limit: deps.config.RATE_LIMIT_LOGIN_PER_MIN_IP, windowMs: 60_000, key: byIp },
    ]),
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/auth/device/preview",
      tags: ["device authorization"],
      summary: "Who a user code belongs to, for the sign-in page (no sign-in needed)",
      description:
        'Answers only the client\'s name and the hostname the device reported, so the sign-in page can say "Sign in to approve Atlas CLI on ada-laptop". Where the device asked from, its scopes and the decision need sign-in (GET /auth/device/verify). Rate limited per address; a wrong, used or expired code answers 404.',
      request: { headers: TenantHeader, query: UserCodeQuery },
      responses: {
        200: {
          description: "The pending request's client and hostname",
          content: { "application/json": { schema: DevicePreview, example: EX.DEVICE_PREVIEW } },
        },
        404: problem("No pending request with this code (wrong, expired or used)"),
        429: problem("Too many requests from this address (Retry-After)"),
      },
    }),
    async (c) => {
      const preview = await previewDeviceRequest(deps, {
        userCode: c.req.valid("query").user_code,
        tenantId: c.var.tenant.id,
      });
      c.header("Cache-Control", "no-store");
      return c.json(preview, 200);
    },
  );

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
      description:
        "For the approval page: the signed-in user types or follows the code the device shows and sees which client asks, for which scopes, from which address and place, before approving or denying. Wrong codes are counted and rate limited.",
      security: bearerSecurity,
      request: { headers: TenantHeader, query: UserCodeQuery },
      responses: {
        200: {
          description: "The pending request",
          content: { "application/json": { schema: DeviceRequest, example: EX.DEVICE_REQUEST } },
        },
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
        description:
          decision === "approve"
            ? "Approves the pending request of this user code: the device's next poll of POST /auth/token/refresh receives a personal access token with the requested scopes, named after the device's hostname. Users with MFA must have verified it recently (else 401 MFA_REQUIRED). Audited."
            : "Denies the pending request of this user code: the device's next poll receives the RFC 8628 error access_denied and no token is issued. Audited.",
        security: bearerSecurity,
        request: {
          headers: TenantHeader,
          body: { content: { "application/json": { schema: UserCodeBody, example: EX.USER_CODE } }, required: true },
        },
        responses: {
          200: {
            description: "Decided",
            content: { "application/json": { schema: DeviceRequest, example: EX.DEVICE_REQUEST } },
          },
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
