// E-mail notices of changed sign-in factors (ASVS 2.5.5): when a passkey, TOTP, backup codes or a
// linked identity is added, removed or replaced, the account's address hears about it, so a
// takeover that adds its own factor does not go unnoticed.
//
// The notices are sent by a background job reading the audit log, never inside the transaction
// that made the change: a rolled-back change sends nothing, and a slow mail provider never holds
// a login or settings request. One instance at a time holds the job's advisory lock; the cursor
// (auth_job_states) moves past each notice once it is sent, so a crash resends at most the
// notice in flight, and a provider outage delays notices without losing them.
import type { Deps } from "../../ports.ts";
import type { AuditEventType } from "../audit/audit.service.ts";
import { readJobPosition, saveJobPosition } from "../platform/job-state.ts";
import { securityNoticeMail } from "./templates.ts";

export const SECURITY_NOTICE_JOB = "security_notices";

/** Audit events that change how the account can be signed in to, and what the notice says. */
export const FACTOR_CHANGE_NOTICES: Partial<Record<AuditEventType, string>> = {
  passkey_added: "A passkey was added to your account.",
  passkey_removed: "A passkey was removed from your account.",
  totp_enabled: "An authenticator app (two-factor authentication) was turned on for your account.",
  totp_disabled: "Two-factor authentication with an authenticator app was turned off for your account.",
  backup_codes_regenerated: "New backup codes were created for your account; the old ones no longer work.",
  identity_linked: "A new sign-in method was linked to your account.",
  identity_unlinked: "A sign-in method was removed from your account.",
};

/**
 * How far behind `now` the job reads: an audit row is written inside its change's transaction
 * with that transaction's clock, and may commit up to this much later (transactions time out
 * sooner). Reading only older rows means a cursor never passes a row that is not visible yet.
 */
export const SECURITY_NOTICE_LAG_MS = 60_000;
const BATCH = 100;

interface NoticeRow {
  id: string;
  createdAt: Date;
  eventType: AuditEventType;
  email: string | null;
  tenantName: string;
  ipAddress: string;
  geoLocation: string | null;
  userAgent: string | null;
}

/**
 * Sends the notices of factor changes recorded since the job's cursor (up to `now` minus
 * {@link SECURITY_NOTICE_LAG_MS}); answers how many were sent. Another instance running it
 * at the same moment makes this run a no-op. The first run starts at that bound: changes made
 * before the feature existed are not announced.
 */
export async function sendSecurityNotices(deps: Pick<Deps, "prisma" | "email" | "logger">, now: Date): Promise<number> {
  const until = new Date(now.getTime() - SECURITY_NOTICE_LAG_MS);
  return deps.prisma.$transaction(
    async (tx) => {
      const [lock] = await tx.$queryRaw<{ locked: boolean }[]>`
        SELECT pg_try_advisory_xact_lock(hashtext(${SECURITY_NOTICE_JOB})) AS locked`;
      if (!lock?.locked) return 0;
      const position = await readJobPosition(tx, SECURITY_NOTICE_JOB);
      if (!position) {
        await saveJobPosition(tx, SECURITY_NOTICE_JOB, { at: until, id: "" });
        return 0;
      }
      const rows = await tx.$queryRaw<NoticeRow[]>`
        SELECT a.id, a."createdAt", a."eventType", u.email, t.name AS "tenantName",
               a."ipAddress", a."geoLocation", a."userAgent"
          FROM "auth"."auth_audit_logs" a
          JOIN "auth"."auth_users" u ON u.id = a."userId"
          JOIN "auth"."auth_tenants" t ON t.id = u."tenantId"
         WHERE a."eventType" = ANY(${Object.keys(FACTOR_CHANGE_NOTICES)}::text[])
           AND (a."createdAt", a.id) > (${position.at}, ${position.id})
           AND a."createdAt" <= ${until}
         ORDER BY a."createdAt", a.id
         LIMIT ${BATCH}`;
      let sent = 0;
      for (const row of rows) {
        if (row.email) {
          const mail = securityNoticeMail({
            tenantName: row.tenantName,
            notice: FACTOR_CHANGE_NOTICES[row.eventType] ?? "",
            at: row.createdAt,
            from: row.geoLocation ? `${row.ipAddress}, near ${row.geoLocation}` : row.ipAddress,
            device: row.userAgent,
          });
          try {
            await deps.email.send({ to: row.email, ...mail });
          } catch (error) {
            // Stop here: the cursor stays before this notice, the next run sends it.
            deps.logger.warn(
              { err: error instanceof Error ? error.message : String(error) },
              "security notice not sent",
            );
            break;
          }
          sent += 1;
        }
        await saveJobPosition(tx, SECURITY_NOTICE_JOB, { at: row.createdAt, id: row.id });
      }
      if (rows.length < BATCH && sent === rows.filter((r) => r.email).length) {
        const last = rows.at(-1);
        // Nothing more to read up to `until`: the cursor may move there (keeping the last id at that instant).
        if (!last || last.createdAt < until) await saveJobPosition(tx, SECURITY_NOTICE_JOB, { at: until, id: "" });
      }
      return sent;
    },
    { timeout: 60_000, maxWait: 10_000 },
  );
}
