import { AdvisoryLeader } from "@atlas/db";
import { type Job, startJobs } from "@atlas/service-kit";
import type { Deps } from "../deps.ts";
import { cloudConsumer } from "./consumer.ts";
import { finalizeDueInvoices } from "./invoicing/finalize-invoice.ts";
import { paymentHandlers } from "./invoicing/payments.ts";
import { collectGarbage } from "./objects.ts";
import { reconcile } from "./reconcile.ts";
import { accrueStorage } from "./storage.ts";

/** Advisory-lock key of the scheduled reconciliation's leader (an AdvisoryLeader of @atlas/db). */
const RECONCILE_LEADER = 0x61746c63; // "atlc"

/** One pass of the periodic billing work; each step is idempotent and safe on several instances. */
export async function runPeriodicJobs(deps: Deps): Promise<void> {
  const now = deps.now();
  // Storage is accrued up to now before periods that ended are priced.
  await accrueStorage(deps.database, now);
  await finalizeDueInvoices(deps.database, now, deps.config.INVOICE_GRACE_SEC * 1000, deps.config.INVOICE_DUE_DAYS);
  await collectGarbage(deps.database, deps.blobs, now, deps.config.BLOB_GC_GRACE_SEC * 1000);
}

/** The consumer of the billing events cloud-api applies (on PostgreSQL and on the embedded database). */
export function startConsumer(deps: Deps) {
  const consumer = cloudConsumer(deps, paymentHandlers(deps));
  consumer.start();
  return consumer;
}

/**
 * The periodic jobs of a cloud-api process: billing work every BILLING_JOB_INTERVAL_SEC (each step
 * safe on every instance), reconciliation every RECONCILE_INTERVAL_SEC (0: never) on one instance.
 */
export function backgroundJobs(deps: Deps): Job[] {
  const jobs: Job[] = [
    {
      name: "billing_periodic",
      everyMs: deps.config.BILLING_JOB_INTERVAL_SEC * 1000,
      run: () => runPeriodicJobs(deps),
    },
  ];
  if (deps.config.RECONCILE_INTERVAL_SEC > 0) {
    // Once per interval in all, however many instances run: only the leader reconciles.
    const pool = deps.database.pool;
    const leader = pool ? new AdvisoryLeader(pool, RECONCILE_LEADER) : null;
    jobs.push({
      name: "reconciliation",
      everyMs: deps.config.RECONCILE_INTERVAL_SEC * 1000,
      run: async () => {
        if (await (leader?.lead() ?? true)) await reconcileAndReport(deps);
      },
      stop: async () => leader?.release(),
    });
  }
  return jobs;
}

/**
 * Background work of a cloud-api process: the billing events consumer, the usage meter's
 * flushes and {@link backgroundJobs} (startJobs: no overlapping runs, failures logged and counted).
 * Returns a function that stops everything, waits for the consumer and the runs in progress to
 * drain, and writes the last usage (the SIGTERM path).
 */
export function startBackground(deps: Deps): () => Promise<void> {
  deps.meter.start();
  const consumer = startConsumer(deps);
  const jobs = startJobs(backgroundJobs(deps), { logger: deps.logger, metrics: deps.metrics });
  return async () => {
    await Promise.all([jobs.stop(), consumer.stop()]);
    await deps.meter.stop();
  };
}

/** One reconciliation run; drift is logged as a warning with the per-kind summary. Throws when the run fails. */
async function reconcileAndReport(deps: Deps): Promise<void> {
  const report = await reconcile(deps.database, deps.now());
  const log = report.findings.length > 0 ? deps.logger.warn.bind(deps.logger) : deps.logger.info.bind(deps.logger);
  log({ runId: report.runId, summary: report.summary }, "reconciliation finished");
}

/** One reconciliation run, as {@link reconcileAndReport}, but a failure is logged, never thrown. */
export async function runReconciliation(deps: Deps): Promise<void> {
  try {
    await reconcileAndReport(deps);
  } catch (error) {
    deps.logger.error({ err: error }, "reconciliation failed");
  }
}
