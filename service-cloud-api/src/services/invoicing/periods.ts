import { randomUUID } from "node:crypto";
import type { SqlQueryable } from "@atlas/db";
import type { Collection } from "../plans.ts";
import type { Owner } from "../storage.ts";

/** One plan in force within a billing period: [startsAt, endsAt ?? the period's end). */
export interface PeriodSegment {
  planId: string;
  collection: Collection;
  startsAt: Date;
  endsAt: Date | null;
}

const clamp = (t: Date, lo: Date, hi: Date) => new Date(Math.min(Math.max(t.getTime(), lo.getTime()), hi.getTime()));

/**
 * Records the period a `subscription.updated` announces and the plan segment in force from
 * `effectiveAt` (the event's time) on:
 * - a new period opens with one segment from its start;
 * - a plan or fee-collection change within a known period closes the open segment at
 *   `effectiveAt` (clamped into the period) and opens the next; an unchanged plan (a renewal's
 *   status change, a retry) leaves the segments alone, so a plan that stays whole bills whole;
 * - a new period that starts before an uninvoiced older one ends (a cycle reset) closes the
 *   older one at the new start: no hour is billed in two periods.
 * An invoiced period never changes.
 */
export async function recordPeriodSegment(
  tx: SqlQueryable,
  p: {
    tenantId: string;
    userId: string;
    subscriptionId: string;
    planId: string;
    currentPeriodStart: string;
    currentPeriodEnd: string;
  },
  collection: Collection,
  effectiveAt: Date,
  now: Date,
): Promise<void> {
  const start = new Date(p.currentPeriodStart);
  const end = new Date(p.currentPeriodEnd);
  const [period] = await tx.query<{ id: string; inserted: boolean }>(
    `INSERT INTO "cloud"."cloud_billing_periods" ("id", "tenantId", "userId", "subscriptionId", "planId",
       "periodStart", "periodEnd", "collection", "createdAt", "updatedAt")
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
     ON CONFLICT ("tenantId", "userId", "periodStart") DO UPDATE SET
       "subscriptionId" = EXCLUDED."subscriptionId", "planId" = EXCLUDED."planId",
       "periodEnd" = EXCLUDED."periodEnd", "scheduledEnd" = NULL, "collection" = EXCLUDED."collection",
       "updatedAt" = EXCLUDED."updatedAt"
     WHERE "cloud_billing_periods"."invoiceId" IS NULL
     RETURNING "id", (xmax = 0) AS inserted`,
    [randomUUID(), p.tenantId, p.userId, p.subscriptionId, p.planId, start, end, collection, now],
  );
  if (!period) return;
  if (period.inserted) {
    await tx.query(
      `UPDATE "cloud"."cloud_billing_periods" SET "scheduledEnd" = coalesce("scheduledEnd", "periodEnd"),
         "periodEnd" = $3, "updatedAt" = $4
       WHERE "tenantId" = $1 AND "userId" = $2 AND "invoiceId" IS NULL AND "periodStart" < $3 AND "periodEnd" > $3`,
      [p.tenantId, p.userId, start, now],
    );
  }
  const [open] = await tx.query<{ id: string; planId: string; collection: string; startsAt: Date }>(
    `SELECT "id", "planId", "collection", "startsAt" FROM "cloud"."cloud_billing_period_segments"
      WHERE "periodId" = $1 AND "endsAt" IS NULL FOR UPDATE`,
    [period.id],
  );
  if (!open) {
    await insertSegment(tx, period.id, p.planId, collection, start, now);
    return;
  }
  if (open.planId === p.planId && open.collection === collection) return;
  const at = clamp(effectiveAt, start, end);
  if (at <= open.startsAt) {
    // The change takes effect where the open segment starts: it replaces that plan outright.
    await tx.query(
      `UPDATE "cloud"."cloud_billing_period_segments" SET "planId" = $2, "collection" = $3 WHERE "id" = $1`,
      [open.id, p.planId, collection],
    );
    return;
  }
  await tx.query(`UPDATE "cloud"."cloud_billing_period_segments" SET "endsAt" = $2 WHERE "id" = $1`, [open.id, at]);
  await insertSegment(tx, period.id, p.planId, collection, at, now);
}

async function insertSegment(
  tx: SqlQueryable,
  periodId: string,
  planId: string,
  collection: Collection,
  startsAt: Date,
  now: Date,
) {
  await tx.query(
    `INSERT INTO "cloud"."cloud_billing_period_segments" ("id", "periodId", "planId", "collection", "startsAt", "endsAt", "createdAt")
     VALUES ($1, $2, $3, $4, $5, NULL, $6)`,
    [randomUUID(), periodId, planId, collection, startsAt, now],
  );
}

/**
 * A cancellation ends the subscription's uninvoiced period at `canceledAt`: the period is
 * invoiced after that (its fee and allowances prorated over the announced length), and a period
 * that had not started yet is dropped. A resubscription then opens a new period from its own
 * start, so no usage hour is billed twice.
 */
export async function closePeriodsAt(
  tx: SqlQueryable,
  owner: Owner,
  subscriptionId: string,
  canceledAt: Date,
  now: Date,
): Promise<void> {
  await tx.query(
    `DELETE FROM "cloud"."cloud_billing_periods"
      WHERE "tenantId" = $1 AND "userId" = $2 AND "subscriptionId" = $3 AND "invoiceId" IS NULL AND "periodStart" >= $4`,
    [owner.tenantId, owner.userId, subscriptionId, canceledAt],
  );
  await tx.query(
    `UPDATE "cloud"."cloud_billing_periods" SET "scheduledEnd" = coalesce("scheduledEnd", "periodEnd"),
       "periodEnd" = $4, "updatedAt" = $5
     WHERE "tenantId" = $1 AND "userId" = $2 AND "subscriptionId" = $3 AND "invoiceId" IS NULL
       AND "periodStart" < $4 AND "periodEnd" > $4`,
    [owner.tenantId, owner.userId, subscriptionId, canceledAt, now],
  );
}

/** A period's segments in time order (for pricing it). */
export async function segmentsOf(db: SqlQueryable, periodId: string): Promise<PeriodSegment[]> {
  return db.query<PeriodSegment>(
    `SELECT "planId", "collection", "startsAt", "endsAt" FROM "cloud"."cloud_billing_period_segments"
      WHERE "periodId" = $1 ORDER BY "startsAt"`,
    [periodId],
  );
}
