import { AppError } from "@atlas/errors";
import { z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { Deps } from "../../deps.ts";
import { requireAuth } from "../../middleware/auth.ts";
import { idempotency } from "../../middleware/idempotency.ts";
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

/** Route middleware of billing endpoints: authentication, plus the Idempotency-Key on mutations. */
export function billingMiddleware(deps: Deps) {
  const auth = requireAuth(deps);
  return {
    read: [auth, requireBillingRead()],
    mutate: [auth, idempotency(deps)],
    /** Deletes: idempotent by nature, the key is honoured when sent. */
    remove: [auth, idempotency(deps, { optional: true })],
  };
}

export const iso = (d: Date | null) => (d ? d.toISOString() : null);
