import type { SqlQueryable } from "@atlas/db";
import { addUsage, byteHoursByHour, hourStartOf, type UsageDelta } from "./metering.ts";

export interface Owner {
  tenantId: string;
  userId: string;
}

export interface StorageRow {
  bytes: number;
  objects: number;
  accruedAt: Date;
}

/**
 * Locks the customer's storage row (creating it at zero), the one lock every object change of
 * that customer takes: puts and deletes of one customer apply one at a time, so the running
 * total and the quota check can never race.
 */
export async function lockStorage(tx: SqlQueryable, owner: Owner, now: Date): Promise<StorageRow> {
  await tx.query(
    `INSERT INTO "cloud"."cloud_storage_usage" ("tenantId", "userId", "bytes", "objects", "accruedAt")
     VALUES ($1, $2, 0, 0, $3) ON CONFLICT DO NOTHING`,
    [owner.tenantId, owner.userId, now],
  );
  const [row] = await tx.query<{ bytes: string; objects: number; accruedAt: Date }>(
    `SELECT "bytes", "objects", "accruedAt" FROM "cloud"."cloud_storage_usage"
      WHERE "tenantId" = $1 AND "userId" = $2 FOR UPDATE`,
    [owner.tenantId, owner.userId],
  );
  if (!row) throw new Error("storage row vanished under its lock");
  return { bytes: Number(row.bytes), objects: row.objects, accruedAt: row.accruedAt };
}

/** The byte-hours of `bytes` held since `from`, as usage rows of the customer. */
export function storageDeltas(owner: Owner, bytes: number, from: Date, to: Date): UsageDelta[] {
  return byteHoursByHour(bytes, from.getTime(), to.getTime()).map((h) => ({
    ...owner,
    metric: "storage_byte_hours" as const,
    hourStart: h.hourStart,
    value: h.value,
  }));
}

/**
 * Sets a locked storage row to its new totals, first accruing the byte-hours of the old total
 * up to `now` (in the same transaction: stored bytes are metered exactly, not sampled), and
 * records the level in the hour of `now` (see {@link recordLevel}).
 */
export async function setStorage(
  tx: SqlQueryable,
  owner: Owner,
  before: StorageRow,
  after: { bytes: number; objects: number },
  now: Date,
): Promise<void> {
  if (now > before.accruedAt) await addUsage(tx, storageDeltas(owner, before.bytes, before.accruedAt, now), now);
  await tx.query(
    `UPDATE "cloud"."cloud_storage_usage" SET "bytes" = $3, "objects" = $4, "accruedAt" = GREATEST("accruedAt", $5)
      WHERE "tenantId" = $1 AND "userId" = $2`,
    [owner.tenantId, owner.userId, after.bytes, after.objects, now],
  );
  await recordLevel(tx, owner, before.bytes, after.bytes, now);
}

/**
 * The level of bytes stored in the hour of `at` (`cloud_storage_levels`): its peak is the highest
 * of the level the hour started with (`before`, carried from the last change) and every level it
 * reached; its end is the latest. Called under the customer's storage lock.
 */
export async function recordLevel(tx: SqlQueryable, owner: Owner, before: number, after: number, at: Date) {
  await tx.query(
    `INSERT INTO "cloud"."cloud_storage_levels" ("tenantId", "userId", "hourStart", "peakBytes", "endBytes")
     VALUES ($1, $2, $3, GREATEST($4::bigint, $5::bigint), $5)
     ON CONFLICT ("tenantId", "userId", "hourStart") DO UPDATE
       SET "peakBytes" = GREATEST("cloud_storage_levels"."peakBytes", EXCLUDED."endBytes"), "endBytes" = EXCLUDED."endBytes"`,
    [owner.tenantId, owner.userId, new Date(hourStartOf(at.getTime())), before, after],
  );
}

/**
 * Accrues storage byte-hours up to `now` for customers holding bytes (the periodic job, so idle
 * storage is counted too). Rows are claimed with SKIP LOCKED in batches of `batchSize`: several
 * instances can run it at once, and an object change in progress is not waited for (it accrues
 * that customer itself). Resolves with the number of customers accrued.
 */
export async function accrueStorage(
  db: { transaction<T>(fn: (q: SqlQueryable) => Promise<T>): Promise<T> },
  now: Date,
  batchSize = 1_000,
): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await db.transaction(async (tx) => {
      const rows = await tx.query<{ tenantId: string; userId: string; bytes: string; accruedAt: Date }>(
        `WITH due AS (
           SELECT "tenantId", "userId", "bytes", "accruedAt" FROM "cloud"."cloud_storage_usage"
            WHERE "bytes" > 0 AND "accruedAt" < $1
            ORDER BY "tenantId", "userId" LIMIT $2 FOR UPDATE SKIP LOCKED)
         UPDATE "cloud"."cloud_storage_usage" s SET "accruedAt" = $1
           FROM due WHERE s."tenantId" = due."tenantId" AND s."userId" = due."userId"
         RETURNING due."tenantId", due."userId", due."bytes", due."accruedAt"`,
        [now, batchSize],
      );
      const deltas = rows.flatMap((r) => storageDeltas(r, Number(r.bytes), r.accruedAt, now));
      await addUsage(tx, deltas, now);
      return rows.length;
    });
    total += n;
    if (n < batchSize) return total;
  }
}
