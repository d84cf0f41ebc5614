import { type Queryable, sqlOf } from "@atlas/db";
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
  | "outbox_event_discarded"
  | "oidc_consent_granted"
  | "oidc_consent_revoked"
  | "oidc_client_created"
  | "oidc_client_updated"
  | "oidc_client_secret_rotated"
  | "oidc_client_deleted"
  | "oidc_token_issued";

export interface AuditEvent {
  eventType: AuditEventType;
  tenantId?: string | null;
  userId?: string | null;
  context?: RequestContext;
  details?: Record<string, unknown>;
}

const INSERT_AUDIT = `
  INSERT INTO "auth"."auth_audit_logs"
    (id, "tenantId", "userId", "eventType", "ipAddress", "userAgent", "deviceHash", "geoLocation", "riskScore", details, "createdAt")
  VALUES (gen_random_uuid()::text, $1, $2, $3, $4, $5, $6, $7, $8::double precision, $9::jsonb, $10::timestamptz)`;

/**
 * The audit writer, the only one: append-only (this module has no update or delete), one INSERT.
 * `db` is whatever the caller's change runs on, so the audit row commits with the change it
 * records: a Prisma client or transaction, the pool, or a raw-SQL transaction of the hot paths.
 * Geolocation and risk score come from the request context (the login's risk assessment sets them).
 *
 * @example
 * await prisma.$transaction(async (tx) => { ...; await recordAudit(tx, { eventType: "totp_enabled", userId }, now); });
 */
export async function recordAudit(db: Queryable, event: AuditEvent, now: Date): Promise<void> {
  await sqlOf(db).query(INSERT_AUDIT, [
    event.tenantId ?? null,
    event.userId ?? null,
    event.eventType,
    event.context?.ipAddress ?? "internal",
    event.context?.userAgent ?? null,
    event.context?.deviceHash ?? null,
    geoLabel(event.context?.geo),
    event.context?.riskScore ?? 0,
    JSON.stringify(event.details ?? {}),
    now,
  ]);
}
