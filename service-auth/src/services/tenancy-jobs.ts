// Background work of the tenancy/privacy features, started by startBackgroundJobs (src/deps.ts).
import type { Deps } from "../deps.ts";
import { truncateExpiredAuditIps } from "./audit-retention.service.ts";

export interface TenancyJobIntervals {
  /** How often the audit IP-retention job runs (it resumes where it stopped, so runs are cheap). */
  retentionMs: number;
}

export const DEFAULT_TENANCY_JOB_INTERVALS: TenancyJobIntervals = { retentionMs: 3_600_000 };

/**
 * Runs `job` now and then every `everyMs`, never two runs of it at once on this instance.
 * Failures are logged (without secrets or personal data) and the next run tries again.
 */
function every(deps: Pick<Deps, "logger">, name: string, everyMs: number, job: () => Promise<unknown>): () => void {
  let running = false;
  const run = () => {
    if (running) return;
    running = true;
    job()
      .catch((error: unknown) => deps.logger.error({ err: error, job: name }, "background job failed"))
      .finally(() => {
        running = false;
      });
  };
  const timer = setInterval(run, everyMs);
  timer.unref();
  run();
  return () => clearInterval(timer);
}

/** Starts the audit IP-retention job; returns a function that stops it. */
export function startTenancyJobs(deps: Deps, intervals: TenancyJobIntervals = DEFAULT_TENANCY_JOB_INTERVALS) {
  const stops = [
    every(deps, "audit_ip_retention", intervals.retentionMs, async () => {
      const truncated = await truncateExpiredAuditIps(deps, deps.now());
      if (truncated > 0) deps.logger.info({ truncated }, "audit IP addresses past retention truncated");
    }),
  ];
  return () => {
    for (const stop of stops) stop();
  };
}
