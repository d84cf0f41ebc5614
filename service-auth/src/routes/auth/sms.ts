import { AppError } from "@atlas/errors";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { MethodDoc } from "../../methods/manifest.ts";
import { hashedBodyField, loginRules, rateLimit } from "../../middleware/rate-limit.ts";
import type { AuthEnv, Deps } from "../../ports.ts";
import { assertMethodAllowed } from "../../services/login/login-policy.service.ts";
import { requestContext } from "../../services/login/request-context.ts";
import { normalisePhone, startSmsOtp, verifySmsOtp } from "../../services/methods/sms/sms-otp.service.ts";
import * as EX from "../examples/login.ts";
import { TOKEN_RESPONSE } from "../examples/tokens.ts";
import { problem, TenantHeader, TokenResponseSchema } from "../schemas.ts";
import { Phone } from "../shared/phone.ts";
import { deliverTokens } from "../token-delivery.ts";

const StartBody = z.strictObject({ phone: Phone });
const VerifyBody = z.strictObject({ phone: Phone, code: z.string().regex(/^\d{6}$/, "6 digits") });

/** SMS one-time codes; `doc` is the method manifest's (src/methods/sms.ts). */
export function registerSmsRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps, doc: MethodDoc) {
  for (const step of ["start", "verify"] as const) {
    const perHour = deps.config.RATE_LIMIT_LOGIN_START_PER_HOUR * (step === "verify" ? 3 : 1);
    app.use(
      `/auth/sms/${step}`,
      rateLimit(deps, [
        ...loginRules(deps),
        {
          name: `sms:${step}:phone`,
          limit: perHour,
          windowMs: 3_600_000,
          key: hashedBodyField("phone", normalisePhone),
        },
      ]),
    );
  }

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/sms/start",
      tags: [doc.tag],
      summary: "Text a 6-digit code (10 min, 5 attempts)",
      description:
        "Texts a 6-digit sign-in code to the number (any common format, normalised to E.164). One code per number per cooldown (429 with Retry-After within it); the first sign-in creates the user.",
      request: {
        headers: TenantHeader,
        body: { content: { "application/json": { schema: StartBody, example: EX.SMS_START } }, required: true },
      },
      responses: {
        202: {
          description: "A code is on its way",
          content: { "application/json": { schema: z.object({ status: z.literal("sent") }), example: EX.SENT } },
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
      tags: [doc.tag],
      summary: "Exchange the code for tokens (first login creates the user)",
      description:
        "Takes the number and the code. Answers an access token and a refresh token as every sign-in does; a user with a second factor gets 401 MFA_REQUIRED with an mfaToken for POST /auth/mfa/verify.",
      request: {
        headers: TenantHeader,
        body: { content: { "application/json": { schema: VerifyBody, example: EX.SMS_VERIFY } }, required: true },
      },
      responses: {
        200: {
          description: "Logged in",
          content: { "application/json": { schema: TokenResponseSchema, example: TOKEN_RESPONSE } },
        },
        401: problem("Wrong, used, expired or exhausted code (INVALID_CREDENTIALS)"),
        403: problem("SMS login not enabled for this tenant"),
        409: problem("The number is an account's primary number but not one of its sign-in methods (CONFLICT)"),
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
