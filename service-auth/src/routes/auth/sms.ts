import { AppError } from "@atlas/errors";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AuthEnv } from "../../app.ts";
import type { Deps } from "../../deps.ts";
import { byIp, rateLimit } from "../../middleware/rate-limit.ts";
import { sha256Hex } from "../../services/crypto.ts";
import { assertMethodAllowed } from "../../services/login-policy.service.ts";
import { requestContext } from "../../services/request-context.ts";
import { normalisePhone, startSmsOtp, verifySmsOtp } from "../../services/sms-otp.service.ts";
import { problem, TenantHeader, TokenResponseSchema } from "../schemas.ts";
import { deliverTokens } from "../token-delivery.ts";

const Phone = z
  .string()
  .max(20)
  .transform((v, ctx) => {
    const e164 = normalisePhone(v);
    if (!e164) {
      ctx.addIssue({ code: "custom", message: "must be a valid phone number in E.164 form, e.g. +14155550123" });
      return z.NEVER;
    }
    return e164;
  });
const StartBody = z.strictObject({ phone: Phone });
const VerifyBody = z.strictObject({ phone: Phone, code: z.string().regex(/^\d{6}$/, "6 digits") });

async function phoneKey(c: Context): Promise<string | null> {
  try {
    const body = (await c.req.raw.clone().json()) as { phone?: unknown };
    const phone = typeof body.phone === "string" ? normalisePhone(body.phone) : null;
    return phone ? sha256Hex(phone) : null;
  } catch {
    return null;
  }
}

export function registerSmsRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps) {
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
  for (const step of ["start", "verify"] as const) {
    app.use(`/auth/sms/${step}`, async (c, next) => {
      const key = await phoneKey(c);
      return rateLimit(deps, [
        ...common,
        {
          name: `sms:${step}:phone`,
          limit: config.RATE_LIMIT_LOGIN_START_PER_HOUR * (step === "verify" ? 3 : 1),
          windowMs: 3_600_000,
          key: () => key,
        },
      ])(c, next);
    });
  }

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/sms/start",
      tags: ["login: sms"],
      summary: "Text a 6-digit code (10 min, 5 attempts)",
      request: {
        headers: TenantHeader,
        body: { content: { "application/json": { schema: StartBody } }, required: true },
      },
      responses: {
        202: {
          description: "A code is on its way",
          content: { "application/json": { schema: z.object({ status: z.literal("sent") }) } },
        },
        400: problem("Not an E.164 phone number"),
        403: problem("SMS login not enabled for this tenant"),
        429: problem("Rate limited or within the resend cooldown (Retry-After)"),
      },
    }),
    async (c) => {
      const tenant = c.var.tenant;
      assertMethodAllowed(tenant, "sms");
      if (deps.sms.kind === "unconfigured") {
        throw new AppError("METHOD_NOT_ALLOWED_FOR_TENANT", { detail: "SMS login is not configured on this server" });
      }
      await startSmsOtp(deps, { tenant, phone: c.req.valid("json").phone, context: requestContext(c) });
      return c.json({ status: "sent" as const }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/sms/verify",
      tags: ["login: sms"],
      summary: "Exchange the code for tokens (first login creates the user)",
      request: {
        headers: TenantHeader,
        body: { content: { "application/json": { schema: VerifyBody } }, required: true },
      },
      responses: {
        200: { description: "Logged in", content: { "application/json": { schema: TokenResponseSchema } } },
        401: problem("Wrong, used, expired or exhausted code (INVALID_CREDENTIALS)"),
        403: problem("SMS login not enabled for this tenant"),
      },
    }),
    async (c) => {
      const tenant = c.var.tenant;
      assertMethodAllowed(tenant, "sms");
      const body = c.req.valid("json");
      c.header("Cache-Control", "no-store");
      const tokens = await verifySmsOtp(deps, { tenant, ...body, context: requestContext(c) });
      return c.json(deliverTokens(c, deps, tokens), 200);
    },
  );
}
