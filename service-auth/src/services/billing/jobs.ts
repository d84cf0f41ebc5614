import { OutboxConsumer, outboxDatabaseOf } from "@atlas/outbox";
import { type Job, startJobs } from "@atlas/service-kit";
import type { Deps } from "../../ports.ts";
import { invoiceFinalizedHandler } from "./invoices/charge-invoice.ts";
import { runDunning } from "./invoices/dunning.ts";
import { invoiceVoidedHandler } from "./invoices/void-invoice.ts";
import { reconciliationJob } from "./reconcile-job.ts";

/**
 * service-auth's side of the outbox: the events it consumes and their handlers. On the embedded
 * database, a batch holds its single connection (the handlers' own queries join the batch's
 * transaction, see @atlas/db embedded.ts) and it listens in process.
 */
export function billingConsumer(deps: Deps, options: { listen?: boolean; pollIntervalMs?: number } = {}) {
  return new OutboxConsumer({
    database: outboxDatabaseOf(deps.database),
    name: "service-auth",
    handlers: { "invoice.finalized": invoiceFinalizedHandler(deps), "invoice.voided": invoiceVoidedHandler(deps) },
    now: deps.now,
    ...options,
    onError: (error, context) =>
      deps.logger.error({ err: error, ...context }, context.eventId ? "billing event failed" : "outbox consumer error"),
  });
}

/** The periodic billing jobs: dunning every `dunningEveryMs` (DUNNING_INTERVAL_SEC), and the scheduled reconciliation. */
export function billingJobs(deps: Deps, dunningEveryMs = deps.config.DUNNING_INTERVAL_SEC * 1000): Job[] {
  const reconciliation = reconciliationJob(deps);
  return [
    { name: "dunning", everyMs: dunningEveryMs, run: () => runDunning(deps) },
    ...(reconciliation ? [reconciliation] : []),
  ];
}

/**
 * Background billing work: the charge saga's consumer (on PostgreSQL and on the embedded
 * database) and {@link billingJobs}.
 * Returns a function that stops both and resolves once the consumer and the runs in progress
 * have drained.
 */
export function startBillingJobs(
  deps: Deps,
  dunningEveryMs = deps.config.DUNNING_INTERVAL_SEC * 1000,
): () => Promise<void> {
  const consumer = billingConsumer(deps);
  consumer.start();
  const jobs = startJobs(billingJobs(deps, dunningEveryMs), { logger: deps.logger, metrics: deps.metrics });
  return async () => {
    await Promise.all([jobs.stop(), consumer.stop()]);
  };
}
