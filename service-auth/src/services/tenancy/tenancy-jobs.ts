// Background work of the tenancy/privacy features, started by startBackgroundJobs (src/deps.ts).
import { type Job, startJobs } from "@atlas/service-kit";
import type { Deps } from "../../ports.ts";
import { truncateExpiredAuditIps } from "../audit/audit-retention.service.ts";
import { sendSecurityNotices } from "../notifications/security-notices.service.ts";
import { sweepExpiredOidcPayloads } from "../oidc/adapter.ts";
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
 * The audit IP-retention job and the tenant webhook worker (scan new audit rows, then deliver
 * what is due), each run at start and then every interval (startJobs: never two runs of one at
 * once on this instance; failures are logged without secrets or personal data and the next run
 * tries again).
 */
export function tenancyJobs(deps: Deps, intervals: TenancyJobIntervals = tenancyJobIntervals(deps)): Job[] {
  return [
    {
      name: "tenant_webhooks",
      everyMs: intervals.webhooksMs,
      runAtStart: true,
      run: async () => {
        const now = deps.now();
        await scanAuditForWebhooks(deps, now);
        await deliverDueWebhooks(deps, { now });
      },
    },
    // Factor-change notices ride the webhook worker's schedule (both read new audit rows).
    {
      name: "security_notices",
      everyMs: intervals.webhooksMs,
      runAtStart: true,
      run: () => sendSecurityNotices(deps, deps.now()),
    },
    {
      name: "audit_ip_retention",
      everyMs: intervals.retentionMs,
      runAtStart: true,
      run: async () => {
        const truncated = await truncateExpiredAuditIps(deps, deps.now());
        if (truncated > 0) deps.logger.info({ truncated }, "audit IP addresses past retention truncated");
        // The OpenID Provider's expired codes, tokens, sessions and interactions ride this hourly job.
        const swept = await sweepExpiredOidcPayloads(deps);
        if (swept > 0) deps.logger.info({ swept }, "expired OpenID Provider artefacts deleted");
      },
    },
  ];
}

/** Starts {@link tenancyJobs}; returns a function that stops them and resolves once their runs have drained. */
export function startTenancyJobs(
  deps: Deps,
  intervals: TenancyJobIntervals = tenancyJobIntervals(deps),
): () => Promise<void> {
  const jobs = startJobs(tenancyJobs(deps, intervals), { logger: deps.logger, metrics: deps.metrics });
  return () => jobs.stop();
}
