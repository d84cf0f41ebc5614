import { AppError } from "@atlas/errors";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Identity } from "../../../generated/prisma/client.ts";
import { requireAuth, requireAuthOrPat } from "../../middleware/auth.ts";
import { byIp, hashedBodyField, rateLimit } from "../../middleware/rate-limit.ts";
import type { AuthEnv, Deps } from "../../ports.ts";
import { startEmailLink, unlinkIdentity, verifyEmailLink } from "../../services/accounts/identity-link.service.ts";
import { requestContext } from "../../services/login/request-context.ts";
import { linkPhone, normalisePhone, startSmsOtp } from "../../services/methods/sms/sms-otp.service.ts";
import * as EX from "../examples/login.ts";
import { bearerSecurity, PublicUserSchema, problem, TenantHeader } from "../schemas.ts";
import { Phone } from "../shared/phone.ts";

const IdentitySchema = z
  .object({
    id: z.string(),
    provider: z.string(),
    subject: z.string(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
  })
  .openapi("Identity");

const MeSchema = z
  .object({
    user: PublicUserSchema,
    identities: z.array(IdentitySchema),
    mfa: z.object({ totpEnabled: z.boolean(), passkeys: z.number().int(), backupCodesLeft: z.number().int() }),
    session: z.object({ id: z.string(), amr: z.array(z.string()) }),
  })
  .openapi("Me");

const toIdentity = (i: Identity) => ({
  id: i.id,
  provider: i.provider,
  subject: i.subject,
  createdAt: i.createdAt.toISOString(),
  lastUsedAt: i.lastUsedAt?.toISOString() ?? null,
});

const PhoneLinkStart = z.strictObject({ phone: Phone });
const PhoneLinkVerify = z.strictObject({ phone: Phone, code: z.string().regex(/^\d{6}$/, "6 digits") });
const LinkStart = z.strictObject({ email: z.string().trim().toLowerCase().max(254).pipe(z.email()) });
const LinkVerify = z.strictObject({ token: z.string().min(32).max(128) });

/** `GET /auth/me`, linking an e-mail address, and unlinking identities. */
export function registerMeRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps) {
  const auth = requireAuth(deps);
  const authOrPat = requireAuthOrPat(deps);
  // Reading the profile is open to a PAT with profile:read (the CLI's `atlas whoami`); deleting the
  // account (DELETE /auth/me) needs a session.
  app.use("/auth/me", async (c, next) => {
    if (c.req.method !== "GET") return auth(c, next);
    return authOrPat(c, async () => {
      const p = c.var.principal;
      if (p.pat && !p.scopes.includes("profile:read")) {
        throw new AppError("FORBIDDEN", { detail: "This token lacks profile:read" });
      }
      await next();
    });
  });
  app.use("/auth/identities/*", auth);

  app.openapi(
    createRoute({
      method: "get",
      path: "/auth/me",
      tags: ["account"],
      summary: "The caller, their linked identities and MFA state",
      description:
        "With an access token, or a personal access token holding `profile:read` (403 FORBIDDEN without it).",
      security: bearerSecurity,
      request: { headers: TenantHeader },
      responses: {
        200: { description: "Me", content: { "application/json": { schema: MeSchema, example: EX.ME } } },
        401: problem("Not authenticated"),
        403: problem("A personal access token without profile:read (FORBIDDEN)"),
      },
    }),
    async (c) => {
      const p = c.var.principal;
      const user = await deps.prisma.user.findUniqueOrThrow({
        where: { id: p.userId },
        include: {
          identities: { orderBy: { createdAt: "asc" } },
          mfaSettings: true,
          _count: { select: { webAuthnCredentials: true, backupCodes: { where: { usedAt: null } } } },
        },
      });
      return c.json(
        {
          user: {
            id: user.id,
            tenantId: user.tenantId,
            email: user.email,
            phone: user.phone,
            displayName: user.displayName,
            roles: user.roles,
          },
          identities: user.identities.map(toIdentity),
          mfa: {
            totpEnabled: user.mfaSettings?.totpEnabled ?? false,
            passkeys: user._count.webAuthnCredentials,
            backupCodesLeft: user._count.backupCodes,
          },
          session: { id: p.sessionId, amr: p.amr },
        },
        200,
      );
    },
  );

  app.use(
    "/auth/identities/email/*",
    rateLimit(deps, [{ name: "link:ip", limit: deps.config.RATE_LIMIT_LOGIN_PER_MIN_IP, windowMs: 60_000, key: byIp }]),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/identities/email/start",
      tags: ["account"],
      summary: "Send a confirmation link to an address the caller wants to add",
      description:
        "Sends a link to the address; following it (POST /auth/identities/email/verify with its token, signed in as the same user) adds the address as a way to sign in. Nothing changes until then.",
      security: bearerSecurity,
      request: {
        headers: TenantHeader,
        body: { content: { "application/json": { schema: LinkStart, example: EX.LINK_EMAIL } }, required: true },
      },
      responses: {
        202: {
          description: "Link sent",
          content: { "application/json": { schema: z.object({ status: z.literal("sent") }), example: EX.SENT } },
        },
        400: problem("Invalid address"),
        401: problem("Not authenticated"),
      },
    }),
    async (c) => {
      const p = c.var.principal;
      await startEmailLink(deps, {
        tenant: c.var.tenant,
        userId: p.userId,
        email: c.req.valid("json").email,
        context: requestContext(c),
      });
      return c.json({ status: "sent" as const }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/identities/email/verify",
      tags: ["account"],
      summary: "Confirm the link: the address becomes one of the caller's identities",
      description:
        "Takes the token of the link sent by POST /auth/identities/email/start. The link is single use, expires, and only works for the user who asked for it. Audited.",
      security: bearerSecurity,
      request: {
        headers: TenantHeader,
        body: { content: { "application/json": { schema: LinkVerify, example: EX.EMAIL_LINK } }, required: true },
      },
      responses: {
        201: {
          description: "Linked",
          content: { "application/json": { schema: IdentitySchema, example: EX.EMAIL_IDENTITY } },
        },
        401: problem("Invalid, used or expired link, or another user's"),
        409: problem("The address belongs to another account"),
      },
    }),
    async (c) => {
      const p = c.var.principal;
      const i = await verifyEmailLink(deps, {
        tenant: c.var.tenant,
        userId: p.userId,
        token: c.req.valid("json").token,
        context: requestContext(c),
      });
      return c.json(toIdentity(i), 201);
    },
  );

  app.use(
    "/auth/identities/sms/*",
    rateLimit(deps, [
      { name: "link:ip", limit: deps.config.RATE_LIMIT_LOGIN_PER_MIN_IP, windowMs: 60_000, key: byIp },
      {
        name: "link:sms:phone",
        limit: deps.config.RATE_LIMIT_LOGIN_START_PER_HOUR,
        windowMs: 3_600_000,
        key: hashedBodyField("phone", normalisePhone),
      },
    ]),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/identities/sms/start",
      tags: ["account"],
      summary: "Send a code to a phone number the caller wants to add",
      description:
        "Texts a 6-digit code to the number (any common format, normalised to E.164); POST /auth/identities/sms/verify with the code adds it as a way to sign in. Needs an SMS provider on the server; a resend within the cooldown answers 429.",
      security: bearerSecurity,
      request: {
        headers: TenantHeader,
        body: { content: { "application/json": { schema: PhoneLinkStart, example: EX.SMS_START } }, required: true },
      },
      responses: {
        202: {
          description: "Code sent",
          content: { "application/json": { schema: z.object({ status: z.literal("sent") }), example: EX.SENT } },
        },
        400: problem("Invalid phone number"),
        401: problem("Not authenticated"),
        403: problem("SMS not configured on this server"),
        429: problem("Rate limited or within the resend cooldown"),
      },
    }),
    async (c) => {
      if (deps.sms.kind === "unconfigured") {
        throw new AppError("METHOD_NOT_ALLOWED_FOR_TENANT", { detail: "SMS is not configured on this server" });
      }
      await startSmsOtp(deps, {
        tenant: c.var.tenant,
        phone: c.req.valid("json").phone,
        context: requestContext(c),
        purpose: { kind: "link", userId: c.var.principal.userId },
      });
      return c.json({ status: "sent" as const }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/identities/sms/verify",
      tags: ["account"],
      summary: "Confirm the code: the number becomes one of the caller's identities",
      description:
        "Takes the number and the 6-digit code sent by POST /auth/identities/sms/start. Codes are single use, expire after 10 minutes and allow 5 attempts. Audited.",
      security: bearerSecurity,
      request: {
        headers: TenantHeader,
        body: { content: { "application/json": { schema: PhoneLinkVerify, example: EX.SMS_VERIFY } }, required: true },
      },
      responses: {
        201: {
          description: "Linked",
          content: { "application/json": { schema: IdentitySchema, example: EX.SMS_IDENTITY } },
        },
        401: problem("Wrong, used or expired code (INVALID_CREDENTIALS)"),
        409: problem("The number belongs to another account"),
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const identity = await linkPhone(deps, {
        tenant: c.var.tenant,
        userId: c.var.principal.userId,
        phone: body.phone,
        code: body.code,
        context: requestContext(c),
      });
      return c.json(toIdentity(identity), 201);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/auth/identities/{id}",
      tags: ["account"],
      summary: "Unlink one of the caller's identities, as long as another way to log in remains",
      description:
        "An unlinked e-mail address or phone number no longer reaches the account: it also leaves the account's primary address when it was that.",
      security: bearerSecurity,
      request: {
        headers: TenantHeader,
        params: z.object({ id: z.uuid().openapi({ param: { name: "id", in: "path" } }) }),
      },
      responses: {
        204: { description: "Unlinked" },
        401: problem("Not authenticated"),
        404: problem("No such identity"),
        409: problem("It is the last way to log in (CONFLICT)"),
      },
    }),
    async (c) => {
      const p = c.var.principal;
      await unlinkIdentity(deps, {
        tenantId: p.tenantId,
        userId: p.userId,
        id: c.req.valid("param").id,
        context: requestContext(c),
      });
      return c.body(null, 204);
    },
  );
}
