import { AppError } from "@atlas/errors";
import { z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { requireAuth } from "../../middleware/auth.ts";
import { idempotency } from "../../middleware/idempotency.ts";
import type { Deps } from "../../ports.ts";
import { recordAudit } from "../../services/audit/audit.service.ts";
import { requestContext } from "../../services/login/request-context.ts";
import { assertRecentMfa } from "../../services/mfa/mfa.service.ts";
import { TenantHeader } from "../schemas.ts";

/** Headers of a mutating billing endpoint. */
export const MutatingHeaders = TenantHeader.extend({
  "idempotency-key": z
    .string()
    .min(1)
    .max(255)
    .openapi({ description: "Required: the same key and body within 24 h replay the first answer" }),
});

/** Reading billing data needs the `billing:read` scope (every login token has it). */
function requireBillingRead(): MiddlewareHandler {
  return async function requireBillingReadMiddleware(c, next) {
    if (!c.var.principal.scopes.includes("billing:read")) {
      throw new AppError("FORBIDDEN", { detail: "The token lacks the billing:read scope" });
    }
    await next();
  };
}

/**
 * Step-up: changing how a user is billed (plan, payment methods, billing choices) needs a recent
 * MFA verification from users who have MFA. It runs before the Idempotency-Key middleware, so an
 * MFA_REQUIRED answer is never stored as the key's response.
 */
function requireRecentMfa(deps: Deps): MiddlewareHandler {
  return async function requireRecentMfaMiddleware(c, next) {
    await assertRecentMfa(deps, { principal: c.var.principal, tenant: c.var.tenant, context: requestContext(c) });
    await next();
  };
}

/**
 * Audits a billing action that took effect (`billing_action`: method, route, status). It sits
 * after the Idempotency-Key middleware, so a replayed answer is not audited twice.
 */
function auditBillingAction(deps: Deps): MiddlewareHandler {
  return async function auditBillingActionMiddleware(c, next) {
    await next();
    if (c.res.status >= 400) return;
    const p = c.var.principal;
    await recordAudit(
      deps.prisma,
      {
        eventType: "billing_action",
        tenantId: p.tenantId,
        userId: p.userId,
        context: requestContext(c),
        details: { method: c.req.method, route: c.req.routePath, status: c.res.status },
      },
      deps.now(),
    );
  };
}

/** Route middleware of billing endpoints: authentication, plus the Idempotency-Key on mutations. */
export function billingMiddleware(deps: Deps) {
  const auth = requireAuth(deps);
  const stepUp = requireRecentMfa(deps);
  const audit = auditBillingAction(deps);
  return {
    read: [auth, requireBillingRead()],
    mutate: [auth, idempotency(deps), audit],
    /** Deletes: idempotent by nature, the key is honoured when sent. */
    remove: [auth, idempotency(deps, { optional: true }), audit],
    /** Changes to billing (plan, payment methods, profile): step-up MFA first. */
    change: [auth, stepUp, idempotency(deps), audit],
    removeChange: [auth, stepUp, idempotency(deps, { optional: true }), audit],
  };
}

export const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A subscription as the customer and subscription routes show it. */
export const SubscriptionSchema = z
  .object({
    id: z.string(),
    planId: z.string(),
    status: z.string(),
    currentPeriodStart: z.string(),
    currentPeriodEnd: z.string(),
    cancelAtPeriodEnd: z.boolean(),
    canceledAt: z.string().nullable(),
  })
  .openapi("Subscription");
