// Background work of the tenancy/privacy features, started by startBackgroundJobs (src/deps.ts).
import type { Deps } from "../../ports.ts";
import { truncateExpiredAuditIps } from "../audit/audit-retention.service.ts";
import { sendSecurityNotices } from "../notifications/security-notices.service.ts";
import { deliverDueWebhooks, scanAuditForWebhooks } from "./tenant-webhooks.service.ts";

export interface TenancyJobIntervals {
  /** How often the audit IP-retention job runs (it resumes where it stopped, so runs are cheap). */
  retentionMs: number;
  /** How often the webhook worker scans the audit log and delivers due webhooks. */
  webhooksMs: number;
}

/** The production schedule: retention hourly, webhooks every TENANT_WEBHOOK_POLL_MS. */
export const tenancyJobIntervals = (deps: Pick<Deps, "config">): TenancyJobIntervals => ({
  retentionMs: 3_600_000,
  webhooksMs: deps.config.TENANT_WEBHOOK_POLL_MS,
});

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

/**
 * Starts the audit IP-retention job and the tenant webhook worker (scan new audit rows, then
 * deliver what is due); returns a function that stops them.
 */
export function startTenancyJobs(deps: Deps, intervals: TenancyJobIntervals = tenancyJobIntervals(deps)) {
  const stops = [
    every(deps, "tenant_webhooks", intervals.webhooksMs, async () => {
      const now = deps.now();
      await scanAuditForWebhooks(deps, now);
      await deliverDueWebhooks(deps, { now });
    }),
    // Factor-change notices ride the webhook worker's schedule (both read new audit rows).
    every(deps, "security_notices", intervals.webhooksMs, () => sendSecurityNotices(deps, deps.now())),
    every(deps, "audit_ip_retention", intervals.retentionMs, async () => {
      const truncated = await truncateExpiredAuditIps(deps, deps.now());
      if (truncated > 0) deps.logger.info({ truncated }, "audit IP addresses past retention truncated");
    }),
  ];
  return () => {
    for (const stop of stops) stop();
  };
}
