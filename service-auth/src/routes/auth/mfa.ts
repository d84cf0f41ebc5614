import { AppError } from "@atlas/errors";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { setCookie } from "hono/cookie";
import { requireAuth } from "../../middleware/auth.ts";
import { byIp, loginRules, rateLimit } from "../../middleware/rate-limit.ts";
import type { AuthEnv, Deps } from "../../ports.ts";
import { recordAudit } from "../../services/audit/audit.service.ts";
import { DEVICE_COOKIE, requestContext } from "../../services/login/request-context.ts";
import { passkeyLoginOptions, verifyPasskeyAssertion } from "../../services/methods/passkey/passkey.service.ts";
import { ceremonyFor } from "../../services/methods/passkey/passkey-challenge.ts";
import { assertRecentMfa, mfaTokenOwner, verifyMfa } from "../../services/mfa/mfa.service.ts";
import { disableTotp, enableTotp, regenerateBackupCodes, setupTotp } from "../../services/mfa/mfa-factors.service.ts";
import { REQUEST_OPTIONS } from "../examples/login.ts";
import * as EX from "../examples/security.ts";
import { bearerSecurity, problem, TenantHeader, TokenResponseSchema } from "../schemas.ts";
import { RequestOptions } from "../shared/webauthn.ts";
import { deliverTokens } from "../token-delivery.ts";
import { BackupCodes, codeBody, mfaTokenBody, TotpSetup, TrustedDevice, VerifyBody } from "./mfa-schemas.ts";

/** TOTP, backup codes, the MFA step of logins, step-up and trusted devices (api.md mfa rows). */
export function registerMfaRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps) {
  const auth = requireAuth(deps);
  for (const path of [
    "/auth/mfa/totp/*",
    "/auth/mfa/backup-codes",
    "/auth/mfa/trusted-devices",
    "/auth/mfa/trusted-devices/*",
  ]) {
    app.use(path, auth);
  }
  const perIp = rateLimit(deps, [
    { name: "mfa:ip", limit: deps.config.RATE_LIMIT_LOGIN_PER_MIN_IP, windowMs: 60_000, key: byIp },
  ]);
  app.use("/auth/mfa/totp/*", perIp);
  app.use("/auth/mfa/verify", rateLimit(deps, loginRules(deps)));
  app.use("/auth/mfa/enroll", rateLimit(deps, loginRules(deps)));
  app.use("/auth/mfa/webauthn/options", rateLimit(deps, loginRules(deps)));

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/mfa/totp/setup",
      tags: ["mfa"],
      summary: "Start TOTP enrolment: a secret for the authenticator app (not active until enabled)",
      description: EX.MFA_DOCS.totpSetup,
      security: bearerSecurity,
      request: { headers: TenantHeader },
      responses: {
        200: { description: "Secret", content: { "application/json": { schema: TotpSetup, example: EX.TOTP_SETUP } } },
        401: problem("Not authenticated"),
        409: problem("TOTP already enabled"),
      },
    }),
    async (c) => {
      const p = c.var.principal;
      const user = await deps.prisma.user.findUniqueOrThrow({ where: { id: p.userId } });
      c.header("Cache-Control", "no-store");
      const setup = await setupTotp(deps, {
        userId: p.userId,
        issuer: c.var.tenant.name,
        label: user.email ?? user.phone ?? user.displayName ?? user.id,
      });
      return c.json(setup, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/mfa/totp/enable",
      tags: ["mfa"],
      summary: "Enable TOTP with a code from the app; answers the 10 backup codes, once",
      description: EX.MFA_DOCS.totpEnable,
      security: bearerSecurity,
      request: {
        headers: TenantHeader,
        body: codeBody,
      },
      responses: {
        200: {
          description: "Enabled",
          content: { "application/json": { schema: BackupCodes, example: EX.BACKUP_CODES } },
        },
        401: problem("Wrong code (INVALID_CREDENTIALS)"),
        409: problem("No pending setup, or already enabled"),
      },
    }),
    async (c) => {
      const p = c.var.principal;
      c.header("Cache-Control", "no-store");
      const backupCodes = await enableTotp(deps, {
        userId: p.userId,
        tenantId: p.tenantId,
        sessionId: p.sessionId,
        code: c.req.valid("json").code,
        context: requestContext(c),
      });
      return c.json({ backupCodes }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/mfa/totp/disable",
      tags: ["mfa"],
      summary: "Disable TOTP (recent MFA and a current code required); backup codes and trusted devices go too",
      description: EX.MFA_DOCS.totpDisable,
      security: bearerSecurity,
      request: {
        headers: TenantHeader,
        body: codeBody,
      },
      responses: {
        204: { description: "Disabled" },
        401: problem("Wrong code, or MFA_REQUIRED (no recent MFA on this session)"),
      },
    }),
    async (c) => {
      const p = c.var.principal;
      const context = requestContext(c);
      await assertRecentMfa(deps, { principal: p, tenant: c.var.tenant, context });
      await disableTotp(deps, { userId: p.userId, tenantId: p.tenantId, code: c.req.valid("json").code, context });
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/mfa/backup-codes",
      tags: ["mfa"],
      summary: "Replace the backup codes with a new set of 10 (recent MFA required)",
      description: EX.MFA_DOCS.backupCodes,
      security: bearerSecurity,
      request: { headers: TenantHeader },
      responses: {
        200: {
          description: "New codes, shown once",
          content: { "application/json": { schema: BackupCodes, example: EX.BACKUP_CODES } },
        },
        401: problem("MFA_REQUIRED (no recent MFA on this session)"),
        409: problem("TOTP not enabled"),
      },
    }),
    async (c) => {
      const p = c.var.principal;
      const context = requestContext(c);
      await assertRecentMfa(deps, { principal: p, tenant: c.var.tenant, context });
      c.header("Cache-Control", "no-store");
      const backupCodes = await regenerateBackupCodes(deps, { userId: p.userId, tenantId: p.tenantId, context });
      return c.json({ backupCodes }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/mfa/verify",
      tags: ["mfa"],
      summary: "Answer an MFA_REQUIRED challenge (login or step-up) with a TOTP or backup code",
      description: EX.MFA_DOCS.trustedDevices,
      request: {
        headers: TenantHeader,
        body: { content: { "application/json": { schema: VerifyBody, example: EX.MFA_VERIFY } }, required: true },
      },
      responses: {
        200: {
          description: "Verified",
          content: {
            "application/json": {
              schema: TokenResponseSchema.partial({ refreshToken: true }).extend({
                backupCodes: z.array(z.string()).optional(),
                backupCodesRemaining: z.number().int().optional(),
              }),
              example: EX.MFA_VERIFIED,
            },
          },
        },
        401: problem("Unknown, used, expired or spent mfaToken (INVALID_TOKEN); wrong factor (INVALID_CREDENTIALS)"),
        429: problem("Rate limited"),
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const context = requestContext(c);
      c.header("Cache-Control", "no-store");
      const result = await verifyMfa(deps, {
        tenant: c.var.tenant,
        mfaToken: body.mfaToken,
        answer: {
          code: body.code,
          backupCode: body.backupCode,
          webauthn: body.webauthn
            ? async () => {
                const response = body.webauthn as Parameters<typeof verifyPasskeyAssertion>[1]["response"];
                const owner = await verifyPasskeyAssertion(deps, { tenant: c.var.tenant, response, context });
                return owner.id;
              }
            : undefined,
        },
        trustDevice: body.trustDevice ?? false,
        context,
      });
      const extra = {
        ...("backupCodes" in result && result.backupCodes ? { backupCodes: result.backupCodes } : {}),
        ...(result.backupCodesRemaining !== undefined ? { backupCodesRemaining: result.backupCodesRemaining } : {}),
      };
      if (result.purpose === "step_up") return c.json({ ...result.tokens, ...extra }, 200);
      if (result.deviceToken) {
        setCookie(c, DEVICE_COOKIE, result.deviceToken, {
          httpOnly: true,
          sameSite: "Strict",
          secure: deps.config.cookies.secure,
          path: "/auth",
          maxAge: deps.config.MFA_TRUSTED_DEVICE_DAYS * 86_400,
        });
      }
      return c.json({ ...deliverTokens(c, deps, result.tokens), ...extra }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/mfa/webauthn/options",
      tags: ["mfa"],
      summary: "WebAuthn request options for the MFA step (the user's passkeys)",
      description: "Then answer `POST /auth/mfa/verify` with `{ mfaToken, webauthn: <AuthenticationResponseJSON> }`.",
      request: {
        headers: TenantHeader,
        body: mfaTokenBody,
      },
      responses: {
        200: {
          description: "Request options",
          content: { "application/json": { schema: RequestOptions, example: REQUEST_OPTIONS } },
        },
        400: problem("Origin not allowed for this tenant"),
        401: problem("Invalid mfaToken (INVALID_TOKEN)"),
      },
    }),
    async (c) => {
      const tenant = c.var.tenant;
      const user = await mfaTokenOwner(deps, tenant, c.req.valid("json").mfaToken);
      c.header("Cache-Control", "no-store");
      const options = await passkeyLoginOptions(deps, {
        tenant,
        ceremony: ceremonyFor(tenant, c.req.header("origin")),
        userId: user.id,
      });
      return c.json(options, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/mfa/enroll",
      tags: ["mfa"],
      summary: "Tenant requires MFA and the user has none: start TOTP enrolment with the login's mfaToken",
      description: "Then answer `POST /auth/mfa/verify` with the mfaToken and a code from the app.",
      request: {
        headers: TenantHeader,
        body: mfaTokenBody,
      },
      responses: {
        200: { description: "Secret", content: { "application/json": { schema: TotpSetup, example: EX.TOTP_SETUP } } },
        401: problem("Invalid mfaToken (INVALID_TOKEN)"),
        409: problem("The user already has MFA"),
      },
    }),
    async (c) => {
      const user = await mfaTokenOwner(deps, c.var.tenant, c.req.valid("json").mfaToken);
      c.header("Cache-Control", "no-store");
      const setup = await setupTotp(deps, {
        userId: user.id,
        issuer: c.var.tenant.name,
        label: user.email ?? user.phone ?? user.displayName ?? user.id,
      });
      return c.json(setup, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/auth/mfa/trusted-devices",
      tags: ["mfa"],
      summary: "The caller's trusted devices (live ones)",
      description: EX.MFA_DOCS.untrustDevice,
      security: bearerSecurity,
      request: { headers: TenantHeader },
      responses: {
        200: {
          description: "Devices",
          content: {
            "application/json": { schema: z.object({ items: z.array(TrustedDevice) }), example: EX.TRUSTED_DEVICES },
          },
        },
        401: problem("Not authenticated"),
      },
    }),
    async (c) => {
      const now = deps.now();
      const devices = await deps.prisma.trustedDevice.findMany({
        where: { userId: c.var.principal.userId, revokedAt: null, expiresAt: { gt: now } },
        orderBy: { createdAt: "desc" },
      });
      const current = requestContext(c).deviceToken?.split(".")[0];
      return c.json(
        {
          items: devices.map((d) => ({
            id: d.id,
            label: d.label,
            createdAt: d.createdAt.toISOString(),
            lastUsedAt: d.lastUsedAt?.toISOString() ?? null,
            expiresAt: d.expiresAt.toISOString(),
            current: d.id === current,
          })),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/auth/mfa/trusted-devices/{id}",
      tags: ["mfa"],
      summary: "Stop trusting a device: its next login asks for the second factor again",
      description: "Revokes one trusted device of the caller. A device of another user answers 404. Audited.",
      security: bearerSecurity,
      request: {
        headers: TenantHeader,
        params: z.object({ id: z.uuid().openapi({ param: { name: "id", in: "path" } }) }),
      },
      responses: { 204: { description: "Revoked" }, 401: problem("Not authenticated"), 404: problem("No such device") },
    }),
    async (c) => {
      const p = c.var.principal;
      const now = deps.now();
      const { count } = await deps.prisma.trustedDevice.updateMany({
        where: { id: c.req.valid("param").id, userId: p.userId, revokedAt: null },
        data: { revokedAt: now },
      });
      if (count === 0) throw new AppError("NOT_FOUND", { detail: "No such device" });
      await recordAudit(
        deps.prisma,
        {
          eventType: "trusted_device_revoked",
          tenantId: p.tenantId,
          userId: p.userId,
          context: requestContext(c),
          details: { deviceId: c.req.valid("param").id },
        },
        now,
      );
      return c.body(null, 204);
    },
  );
}
