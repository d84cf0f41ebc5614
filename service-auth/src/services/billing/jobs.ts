import { OutboxConsumer } from "@atlas/outbox";
import type { Deps } from "../../ports.ts";
import { invoiceFinalizedHandler } from "./invoices/charge-invoice.ts";
import { runDunning } from "./invoices/dunning.ts";
import { invoiceVoidedHandler } from "./invoices/void-invoice.ts";
import { startReconciliation } from "./reconcile-job.ts";

/** service-auth's side of the outbox: the events it consumes and their handlers. */
export function billingConsumer(deps: Deps, options: { listen?: boolean; pollIntervalMs?: number } = {}) {
  if (!deps.database.pool) return null;
  return new OutboxConsumer({
    pool: deps.database.pool,
    name: "service-auth",
    handlers: { "invoice.finalized": invoiceFinalizedHandler(deps), "invoice.voided": invoiceVoidedHandler(deps) },
    now: deps.now,
    ...options,
    onError: (error, context) =>
      deps.logger.error({ err: error, ...context }, context.eventId ? "billing event failed" : "outbox consumer error"),
  });
}

/**
 * Background billing work: the charge saga's consumer (on Postgres; the embedded database has no
 * pool to LISTEN on, so charges wait there) and dunning every `dunningEveryMs`.
 * Returns a function that stops both.
 */
export function startBillingJobs(deps: Deps, dunningEveryMs = 60_000): () => Promise<void> {
  const consumer = billingConsumer(deps);
  if (consumer) consumer.start();
  else deps.logger.warn("embedded database: the billing outbox consumer does not run");
  const timer = setInterval(() => {
    runDunning(deps).catch((error: unknown) => deps.logger.error({ err: error }, "dunning failed"));
  }, dunningEveryMs);
  timer.unref();
  const stopReconciliation = startReconciliation(deps);
  return async () => {
    clearInterval(timer);
    stopReconciliation();
    await consumer?.stop();
  };
}
