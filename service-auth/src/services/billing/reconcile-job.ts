import { AdvisoryLeader } from "@atlas/db";
import { type Job, startJobs } from "@atlas/service-kit";
import type { Deps } from "../../ports.ts";
import { reconcileBilling } from "./reconcile.ts";

/** Advisory-lock key of the reconciliation run: one instance runs it at a time. */
const RECONCILE_LOCK = 0x61746c72; // "atlr"
/** Advisory-lock key of the scheduled reconciliation's leader: one instance schedules it. */
const RECONCILE_LEADER = 0x61746c73; // "atls"

/**
 * One scheduled reconciliation run, unless another instance holds the run's advisory lock (two
 * runs would only repeat the same Stripe reads; repairs are idempotent anyway). Resolves with
 * the report, or null when skipped.
 */
export async function runScheduledReconciliation(deps: Deps) {
  const pool = deps.database.pool;
  if (!pool) return reconcileBilling(deps);
  const client = await pool.connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [
      RECONCILE_LOCK,
    ]);
    if (!rows[0]?.locked) return null;
    try {
      const report = await reconcileBilling(deps);
      const found = report.findings.length;
      if (found > 0) deps.logger.warn({ runId: report.runId, summary: report.summary }, "billing reconciliation drift");
      return report;
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [RECONCILE_LOCK]);
    }
  } finally {
    client.release();
  }
}

/**
 * The scheduled reconciliation, every BILLING_RECONCILE_INTERVAL_SEC (null at 0: never), once per
 * interval in all however many instances run: only the leader (an {@link AdvisoryLeader}) runs it,
 * the others skip their ticks until the leader stops.
 */
export function reconciliationJob(deps: Deps): Job | null {
  const everySec = deps.config.BILLING_RECONCILE_INTERVAL_SEC;
  if (everySec === 0) return null;
  const pool = deps.database.pool;
  const leader = pool ? new AdvisoryLeader(pool, RECONCILE_LEADER) : null;
  return {
    name: "billing_reconciliation",
    everyMs: everySec * 1000,
    run: async () => ((await (leader?.lead() ?? true)) ? runScheduledReconciliation(deps) : null),
    stop: async () => leader?.release(),
  };
}

/**
 * Runs reconciliation every BILLING_RECONCILE_INTERVAL_SEC (0: never); returns a function that
 * stops it and resolves once a run in progress has finished.
 */
export function startReconciliation(deps: Deps): () => Promise<void> {
  const job = reconciliationJob(deps);
  if (!job) return async () => {};
  const jobs = startJobs([job], { logger: deps.logger, metrics: deps.metrics });
  return () => jobs.stop();
}
