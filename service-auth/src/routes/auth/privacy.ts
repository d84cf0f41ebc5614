import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { requireAuth } from "../../middleware/auth.ts";
import type { AuthEnv, Deps } from "../../ports.ts";
import { requestContext } from "../../services/login/request-context.ts";
import { assertRecentMfa } from "../../services/mfa/mfa.service.ts";
import { deleteAccount } from "../../services/privacy/account-deletion.service.ts";
import { exportAccountData } from "../../services/privacy/privacy-export.service.ts";
import * as EX from "../examples/security.ts";
import { AuditItemSchema, bearerSecurity, problem, TenantHeader } from "../schemas.ts";
import { clearRefreshCookie } from "../token-delivery.ts";

const Row = z.record(z.string(), z.unknown());

const ExportSchema = z
  .object({
    exportedAt: z.string(),
    user: Row,
    tenant: z.object({ id: z.string(), slug: z.string(), name: z.string() }),
    identities: z.array(Row),
    sessions: z.array(Row),
    passkeys: z.array(Row).openapi({ description: "Names and dates; no public keys" }),
    personalAccessTokens: z.array(Row).openapi({ description: "Without secrets or hashes" }),
    mfa: z.object({
      totpEnabled: z.boolean(),
      totpEnabledAt: z.string().nullable(),
      backupCodes: z.object({ total: z.number().int(), unused: z.number().int(), createdAt: z.string().nullable() }),
    }),
    trustedDevices: z.array(Row),
    pendingSignIns: z.object({ magicLinks: z.array(Row), smsCodes: z.array(Row) }),
    auditEvents: z.array(AuditItemSchema),
    billing: z.object({
      profile: Row.nullable(),
      paymentMethods: z.array(Row),
      subscriptions: z.array(Row),
      charges: z.array(Row),
      cryptoPayments: z.array(Row),
    }),
  })
  .openapi("AccountExport");

/** `GET /auth/me/export` and `DELETE /auth/me` (privacy by design: access and erasure). */
export function registerPrivacyRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps) {
  const auth = requireAuth(deps);
  // `/auth/me` is authenticated by the me routes for every method; this guard makes these
  // routes safe on their own without verifying the token twice.
  const authenticated: MiddlewareHandler = (c, next) => (c.get("principal") ? next() : auth(c, next));

  app.openapi(
    createRoute({
      method: "get",
      path: "/auth/me/export",
      tags: ["account"],
      summary: "Every piece of personal data held about the caller, as JSON",
      description:
        "The right of access (GDPR art. 15) as one JSON document: account, identities, sessions, passkeys, personal access tokens, MFA state, trusted devices, pending sign-in links and codes, the audit trail and billing records. Never secrets: no key material, token hashes or TOTP secret. Audited (data_exported).",
      security: bearerSecurity,
      middleware: [authenticated] as const,
      request: { headers: TenantHeader },
      responses: {
        200: {
          description: "The export",
          content: { "application/json": { schema: ExportSchema, example: EX.ACCOUNT_EXPORT } },
        },
        401: problem("Not authenticated"),
      },
    }),
    async (c) => {
      const data = await exportAccountData(deps, { principal: c.var.principal, context: requestContext(c) });
      c.header("Cache-Control", "no-store");
      c.header("Content-Disposition", `attachment; filename="atlas-export-${c.var.principal.userId}.json"`);
      return c.json(data, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/auth/me",
      tags: ["account"],
      summary: "Delete the caller's account; its audit trail is pseudonymised, not deleted",
      description:
        "Users with MFA need a verification within MFA_STEP_UP_MAX_AGE_MIN (else 401 MFA_REQUIRED with an mfaToken). Live subscriptions are canceled through a `subscription.canceled` billing event. The address the account had is told by e-mail once the deletion is committed.",
      security: bearerSecurity,
      middleware: [authenticated] as const,
      request: { headers: TenantHeader },
      responses: {
        204: { description: "Deleted" },
        401: problem("Not authenticated, or MFA_REQUIRED"),
        503: problem("The payment provider could not stop billing: nothing was deleted, try again"),
      },
    }),
    async (c) => {
      const principal = c.var.principal;
      const context = requestContext(c);
      await assertRecentMfa(deps, { principal, tenant: c.var.tenant, context });
      await deleteAccount(deps, { principal, context });
      clearRefreshCookie(c, deps);
      return c.body(null, 204);
    },
  );
}
