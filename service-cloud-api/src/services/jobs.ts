import type { Deps } from "../deps.ts";
import { cloudConsumer } from "./consumer.ts";
import { finalizeDueInvoices } from "./invoicing/finalize-invoice.ts";
import { paymentHandlers } from "./invoicing/payments.ts";
import { collectGarbage } from "./objects.ts";
import { reconcile } from "./reconcile.ts";
import { accrueStorage } from "./storage.ts";

/** One pass of the periodic billing work; each step is idempotent and safe on several instances. */
export async function runPeriodicJobs(deps: Deps): Promise<void> {
  const now = deps.now();
  // Storage is accrued up to now before periods that ended are priced.
  await accrueStorage(deps.database, now);
  await finalizeDueInvoices(deps.database, now, deps.config.INVOICE_GRACE_SEC * 1000, deps.config.INVOICE_DUE_DAYS);
  await collectGarbage(deps.database, now, deps.config.BLOB_GC_GRACE_SEC * 1000);
}

/** The consumer of the billing events cloud-api applies (null on the embedded database). */
export function startConsumer(deps: Deps) {
  const consumer = cloudConsumer(deps, paymentHandlers(deps));
  if (consumer) consumer.start();
  else deps.logger.warn("embedded database: the billing events consumer does not run");
  return consumer;
}

/**
 * Background work of a cloud-api process: the billing events consumer, the usage meter's
 * flushes and the periodic jobs.
 * Returns a function that stops everything and writes the last usage (the SIGTERM path).
 */
export function startBackground(deps: Deps): () => Promise<void> {
  deps.meter.start();
  const consumer = startConsumer(deps);
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    running = runPeriodicJobs(deps)
      .catch((error: unknown) => deps.logger.error({ err: error }, "periodic billing jobs failed"))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, deps.config.BILLING_JOB_INTERVAL_SEC * 1000);
  timer.unref();
  const reconciler =
    deps.config.RECONCILE_INTERVAL_SEC > 0
      ? setInterval(() => void runReconciliation(deps), deps.config.RECONCILE_INTERVAL_SEC * 1000)
      : null;
  reconciler?.unref();
  return async () => {
    clearInterval(timer);
    if (reconciler) clearInterval(reconciler);
    await consumer?.stop();
    await running;
    await deps.meter.stop();
  };
}

/** One reconciliation run; drift is logged as a warning with the per-kind summary. */
export async function runReconciliation(deps: Deps): Promise<void> {
  try {
    const report = await reconcile(deps.database, deps.now());
    const log = report.findings.length > 0 ? deps.logger.warn.bind(deps.logger) : deps.logger.info.bind(deps.logger);
    log({ runId: report.runId, summary: report.summary }, "reconciliation finished");
  } catch (error) {
    deps.logger.error({ err: error }, "reconciliation failed");
  }
}
