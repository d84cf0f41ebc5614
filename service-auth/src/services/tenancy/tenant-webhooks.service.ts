// Tenant webhooks: auth events POSTed to the tenant's webhookUrl, signed with HMAC-SHA256,
// retried with backoff from a Postgres outbox. Nothing here runs in a login's request: a
// background worker reads new audit rows (by a cursor over createdAt), enqueues the ones
// tenants subscribe to, and delivers them, so a slow or dead receiver never delays a login.
import { createHmac } from "node:crypto";
import type { Prisma } from "../../../generated/prisma/client.ts";
import type { Deps } from "../../ports.ts";
import type { AuditEventType } from "../audit/audit.service.ts";
import { webhookFailures } from "../platform/business-metrics.ts";
import { readJobPosition, saveJobPosition } from "../platform/job-state.ts";
import { signingSecrets } from "./tenant-webhook-secrets.ts";

/**
 * The audit events delivered to tenants (documented in service-auth/docs/tenancy.md). Others
 * (rate limiting, sign-in links requested, key rotation...) stay in the audit log only.
 */
export const WEBHOOK_EVENT_TYPES = [
  "login_success",
  "login_failure",
  "mfa_challenge",
  "mfa_success",
  "mfa_failure",
  "totp_enabled",
  "totp_disabled",
  "backup_codes_regenerated",
  "backup_code_used",
  "refresh_token_reuse",
  "logout",
  "logout_all",
  "session_revoked",
  "pat_created",
  "pat_revoked",
  "device_approved",
  "device_denied",
  "device_token_issued",
  "passkey_added",
  "passkey_removed",
  "identity_linked",
  "identity_unlinked",
  "tenant_updated",
  "webhook_secret_rotated",
  "account_deleted",
  "account_backoff",
  "risk_challenge",
  "risk_denied",
  "new_device",
  "trusted_device_added",
  "trusted_device_revoked",
  "billing_action",
] as const satisfies readonly AuditEventType[];

export const SIGNATURE_HEADER = "Atlas-Signature";
export const WEBHOOK_SCAN_JOB = "tenant_webhook_scan";
/**
 * Each scan re-reads this much of the log before its cursor: an audit row whose transaction
 * commits up to this long after its createdAt (or written by an instance whose clock lags by
 * that much) is still picked up. The unique auditLogId makes re-reading harmless.
 */
export const WEBHOOK_SCAN_OVERLAP_MS = 60_000;
const RETRY_BASE_MS = 10_000;
const RETRY_MAX_MS = 6 * 3_600_000;

type Db = Pick<Deps["prisma"], "$executeRaw"> | Prisma.TransactionClient;

/**
 * Enqueues the webhook of one audit row, if its event type is delivered and its tenant has a
 * webhook URL; idempotent (false when nothing was enqueued). Callers may use it inside the
 * transaction that wrote the audit row; the background scan enqueues every other row.
 *
 * @example
 * await enqueueTenantWebhook(tx, { auditLogId: row.id }, now);
 */
export async function enqueueTenantWebhook(db: Db, event: { auditLogId: string }, now: Date): Promise<boolean> {
  const inserted = await db.$executeRaw`
    INSERT INTO "auth"."auth_tenant_webhook_deliveries"
      (id, "tenantId", "auditLogId", "eventType", status, attempts, "availableAt", "createdAt")
    SELECT gen_random_uuid()::text, a."tenantId", a.id, a."eventType", 'pending', 0, ${now}, ${now}
    FROM "auth"."auth_audit_logs" a JOIN "auth"."auth_tenants" t ON t.id = a."tenantId"
    WHERE a.id = ${event.auditLogId} AND t."webhookUrl" IS NOT NULL
      AND a."eventType" = ANY(${[...WEBHOOK_EVENT_TYPES]}::text[])
    ON CONFLICT ("auditLogId") DO NOTHING`;
  return inserted > 0;
}

/**
 * The scan: enqueues deliverable audit rows written since the last scan (minus
 * {@link WEBHOOK_SCAN_OVERLAP_MS}) up to `now`, for tenants that have a webhook URL, then moves
 * its cursor (`auth_job_states`) to `now`. The first scan starts one overlap before `now`: events
 * older than the feature's first run are not replayed. Returns how many deliveries it enqueued.
 */
export async function scanAuditForWebhooks(deps: Pick<Deps, "prisma">, now: Date): Promise<number> {
  const position = await readJobPosition(deps.prisma, WEBHOOK_SCAN_JOB);
  const since = new Date((position?.at ?? now).getTime() - WEBHOOK_SCAN_OVERLAP_MS);
  const inserted = await deps.prisma.$executeRaw`
    INSERT INTO "auth"."auth_tenant_webhook_deliveries"
      (id, "tenantId", "auditLogId", "eventType", status, attempts, "availableAt", "createdAt")
    SELECT gen_random_uuid()::text, a."tenantId", a.id, a."eventType", 'pending', 0, ${now}, ${now}
    FROM "auth"."auth_audit_logs" a JOIN "auth"."auth_tenants" t ON t.id = a."tenantId"
    WHERE a."createdAt" > ${since} AND a."createdAt" <= ${now} AND t."webhookUrl" IS NOT NULL
      AND a."eventType" = ANY(${[...WEBHOOK_EVENT_TYPES]}::text[])
    ON CONFLICT ("auditLogId") DO NOTHING`;
  if (!position || position.at < now) await saveJobPosition(deps.prisma, WEBHOOK_SCAN_JOB, { at: now, id: "" });
  return inserted;
}

/**
 * The `Atlas-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`,
 * one `v1=` per live secret (two during a rotation's grace period, newest first).
 */
export function signatureHeader(secrets: readonly string[], timestamp: number, body: string): string {
  const signed = `${timestamp}.${body}`;
  return [`t=${timestamp}`, ...secrets.map((s) => `v1=${createHmac("sha256", s).update(signed).digest("hex")}`)].join(
    ",",
  );
}

/** Wait before attempt `attempts + 1`: 10 s, 20 s, 40 s, ... capped at 6 h. */
export function retryDelayMs(attempts: number): number {
  return Math.min(RETRY_BASE_MS * 2 ** Math.max(0, attempts - 1), RETRY_MAX_MS);
}

interface Claimed {
  id: string;
  tenantId: string;
  auditLogId: string;
  eventType: string;
  attempts: number;
}

/** An attempt's result; `final` failures (no URL any more, audit row gone) are parked at once. */
type Outcome = { ok: true; status: number } | { ok: false; status: number | null; error: string; final?: boolean };

export interface DeliveryReport {
  delivered: number;
  retried: number;
  parked: number;
}

/**
 * Delivers due webhooks: claims up to `batchSize` pending rows with `FOR UPDATE SKIP LOCKED`
 * (several instances share the work, none blocks another), pushing their `availableAt` forward
 * by a lease, then POSTs each. 2xx: delivered. Anything else (status, timeout, network error,
 * redirect): retried after {@link retryDelayMs}, parked after TENANT_WEBHOOK_MAX_ATTEMPTS.
 * Delivery is at least once: receivers deduplicate by `Atlas-Event-Id`.
 */
export async function deliverDueWebhooks(
  deps: Pick<Deps, "prisma" | "keyRing" | "config" | "logger" | "fetch" | "metrics">,
  options: { now: Date; fetch?: typeof globalThis.fetch; batchSize?: number },
): Promise<DeliveryReport> {
  const { now } = options;
  const leaseUntil = new Date(now.getTime() + 2 * deps.config.TENANT_WEBHOOK_TIMEOUT_MS);
  const claimed = await deps.prisma.$queryRaw<Claimed[]>`
    UPDATE "auth"."auth_tenant_webhook_deliveries" AS d
    SET attempts = d.attempts + 1, "lastAttemptAt" = ${now}, "availableAt" = ${leaseUntil}
    FROM (
      SELECT id FROM "auth"."auth_tenant_webhook_deliveries"
      WHERE status = 'pending' AND "availableAt" <= ${now}
      ORDER BY "availableAt", id
      LIMIT ${options.batchSize ?? 50}
      FOR UPDATE SKIP LOCKED
    ) AS c
    WHERE d.id = c.id
    RETURNING d.id, d."tenantId", d."auditLogId", d."eventType", d.attempts`;
  const report: DeliveryReport = { delivered: 0, retried: 0, parked: 0 };
  for (const delivery of claimed) {
    const outcome = await attempt(deps, delivery, now, options.fetch ?? deps.fetch);
    if (outcome.ok) {
      await deps.prisma.tenantWebhookDelivery.update({
        where: { id: delivery.id },
        data: { status: "delivered", deliveredAt: now, lastStatus: outcome.status, lastError: null },
      });
      report.delivered += 1;
      continue;
    }
    webhookFailures(deps.metrics).inc({ reason: failureReason(outcome) });
    const park = outcome.final === true || delivery.attempts >= deps.config.TENANT_WEBHOOK_MAX_ATTEMPTS;
    const failure = { lastStatus: outcome.status, lastError: outcome.error };
    if (park) {
      await deps.prisma.tenantWebhookDelivery.update({
        where: { id: delivery.id },
        data: { ...failure, status: "parked", parkedAt: now },
      });
      report.parked += 1;
    } else {
      await deps.prisma.tenantWebhookDelivery.update({
        where: { id: delivery.id },
        data: { ...failure, availableAt: new Date(now.getTime() + retryDelayMs(delivery.attempts)) },
      });
      report.retried += 1;
    }
    deps.logger.warn(
      { deliveryId: delivery.id, tenantId: delivery.tenantId, attempts: delivery.attempts, ...failure, parked: park },
      "tenant webhook not delivered",
    );
  }
  return report;
}

/** The bounded `reason` label of a failed attempt: its status class, timeout, network, or the final cause. */
function failureReason(outcome: { status: number | null; error: string }): string {
  if (outcome.status !== null) return `http_${Math.floor(outcome.status / 100)}xx`;
  return outcome.error.startsWith("network:") ? "network" : outcome.error;
}

/** One POST of one delivery. The body comes from the audit row as it is now. */
async function attempt(
  deps: Pick<Deps, "prisma" | "keyRing" | "config">,
  delivery: Claimed,
  now: Date,
  fetchImpl: typeof globalThis.fetch,
): Promise<Outcome> {
  const tenant = await deps.prisma.tenant.findUnique({ where: { id: delivery.tenantId } });
  if (!tenant?.webhookUrl) return { ok: false, status: null, error: "webhook_url_removed", final: true };
  const row = await deps.prisma.authAuditLog.findUnique({ where: { id: delivery.auditLogId } });
  if (!row) return { ok: false, status: null, error: "audit_row_missing", final: true };
  const body = JSON.stringify({
    id: row.id,
    type: row.eventType,
    createdAt: row.createdAt.toISOString(),
    tenant: { id: tenant.id, slug: tenant.slug },
    data: {
      userId: row.userId,
      ipAddress: row.ipAddress,
      geoLocation: row.geoLocation,
      deviceHash: row.deviceHash,
      riskScore: row.riskScore,
      details: row.details,
    },
  });
  const secrets = await signingSecrets(deps, tenant.id, now);
  if (secrets.length === 0) return { ok: false, status: null, error: "no_signing_secret", final: true };
  const timestamp = Math.floor(now.getTime() / 1000);
  try {
    const res = await fetchImpl(tenant.webhookUrl, {
      method: "POST",
      redirect: "manual",
      signal: AbortSignal.timeout(deps.config.TENANT_WEBHOOK_TIMEOUT_MS),
      headers: {
        "content-type": "application/json",
        "user-agent": "Atlas-Webhooks/1",
        [SIGNATURE_HEADER]: signatureHeader(secrets, timestamp, body),
        "Atlas-Event-Id": row.id,
        "Atlas-Event-Type": row.eventType,
        "Atlas-Delivery-Attempt": String(delivery.attempts),
      },
      body,
    });
    // Only the status matters; the receiver's body is neither read nor stored.
    await res.body?.cancel();
    return res.status >= 200 && res.status < 300
      ? { ok: true, status: res.status }
      : { ok: false, status: res.status, error: `HTTP ${res.status}` };
  } catch (error) {
    const name = error instanceof Error ? error.name : "Error";
    return { ok: false, status: null, error: name === "TimeoutError" ? "timeout" : `network: ${name}` };
  }
}
