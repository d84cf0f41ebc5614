// The SQL of the paths bench/scaling.ts measures, for EXPLAIN. Raw-SQL statements are copied from
// the services (file named beside each); Prisma `findMany` calls are written as the SELECT Prisma
// sends for them (WHERE of the filters, ORDER BY, LIMIT).

export interface QuerySpec {
  name: string;
  sql: string;
  params: unknown[];
}

export const AUTH_BIG_TABLES = [
  "auth_users",
  "auth_identities",
  "auth_sessions",
  "auth_refresh_token_families",
  "auth_refresh_tokens",
  "auth_audit_logs",
] as const;
export const CLOUD_BIG_TABLES = [
  "cloud_billing_periods",
  "cloud_billing_period_segments",
  "cloud_usage_records",
  "cloud_invoices",
  "cloud_invoice_lines",
] as const;

const AUDIT_COLUMNS = `"id", "tenantId", "userId", "eventType", "ipAddress", "geoLocation", "deviceHash", "riskScore",
  "userAgent", "details", "createdAt"`;
const auditList = (where: string) =>
  `SELECT ${AUDIT_COLUMNS} FROM "auth"."auth_audit_logs" ${where ? `WHERE ${where}` : ""}
   ORDER BY "createdAt" DESC, "id" DESC LIMIT 51`;

/** service-auth/src/services/login/risk.service.ts: failures from the IP in the last 10 minutes. */
const IP_FAILURES: QuerySpec = {
  name: "login: recent failures from the IP (risk.service.ts)",
  sql: `SELECT count(*) FROM "auth"."auth_audit_logs"
    WHERE "eventType" = 'login_failure' AND "ipAddress" = $1 AND "createdAt" > now() - interval '10 minutes'`,
  params: ["10.1.1.7"],
};

/** The refresh, login and logout paths, with a seeded user's rows. */
export function authPathQueries(seeded: { tokenHash: string; userId: string; sessionId: string }): QuerySpec[] {
  return [
    {
      // service-auth/src/services/tokens/refresh.service.ts ROTATE_SQL, its locking read (`cur`)
      name: "refresh: find the presented token with its family, session, user, tenant (refresh.service.ts)",
      sql: `SELECT t.id, t."familyId", t."usedAt", f."revokedAt", s.id, s."expiresAt", u.id, u.roles, tn."jwtAudience"
        FROM "auth"."auth_refresh_tokens" t
        JOIN "auth"."auth_refresh_token_families" f ON f.id = t."familyId"
        JOIN "auth"."auth_sessions" s ON s.id = f."sessionId"
        JOIN "auth"."auth_users" u ON u.id = s."userId"
        JOIN "auth"."auth_tenants" tn ON tn.id = u."tenantId"
        WHERE t."tokenHash" = $1 FOR UPDATE OF t`,
      params: [seeded.tokenHash],
    },
    {
      // service-auth/src/services/login/risk.service.ts: the user's last successful logins
      name: "login: the user's last logins (risk.service.ts)",
      sql: `SELECT "deviceHash", "geoLocation", "createdAt", "details" FROM "auth"."auth_audit_logs"
        WHERE "userId" = $1 AND "eventType" = 'login_success' ORDER BY "createdAt" DESC LIMIT 20`,
      params: [seeded.userId],
    },
    IP_FAILURES,
    {
      // service-auth/src/services/tokens/refresh.service.ts REVOKE_SESSION_SQL (logout)
      name: "logout: revoke the session's refresh tokens (refresh.service.ts)",
      sql: `UPDATE "auth"."auth_refresh_tokens" SET "revokedAt" = now()
        WHERE "familyId" IN (SELECT id FROM "auth"."auth_refresh_token_families" WHERE "sessionId" = $1)
          AND "revokedAt" IS NULL`,
      params: [seeded.sessionId],
    },
  ];
}

/** GET /auth/audit and GET /admin/audit (audit-query.service.ts) and the audit background jobs. */
export function auditQueries(ids: {
  probeUserId: string;
  tenantId: string;
  smallTenant: string;
  cursor: { createdAt: Date; id: string };
}): QuerySpec[] {
  const { probeUserId, tenantId, smallTenant, cursor } = ids;
  return [
    // Risk scoring's count runs on every login: explained again here, on the full audit table.
    { ...IP_FAILURES, name: `${IP_FAILURES.name}, at full audit size` },
    { name: "GET /auth/audit (own events)", sql: auditList(`"userId" = $1`), params: [probeUserId] },
    {
      name: "GET /auth/audit?eventType=login_failure",
      sql: auditList(`"userId" = $1 AND "eventType" = $2`),
      params: [probeUserId, "login_failure"],
    },
    {
      name: "GET /auth/audit, page 2 (cursor)",
      sql: auditList(`"userId" = $1 AND ("createdAt" < $2 OR ("createdAt" = $2 AND "id" < $3))`),
      params: [probeUserId, cursor.createdAt, cursor.id],
    },
    { name: "GET /admin/audit (platform admin, every tenant)", sql: auditList(""), params: [] },
    { name: "GET /admin/audit?tenantId= (large tenant)", sql: auditList(`"tenantId" = $1`), params: [tenantId] },
    { name: "GET /admin/audit?tenantId= (small tenant)", sql: auditList(`"tenantId" = $1`), params: [smallTenant] },
    {
      name: "GET /admin/audit?tenantId=&eventType=login_failure",
      sql: auditList(`"tenantId" = $1 AND "eventType" = $2`),
      params: [tenantId, "login_failure"],
    },
    {
      name: "GET /admin/audit?eventType=login_failure (every tenant)",
      sql: auditList(`"eventType" = $1`),
      params: ["login_failure"],
    },
    {
      name: "GET /admin/audit?tenantId=, page 2 (cursor)",
      sql: auditList(`"tenantId" = $1 AND ("createdAt" < $2 OR ("createdAt" = $2 AND "id" < $3))`),
      params: [tenantId, cursor.createdAt, cursor.id],
    },
    {
      // service-auth/src/services/audit/audit-retention.service.ts, a run that resumes
      name: "audit IP retention job: next batch (audit-retention.service.ts)",
      sql: `SELECT id, "ipAddress", "createdAt" FROM "auth"."auth_audit_logs"
        WHERE "createdAt" < now() - interval '90 days' AND ("createdAt", id) > ($1, $2)
        ORDER BY "createdAt", id LIMIT 1000`,
      params: [new Date(Date.now() - 120 * 86_400_000), ""],
    },
    {
      // service-auth/src/services/tenancy/tenant-webhooks.service.ts scanAuditForWebhooks (every 2 s)
      name: "tenant webhook scan (tenant-webhooks.service.ts, every 2 s)",
      sql: `SELECT a.id FROM "auth"."auth_audit_logs" a JOIN "auth"."auth_tenants" t ON t.id = a."tenantId"
        WHERE a."createdAt" > now() - interval '12 seconds' AND a."createdAt" <= now() AND t."webhookUrl" IS NOT NULL
          AND a."eventType" = ANY($1::text[])`,
      params: [["login_success", "login_failure"]],
    },
  ];
}

/** cloud-api invoice finalization (finalize-invoice.ts, price-period.ts, entitlements.ts usageTotals). */
export function invoiceQueries(ids: { periodId: string; tenantId: string; userId: string; from: Date; to: Date }) {
  return [
    {
      name: "finalizeDueInvoices: due periods",
      sql: `SELECT "id" FROM "cloud"."cloud_billing_periods"
        WHERE "invoiceId" IS NULL AND "periodEnd" <= $1
          AND to_timestamp(ceil(extract(epoch FROM "periodEnd") / 3600) * 3600) <= $1
        ORDER BY "periodEnd", "id" LIMIT 1000`,
      params: [new Date()],
    },
    {
      name: "finalizeInvoice: lock the period",
      sql: `SELECT "id", "invoiceId" FROM "cloud"."cloud_billing_periods" WHERE "id" = $1 FOR UPDATE`,
      params: [ids.periodId],
    },
    {
      name: "pricePeriod: the period's segments (periods.ts)",
      sql: `SELECT "planId", "collection", "startsAt", "endsAt" FROM "cloud"."cloud_billing_period_segments"
        WHERE "periodId" = $1 ORDER BY "startsAt"`,
      params: [ids.periodId],
    },
    {
      name: "pricePeriod: usage totals of the segment (entitlements.ts usageTotals)",
      sql: `SELECT "metric", sum("value")::text AS total FROM "cloud"."cloud_usage_records"
        WHERE "tenantId" = $1 AND "userId" = $2 AND "hourStart" >= $3 AND "hourStart" < $4 GROUP BY "metric"`,
      params: [ids.tenantId, ids.userId, ids.from, ids.to],
    },
  ] satisfies QuerySpec[];
}
