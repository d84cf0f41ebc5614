import { AppError } from "@atlas/errors";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { MethodDoc } from "../../methods/manifest.ts";
import { hashedBodyField, loginRules, rateLimit } from "../../middleware/rate-limit.ts";
import type { AuthEnv, Deps } from "../../ports.ts";
import { assertMethodAllowed, auditedRedirect } from "../../services/login/login-policy.service.ts";
import { requestContext } from "../../services/login/request-context.ts";
import {
  assertEmailResendAllowed,
  normaliseEmail,
  startMagicLink,
} from "../../services/methods/email/magic-link.service.ts";
import { verifyEmailCode, verifyMagicLink } from "../../services/methods/email/magic-link-login.service.ts";
import * as EX from "../examples/login.ts";
import { problem, TenantHeader, TokenResponseSchema } from "../schemas.ts";
import { deliverTokens } from "../token-delivery.ts";

const StartBody = z.strictObject({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .max(254, "must be at most 254 characters")
    .pipe(z.email("must be an e-mail address, like you@example.com")),
  redirectTo: z.string().max(2048).optional(),
});
const VerifyBody = z.strictObject({ token: z.string().min(32).max(128) });
const VerifyCodeBody = z.strictObject({
  codeToken: z.string().min(32).max(128),
  code: z.string().regex(/^\d{6}$/, "must be the 6 digits from the e-mail"),
});
const Accepted = z
  .object({
    status: z.literal("sent"),
    expiresAt: z.string().openapi({ description: "When the link and the code stop working (ISO 8601)" }),
    codeToken: z.string().openapi({
      description:
        "Names this pending sign-in: send it with the e-mail's 6-digit code to POST /auth/email/verify-code (keep it in the page that asked)",
    }),
  })
  .openapi("EmailStarted");

/** E-mail magic links; `doc` is the method manifest's (src/methods/email.ts). */
export function registerEmailRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps, doc: MethodDoc) {
  app.use("/auth/email/verify", rateLimit(deps, loginRules(deps)));
  app.use("/auth/email/verify-code", rateLimit(deps, loginRules(deps)));
  app.use(
    "/auth/email/start",
    rateLimit(deps, [
      ...loginRules(deps),
      {
        name: "email:address",
        limit: deps.config.RATE_LIMIT_LOGIN_START_PER_HOUR,
        windowMs: 3_600_000,
        key: hashedBodyField("email", normaliseEmail),
      },
    ]),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/email/start",
      tags: [doc.tag],
      summary: "Send a magic link and a 6-digit code (202 whether or not the account exists)",
      description:
        "Sends a sign-in link and a 6-digit code to the address. The answer is the same whether or not an account exists, so it cannot be used to find accounts; the first sign-in creates the user. The link (/auth/callback?token=…) and the code work once and for 15 minutes; the code only with this answer's codeToken. redirectTo, one of the tenant's origins, is where the web-app goes after signing in. Another link to the same address while the last one is unused and younger than EMAIL_RESEND_COOLDOWN_SEC (30 s) is refused: 429 RATE_LIMITED with Retry-After.",
      request: {
        headers: TenantHeader,
        body: { content: { "application/json": { schema: StartBody, example: EX.EMAIL_START } }, required: true },
      },
      responses: {
        202: {
          description: "A link is on its way if the address can receive it",
          content: { "application/json": { schema: Accepted, example: EX.EMAIL_SENT } },
        },
        400: problem("Invalid address or redirectTo"),
        403: problem("E-mail login not enabled for this tenant"),
        429: problem("Rate limited or within the resend cooldown (Retry-After)"),
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
      const redirectTo = await auditedRedirect(deps, {
        tenant,
        redirectTo: body.redirectTo,
        method: "email",
        context: requestContext(c),
      });
      await assertEmailResendAllowed(deps, { tenant, email: body.email });
      const pending = await startMagicLink(deps, {
        tenant,
        email: body.email,
        redirectTo,
        context: requestContext(c),
        withCode: true,
      });
      if (!pending) throw new Error("a login page's e-mail start issues a code");
      c.header("Cache-Control", "no-store");
      return c.json(
        { status: "sent" as const, expiresAt: pending.expiresAt.toISOString(), codeToken: pending.codeToken },
        202,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/email/verify",
      tags: [doc.tag],
      summary: "Exchange a magic-link token for tokens (first login creates the user)",
      description:
        "Takes the token of the link. Single use and short-lived. Answers an access token and a refresh token (browsers of an allowed origin get the refresh token as an HttpOnly cookie instead), the user, and the redirectTo given at the start. A user with a second factor gets 401 MFA_REQUIRED with an mfaToken for POST /auth/mfa/verify.",
      request: {
        headers: TenantHeader,
        body: { content: { "application/json": { schema: VerifyBody, example: EX.EMAIL_LINK } }, required: true },
      },
      responses: {
        200: {
          description: "Logged in",
          content: {
            "application/json": {
              schema: TokenResponseSchema.extend({ redirectTo: z.string().nullable() }),
              example: EX.EMAIL_LOGGED_IN,
            },
          },
        },
        401: problem(
          "Invalid, used or expired link (INVALID_CREDENTIALS); or MFA_REQUIRED with `mfaToken`, `methods` and, when the flow had one, its `redirectTo`",
        ),
        403: problem("E-mail login not enabled for this tenant"),
        409: problem("The address is an account's primary address but not one of its sign-in methods (CONFLICT)"),
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

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/email/verify-code",
      tags: [doc.tag],
      summary: "Exchange the e-mail's 6-digit code for tokens, in the page that started the sign-in",
      description:
        "`codeToken` is the start's answer: the code works only for that pending sign-in, once, for 15 minutes and 5 attempts.",
      request: {
        headers: TenantHeader,
        body: { content: { "application/json": { schema: VerifyCodeBody, example: EX.EMAIL_CODE } }, required: true },
      },
      responses: {
        200: {
          description: "Logged in",
          content: {
            "application/json": {
              schema: TokenResponseSchema.extend({ redirectTo: z.string().nullable() }),
              example: EX.EMAIL_LOGGED_IN,
            },
          },
        },
        400: problem("Not 6 digits, or no codeToken"),
        401: problem("Wrong, used, expired or exhausted code (INVALID_CREDENTIALS)"),
        403: problem("E-mail login not enabled for this tenant"),
        409: problem("The address is an account's primary address but not one of its sign-in methods (CONFLICT)"),
        429: problem("Too many attempts (Retry-After)"),
      },
    }),
    async (c) => {
      const tenant = c.var.tenant;
      assertMethodAllowed(tenant, "email");
      const body = c.req.valid("json");
      c.header("Cache-Control", "no-store");
      const tokens = await verifyEmailCode(deps, { tenant, ...body, context: requestContext(c) });
      return c.json(deliverTokens(c, deps, tokens), 200);
    },
  );
}
