import { AppError } from "@atlas/errors";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AuthEnv } from "../../app.ts";
import type { Deps } from "../../deps.ts";
import { byIp, rateLimit } from "../../middleware/rate-limit.ts";
import { sha256Hex } from "../../services/crypto.ts";
import { allowedRedirect, assertMethodAllowed } from "../../services/login-policy.service.ts";
import { normaliseEmail, startMagicLink, verifyMagicLink } from "../../services/magic-link.service.ts";
import { requestContext } from "../../services/request-context.ts";
import { problem, TenantHeader, TokenResponseSchema } from "../schemas.ts";
import { deliverTokens } from "../token-delivery.ts";

const StartBody = z.strictObject({
  email: z.string().trim().toLowerCase().max(254).pipe(z.email()),
  redirectTo: z.string().max(2048).optional(),
});
const VerifyBody = z.strictObject({ token: z.string().min(32).max(128) });
const Accepted = z.object({ status: z.literal("sent") }).openapi("EmailStarted");

/** The address being started, for its own rate limit (hashed: counters hold no addresses). */
async function emailKey(c: Context): Promise<string | null> {
  try {
    const body = (await c.req.raw.clone().json()) as { email?: unknown };
    return typeof body.email === "string" ? sha256Hex(normaliseEmail(body.email)) : null;
  } catch {
    return null;
  }
}

export function registerEmailRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps) {
  const { config } = deps;
  const common = [
    { name: "login:ip", limit: config.RATE_LIMIT_LOGIN_PER_MIN_IP, windowMs: 60_000, key: byIp },
    {
      name: "login:tenant",
      limit: config.RATE_LIMIT_LOGIN_PER_MIN_TENANT,
      windowMs: 60_000,
      key: (c: Context) => c.var.tenant.id,
    },
  ];
  app.use("/auth/email/verify", rateLimit(deps, common));
  // The per-address limit needs the body; it is read from a clone before validation.
  app.use("/auth/email/start", async (c, next) => {
    const key = await emailKey(c);
    return rateLimit(deps, [
      ...common,
      { name: "email:address", limit: config.RATE_LIMIT_LOGIN_START_PER_HOUR, windowMs: 3_600_000, key: () => key },
    ])(c, next);
  });

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/email/start",
      tags: ["login: e-mail"],
      summary: "Send a magic link (202 whether or not the account exists)",
      request: {
        headers: TenantHeader,
        body: { content: { "application/json": { schema: StartBody } }, required: true },
      },
      responses: {
        202: {
          description: "A link is on its way if the address can receive it",
          content: { "application/json": { schema: Accepted } },
        },
        400: problem("Invalid address or redirectTo"),
        403: problem("E-mail login not enabled for this tenant"),
        429: problem("Rate limited"),
      },
    }),
    async (c) => {
      const tenant = c.var.tenant;
      assertMethodAllowed(tenant, "email");
      if (deps.email.kind === "unconfigured") {
        throw new AppError("METHOD_NOT_ALLOWED_FOR_TENANT", {
          detail: "E-mail login is not configured on this server",
        });
      }
      const body = c.req.valid("json");
      const redirectTo = allowedRedirect(tenant, body.redirectTo);
      await startMagicLink(deps, { tenant, email: body.email, redirectTo, context: requestContext(c) });
      return c.json({ status: "sent" as const }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/email/verify",
      tags: ["login: e-mail"],
      summary: "Exchange a magic-link token for tokens (first login creates the user)",
      request: {
        headers: TenantHeader,
        body: { content: { "application/json": { schema: VerifyBody } }, required: true },
      },
      responses: {
        200: {
          description: "Logged in",
          content: {
            "application/json": { schema: TokenResponseSchema.extend({ redirectTo: z.string().nullable() }) },
          },
        },
        401: problem("Invalid, used or expired link (INVALID_CREDENTIALS)"),
        403: problem("E-mail login not enabled for this tenant"),
      },
    }),
    async (c) => {
      const tenant = c.var.tenant;
      assertMethodAllowed(tenant, "email");
      const { token } = c.req.valid("json");
      c.header("Cache-Control", "no-store");
      const tokens = await verifyMagicLink(deps, { tenant, token, context: requestContext(c) });
      return c.json(deliverTokens(c, deps, tokens), 200);
    },
  );
}
