// Bulk data for bench/scaling.ts, written with INSERT … SELECT generate_series into the real
// tables (the services' migrations made them: every NOT NULL, unique key and foreign key holds).
// Ids are deterministic (md5 of a label and the row number, as a UUID), so a later batch can
// refer to an earlier one and a larger size extends a smaller one.
import type pg from "pg";

/** Rows per statement: each batch is its own transaction, so progress shows and WAL stays bounded. */
const BATCH = 250_000;

async function inBatches(
  db: pg.Client,
  label: string,
  from: number,
  to: number,
  sql: string,
  extra: unknown[] = [],
): Promise<number> {
  const t0 = performance.now();
  for (let lo = from; lo < to; lo += BATCH) {
    const hi = Math.min(to, lo + BATCH);
    await db.query(sql, [lo, hi - 1, ...extra]);
    process.stdout.write(`\r  ${label}: ${hi.toLocaleString("en")} / ${to.toLocaleString("en")}   `);
  }
  process.stdout.write("\n");
  return performance.now() - t0;
}

/**
 * Users `from..to-1` of `tenantId`, each with an e-mail identity, one live session, its refresh
 * family and its current refresh token (a SHA-256 of a secret nobody holds: the bench never
 * presents these; they are the data the live requests have to find their rows among).
 */
export async function seedUsers(db: pg.Client, tenantId: string, from: number, to: number): Promise<number> {
  const uid = `md5('u' || i)::uuid::text`;
  let ms = 0;
  ms += await inBatches(
    db,
    "users",
    from,
    to,
    `INSERT INTO "auth"."auth_users" ("id", "tenantId", "email", "emailVerifiedAt", "createdAt", "updatedAt")
     SELECT ${uid}, $3, 'scale' || i || '@bench.example', now(), now() - i * interval '1 second', now()
       FROM generate_series($1::int, $2::int) AS i`,
    [tenantId],
  );
  ms += await inBatches(
    db,
    "identities",
    from,
    to,
    `INSERT INTO "auth"."auth_identities" ("id", "tenantId", "userId", "provider", "subject", "createdAt")
     SELECT md5('i' || i)::uuid::text, $3, ${uid}, 'email', 'scale' || i || '@bench.example', now()
       FROM generate_series($1::int, $2::int) AS i`,
    [tenantId],
  );
  ms += await inBatches(
    db,
    "sessions",
    from,
    to,
    `INSERT INTO "auth"."auth_sessions" ("id", "tenantId", "userId", "amr", "ipAddress", "userAgent", "createdAt",
        "lastSeenAt", "expiresAt")
     SELECT md5('s' || i)::uuid::text, $3, ${uid}, ARRAY['email'], '10.' || (i % 250) || '.' || (i % 199) || '.7',
            'bench', now() - interval '1 hour', now(), now() + interval '30 days'
       FROM generate_series($1::int, $2::int) AS i`,
    [tenantId],
  );
  ms += await inBatches(
    db,
    "refresh families",
    from,
    to,
    `INSERT INTO "auth"."auth_refresh_token_families" ("id", "sessionId", "createdAt")
     SELECT md5('f' || i)::uuid::text, md5('s' || i)::uuid::text, now() - interval '1 hour'
       FROM generate_series($1::int, $2::int) AS i`,
  );
  ms += await inBatches(
    db,
    "refresh tokens",
    from,
    to,
    `INSERT INTO "auth"."auth_refresh_tokens" ("id", "familyId", "tokenHash", "createdAt", "expiresAt")
     SELECT md5('r' || i)::uuid::text, md5('f' || i)::uuid::text, encode(sha256(('bench-rt-' || i)::bytea), 'hex'),
            now() - interval '1 hour', now() + interval '7 days'
       FROM generate_series($1::int, $2::int) AS i`,
  );
  await db.query(
    `ANALYZE "auth"."auth_users", "auth"."auth_identities", "auth"."auth_sessions", "auth"."auth_refresh_token_families", "auth"."auth_refresh_tokens"`,
  );
  return ms;
}

/** The audit event types the rows cycle through (AuditEventType), most of them logins. */
const EVENT_TYPES = [
  "login_success",
  "login_success",
  "login_success",
  "login_failure",
  "token_revoked",
  "identity_linked",
  "pat_created",
  "account_backoff",
];

/**
 * `count` audit rows over the last 90 days (newest last): half in `tenantId`, the rest spread
 * over 49 other tenant ids (one of them, `smallTenant`, gets 1 row in 1,000); user ids from the
 * seeded users (`users`), except every 1,000th row, which belongs to `probeUserId` (a real
 * account the bench logs in as).
 */
export async function seedAudit(
  db: pg.Client,
  opts: { count: number; tenantId: string; smallTenant: string; users: number; probeUserId: string },
): Promise<number> {
  const ms = await inBatches(
    db,
    "audit rows",
    0,
    opts.count,
    `INSERT INTO "auth"."auth_audit_logs" ("id", "tenantId", "userId", "eventType", "ipAddress", "riskScore",
        "userAgent", "details", "createdAt")
     SELECT md5('a' || i)::uuid::text,
            CASE WHEN i % 2 = 0 THEN $3 WHEN i % 1000 = 1 THEN $4 ELSE md5('t' || (i % 48))::uuid::text END,
            CASE WHEN i % 1000 = 0 THEN $6 ELSE md5('u' || (i % $5::int))::uuid::text END,
            ($7::text[])[1 + (i % ${EVENT_TYPES.length})],
            '10.' || (i % 250) || '.' || (i % 199) || '.7', 0, 'bench', '{"method":"email"}'::jsonb,
            now() - (($8::int - i)::float8 / $8::int) * interval '90 days'
       FROM generate_series($1::int, $2::int) AS i`,
    [opts.tenantId, opts.smallTenant, opts.users, opts.probeUserId, EVENT_TYPES, opts.count],
  );
  await db.query(`ANALYZE "auth"."auth_audit_logs"`);
  return ms;
}

/**
 * `customers` ended billing periods of `tenantId` (last month, one plan segment each, pro or
 * free alternately), each with `hours` hourly usage records of three metrics in the period.
 */
export async function seedInvoicing(
  db: pg.Client,
  opts: { tenantId: string; customers: number; hours: number; periodStart: Date; periodEnd: Date },
): Promise<number> {
  let ms = 0;
  ms += await inBatches(
    db,
    "billing periods",
    0,
    opts.customers,
    `INSERT INTO "cloud"."cloud_billing_periods" ("id", "tenantId", "userId", "subscriptionId", "planId", "periodStart",
        "periodEnd", "collection", "createdAt", "updatedAt")
     SELECT md5('p' || i)::uuid::text, $3, md5('c' || i)::uuid::text, 'sub_scale_' || i,
            CASE WHEN i % 2 = 0 THEN 'pro' ELSE 'free' END, $4, $5, 'invoice', $4, $4
       FROM generate_series($1::int, $2::int) AS i`,
    [opts.tenantId, opts.periodStart, opts.periodEnd],
  );
  ms += await inBatches(
    db,
    "period segments",
    0,
    opts.customers,
    `INSERT INTO "cloud"."cloud_billing_period_segments" ("id", "periodId", "planId", "collection", "startsAt", "createdAt")
     SELECT md5('g' || i)::uuid::text, md5('p' || i)::uuid::text, CASE WHEN i % 2 = 0 THEN 'pro' ELSE 'free' END,
            'invoice', $3, $3
       FROM generate_series($1::int, $2::int) AS i`,
    [opts.periodStart],
  );
  // One batch = BATCH / (3 × hours) customers, so a statement stays near BATCH rows.
  const perBatch = Math.max(1, Math.floor(BATCH / (3 * opts.hours)));
  const t0 = performance.now();
  for (let lo = 0; lo < opts.customers; lo += perBatch) {
    const hi = Math.min(opts.customers, lo + perBatch) - 1;
    await db.query(
      `INSERT INTO "cloud"."cloud_usage_records" ("tenantId", "userId", "metric", "hourStart", "value", "updatedAt")
       SELECT $3, md5('c' || i)::uuid::text, m, $4::timestamptz + h * interval '1 hour',
              CASE m WHEN 'requests' THEN 400 + i % 50 WHEN 'transfer_out_bytes' THEN 3000000 ELSE 1000000000 END,
              $4::timestamptz + h * interval '1 hour'
         FROM generate_series($1::int, $2::int) AS i, generate_series(0, $5::int - 1) AS h,
              unnest(ARRAY['requests', 'transfer_out_bytes', 'storage_byte_hours']) AS m`,
      [lo, hi, opts.tenantId, opts.periodStart, opts.hours],
    );
    process.stdout.write(`\r  usage records: customers ${(hi + 1).toLocaleString("en")} / ${opts.customers}   `);
  }
  process.stdout.write("\n");
  ms += performance.now() - t0;
  await db.query(
    `ANALYZE "cloud"."cloud_billing_periods", "cloud"."cloud_billing_period_segments", "cloud"."cloud_usage_records"`,
  );
  return ms;
}
