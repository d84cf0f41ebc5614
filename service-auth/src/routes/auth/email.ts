import { AppError } from "@atlas/errors";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { MethodDoc } from "../../methods/manifest.ts";
import { hashedBodyField, loginRules, rateLimit } from "../../middleware/rate-limit.ts";
import type { AuthEnv, Deps } from "../../ports.ts";
import { assertMethodAllowed, auditedRedirect } from "../../services/login/login-policy.service.ts";
import { requestContext } from "../../services/login/request-context.ts";
import { normaliseEmail, startMagicLink } from "../../services/methods/email/magic-link.service.ts";
import { verifyMagicLink } from "../../services/methods/email/magic-link-login.service.ts";
import * as EX from "../examples/login.ts";
import { problem, TenantHeader, TokenResponseSchema } from "../schemas.ts";
import { deliverTokens } from "../token-delivery.ts";

const StartBody = z.strictObject({
  email: z.string().trim().toLowerCase().max(254).pipe(z.email()),
  redirectTo: z.string().max(2048).optional(),
});
const VerifyBody = z.strictObject({ token: z.string().min(32).max(128) });
const Accepted = z.object({ status: z.literal("sent") }).openapi("EmailStarted");

/** E-mail magic links; `doc` is the method manifest's (src/methods/email.ts). */
export function registerEmailRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps, doc: MethodDoc) {
  app.use("/auth/email/verify", rateLimit(deps, loginRules(deps)));
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
      summary: "Send a magic link (202 whether or not the account exists)",
      description:
        "Sends a sign-in link to the address. The answer is the same whether or not an account exists, so it cannot be used to find accounts; the first sign-in creates the user. redirectTo, one of the tenant's origins, is where the web-app goes after signing in. Rate limited.",
      request: {
        headers: TenantHeader,
        body: { content: { "application/json": { schema: StartBody, example: EX.EMAIL_START } }, required: true },
      },
      responses: {
        202: {
          description: "A link is on its way if the address can receive it",
          content: { "application/json": { schema: Accepted, example: EX.SENT } },
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
      const redirectTo = await auditedRedirect(deps, {
        tenant,
        redirectTo: body.redirectTo,
        method: "email",
        context: requestContext(c),
      });
      await startMagicLink(deps, { tenant, email: body.email, redirectTo, context: requestContext(c) });
      return c.json({ status: "sent" as const }, 202);
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
        401: problem("Invalid, used or expired link (INVALID_CREDENTIALS)"),
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
}
