import type { SqlQueryable } from "@atlas/db";
import type { Prisma, PrismaClient } from "../../../generated/prisma/client.ts";
import { geoLabel } from "../login/geo.service.ts";
import type { RequestContext } from "../login/request-context.ts";

/** api.md audit vocabulary (extended as features land). */
export type AuditEventType =
  | "login_success"
  | "login_failure"
  | "refresh_token_reuse"
  | "token_refreshed"
  | "token_revoked"
  | "logout"
  | "logout_all"
  | "session_revoked"
  | "pat_created"
  | "pat_revoked"
  | "device_code_requested"
  | "device_code_failed"
  | "device_approved"
  | "device_denied"
  | "device_token_issued"
  | "rate_limited"
  | "signing_key_rotated"
  | "role_granted"
  | "magic_link_requested"
  | "sms_code_requested"
  | "oauth_started"
  | "account_backoff"
  | "risk_challenge"
  | "risk_denied"
  | "new_device"
  | "mfa_challenge"
  | "mfa_success"
  | "mfa_failure"
  | "totp_enabled"
  | "totp_disabled"
  | "backup_codes_regenerated"
  | "backup_code_used"
  | "trusted_device_added"
  | "trusted_device_revoked"
  | "identity_unlinked"
  | "identity_linked"
  | "passkey_added"
  | "passkey_removed"
  | "connect_account_created"
  | "billing_action"
  | "billing_refund_issued"
  | "connect_application_fee_set"
  | "tenant_created"
  | "tenant_updated"
  | "webhook_secret_rotated"
  | "data_exported"
  | "account_deleted"
  | "outbox_event_retried"
  | "outbox_event_discarded";

export interface AuditEvent {
  eventType: AuditEventType;
  tenantId?: string | null;
  userId?: string | null;
  context?: RequestContext;
  details?: Record<string, unknown>;
}

type Db = Pick<PrismaClient, "authAuditLog"> | Prisma.TransactionClient;

/**
 * The audit writer: append-only (this module has no update or delete). Pass a transaction
 * client to commit the audit row with the change it records. Geolocation and risk score come
 * from the request context (the login's risk assessment sets them).
 */
export async function recordAudit(db: Db, event: AuditEvent, now: Date): Promise<void> {
  await db.authAuditLog.create({
    data: {
      eventType: event.eventType,
      tenantId: event.tenantId ?? null,
      userId: event.userId ?? null,
      ipAddress: event.context?.ipAddress ?? "internal",
      userAgent: event.context?.userAgent ?? null,
      deviceHash: event.context?.deviceHash ?? null,
      geoLocation: geoLabel(event.context?.geo),
      riskScore: event.context?.riskScore ?? 0,
      details: (event.details ?? {}) as Prisma.InputJsonValue,
      createdAt: now,
    },
  });
}

/** The same append-only write as {@link recordAudit}, as raw SQL inside a hot-path transaction. */
export async function recordAuditSql(q: SqlQueryable, event: AuditEvent, now: Date): Promise<void> {
  await q.query(
    `INSERT INTO "auth"."auth_audit_logs"
       (id, "tenantId", "userId", "eventType", "ipAddress", "userAgent", "deviceHash", "geoLocation", "riskScore", details, "createdAt")
     VALUES ($1, $2, $3, $4, $5, $6, $7, $10, $11, $8, $9)`,
    [
      crypto.randomUUID(),
      event.tenantId ?? null,
      event.userId ?? null,
      event.eventType,
      event.context?.ipAddress ?? "internal",
      event.context?.userAgent ?? null,
      event.context?.deviceHash ?? null,
      JSON.stringify(event.details ?? {}),
      now,
      geoLabel(event.context?.geo),
      event.context?.riskScore ?? 0,
    ],
  );
}
