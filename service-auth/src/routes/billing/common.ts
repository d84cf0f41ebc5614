import { AppError } from "@atlas/errors";
import { z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { Deps } from "../../deps.ts";
import { requireAuth } from "../../middleware/auth.ts";
import { idempotency } from "../../middleware/idempotency.ts";
import { assertRecentMfa } from "../../services/mfa.service.ts";
import { requestContext } from "../../services/request-context.ts";
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

/** Route middleware of billing endpoints: authentication, plus the Idempotency-Key on mutations. */
export function billingMiddleware(deps: Deps) {
  const auth = requireAuth(deps);
  const stepUp = requireRecentMfa(deps);
  return {
    read: [auth, requireBillingRead()],
    mutate: [auth, idempotency(deps)],
    /** Deletes: idempotent by nature, the key is honoured when sent. */
    remove: [auth, idempotency(deps, { optional: true })],
    /** Changes to billing (plan, payment methods, profile): step-up MFA first. */
    change: [auth, stepUp, idempotency(deps)],
    removeChange: [auth, stepUp, idempotency(deps, { optional: true })],
  };
}

export const iso = (d: Date | null) => (d ? d.toISOString() : null);
