import { randomUUID } from "node:crypto";
import type { BillingEventPayload } from "@atlas/billing-events";
import type { SqlQueryable } from "@atlas/db";
import { PoisonEventError } from "@atlas/outbox";
import { closePeriodsAt, recordPeriodSegment } from "./invoicing/periods.ts";
import {
  type BillingMetric,
  type Collection,
  FREE_PLAN_ID,
  isKnownPlan,
  type Plan,
  type PlanLimits,
  planById,
} from "./plans.ts";
import type { Owner } from "./storage.ts";

interface EntitlementRow {
  planId: string;
  status: string;
  limits: PlanLimits;
  subscriptionId: string | null;
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  collection: Collection;
  sourceEventAt: Date;
}

/** The plan in force for a customer now, as every check and the entitlements endpoint see it. */
export interface Entitlement extends Owner {
  /** The subscribed plan (free without a subscription or after cancellation). */
  planId: string;
  /** Subscription status from the billing side; `none` without a subscription. */
  status: string;
  subscriptionId: string | null;
  /** Whose usage allowance and overage prices apply (free while canceled or unpaid). */
  pricing: Plan;
  limits: PlanLimits;
  collection: Collection;
  cancelAtPeriodEnd: boolean;
  /** The billing period containing now: the subscription's, or the calendar month (UTC). */
  periodStart: Date;
  periodEnd: Date;
  /** Payment trouble: the billing side says past_due/unpaid. */
  pastDue: boolean;
}

const monthStart = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
/**
 * `d` plus `n` calendar months (UTC) on day `anchorDay` (default: d's day), clamped to the
 * target month's last day as Stripe's billing_cycle_anchor does: Jan 31 + 1 month = Feb 28 (29 in
 * a leap year), and with the anchor day kept, Feb 28 + 1 month on day 31 = Mar 31. The day lost
 * in a short month comes back in the next long one.
 */
export function addMonths(d: Date, n: number, anchorDay = d.getUTCDate()): Date {
  const months = d.getUTCFullYear() * 12 + d.getUTCMonth() + n;
  const year = Math.floor(months / 12);
  const month = months - year * 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(
    Date.UTC(
      year,
      month,
      Math.min(anchorDay, lastDay),
      d.getUTCHours(),
      d.getUTCMinutes(),
      d.getUTCSeconds(),
      d.getUTCMilliseconds(),
    ),
  );
}

/**
 * The period containing `now`, rolled forward by months past a known period's end (the renewal
 * event may not have arrived yet: the next periods are assumed to follow). The billing anchor's
 * day is the larger day of the known period's bounds (a Jan 31 anchor shows as Feb 28 → Mar 31),
 * and each later end is counted from the known end with that day, month-end clamped.
 */
export function periodAt(
  row: Pick<EntitlementRow, "status" | "currentPeriodStart" | "currentPeriodEnd"> | null,
  now: Date,
): { start: Date; end: Date } {
  if (!row?.currentPeriodStart || !row.currentPeriodEnd || row.status === "canceled") {
    const start = monthStart(now);
    return { start, end: addMonths(start, 1) };
  }
  const known = row.currentPeriodEnd;
  if (now < known) return { start: row.currentPeriodStart, end: known };
  const day = Math.max(row.currentPeriodStart.getUTCDate(), known.getUTCDate());
  let k = 1;
  while (now >= addMonths(known, k, day)) k += 1;
  return { start: k === 1 ? known : addMonths(known, k - 1, day), end: addMonths(known, k, day) };
}

/** Derives the entitlement in force at `now` from the stored row (null: never subscribed). */
export function entitlementOf(owner: Owner, row: EntitlementRow | null, now: Date): Entitlement {
  const free = planById(FREE_PLAN_ID);
  const period = periodAt(row, now);
  if (!row || row.status === "canceled") {
    return {
      ...owner,
      planId: FREE_PLAN_ID,
      status: row ? "canceled" : "none",
      subscriptionId: row?.subscriptionId ?? null,
      pricing: free,
      limits: free.limits,
      collection: "invoice",
      cancelAtPeriodEnd: false,
      periodStart: period.start,
      periodEnd: period.end,
      pastDue: false,
    };
  }
  const plan = planById(row.planId);
  // Only a paid (or trialing, or in its grace period) subscription grants its plan. Unpaid after
  // the grace period, or not paid yet (`incomplete`): the free plan's pricing and limits, whatever
  // limits an event carried (no overage is billed to a customer who does not pay).
  const grantsPlan = row.status === "active" || row.status === "trialing" || row.status === "past_due";
  const pricing = grantsPlan ? plan : free;
  return {
    ...owner,
    planId: row.planId,
    status: row.status,
    subscriptionId: row.subscriptionId,
    pricing,
    limits: grantsPlan ? row.limits : free.limits,
    collection: row.collection,
    cancelAtPeriodEnd: row.cancelAtPeriodEnd,
    periodStart: period.start,
    periodEnd: period.end,
    pastDue: row.status === "past_due" || row.status === "unpaid",
  };
}

const ROW_COLUMNS = `"planId", "status", "limits", "subscriptionId", "currentPeriodStart", "currentPeriodEnd",
  "cancelAtPeriodEnd", "collection", "sourceEventAt"`;

export async function loadEntitlement(db: SqlQueryable, owner: Owner, now: Date): Promise<Entitlement> {
  const [row] = await db.query<EntitlementRow>(
    `SELECT ${ROW_COLUMNS} FROM "cloud"."cloud_entitlements" WHERE "tenantId" = $1 AND "userId" = $2`,
    [owner.tenantId, owner.userId],
  );
  return entitlementOf(owner, row ?? null, now);
}

/** Usage of the billing metrics in [from, to) from the flushed counters. */
export async function usageTotals(
  db: SqlQueryable,
  owner: Owner,
  from: Date,
  to: Date,
): Promise<Record<BillingMetric, number>> {
  const rows = await db.query<{ metric: string; total: string }>(
    `SELECT "metric", sum("value")::text AS total FROM "cloud"."cloud_usage_records"
      WHERE "tenantId" = $1 AND "userId" = $2 AND "hourStart" >= $3 AND "hourStart" < $4 GROUP BY "metric"`,
    [owner.tenantId, owner.userId, from, to],
  );
  const by = Object.fromEntries(rows.map((r) => [r.metric, Number(r.total)]));
  return {
    requests: by.requests ?? 0,
    transfer_bytes: (by.transfer_in_bytes ?? 0) + (by.transfer_out_bytes ?? 0),
    storage_byte_hours: by.storage_byte_hours ?? 0,
  };
}

/** The billing metrics a plan has no overage for whose allowance `totals` has used up. */
export function exhaustedMetrics(pricing: Plan, totals: Record<BillingMetric, number>): BillingMetric[] {
  return (Object.keys(pricing.includedUsage) as BillingMetric[]).filter(
    (m) => !pricing.overagePrices[m] && totals[m] >= pricing.includedUsage[m],
  );
}

/**
 * `subscription.updated`: the plan, status, limits and period in force, newest event wins
 * (an older event — by its createdAt — changes nothing). The period is recorded for invoicing
 * (its plan and fee collection as last announced, until it is invoiced).
 */
export async function applySubscriptionUpdated(
  tx: SqlQueryable,
  p: BillingEventPayload<"subscription.updated">,
  event: { id: string; createdAt: Date },
  now: Date,
): Promise<boolean> {
  if (!isKnownPlan(p.planId)) {
    // Never price a period with a plan we do not know: parked until the catalogue is updated.
    throw new PoisonEventError(`unknown plan ${p.planId}`);
  }
  const collection: Collection = p.collection ?? "invoice";
  const applied = await tx.query(
    `INSERT INTO "cloud"."cloud_entitlements" ("id", "tenantId", "userId", ${ROW_COLUMNS}, "sourceEventId", "updatedAt")
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT ("tenantId", "userId") DO UPDATE SET
       "planId" = EXCLUDED."planId", "status" = EXCLUDED."status", "limits" = EXCLUDED."limits",
       "subscriptionId" = EXCLUDED."subscriptionId", "currentPeriodStart" = EXCLUDED."currentPeriodStart",
       "currentPeriodEnd" = EXCLUDED."currentPeriodEnd", "cancelAtPeriodEnd" = EXCLUDED."cancelAtPeriodEnd",
       "collection" = EXCLUDED."collection", "sourceEventAt" = EXCLUDED."sourceEventAt",
       "sourceEventId" = EXCLUDED."sourceEventId", "updatedAt" = EXCLUDED."updatedAt"
     WHERE "cloud_entitlements"."sourceEventAt" <= EXCLUDED."sourceEventAt"
     RETURNING "id"`,
    [
      randomUUID(),
      p.tenantId,
      p.userId,
      p.planId,
      p.status,
      JSON.stringify(p.limits),
      p.subscriptionId,
      new Date(p.currentPeriodStart),
      new Date(p.currentPeriodEnd),
      p.cancelAtPeriodEnd,
      collection,
      event.createdAt,
      event.id,
      now,
    ],
  );
  if (applied.length === 0) return false;
  // An incomplete subscription has not started: nothing to invoice yet.
  if (p.status !== "incomplete") await recordPeriodSegment(tx, p, collection, event.createdAt, now);
  return true;
}

/**
 * `subscription.canceled`: back to the free plan, unless a newer event already moved on. The
 * subscription's open period ends at `canceledAt` whatever the entitlement shows (it is that
 * subscription's period): it is invoiced once that time has passed.
 */
export async function applySubscriptionCanceled(
  tx: SqlQueryable,
  p: BillingEventPayload<"subscription.canceled">,
  event: { id: string; createdAt: Date },
  now: Date,
): Promise<boolean> {
  const rows = await tx.query(
    `UPDATE "cloud"."cloud_entitlements" SET "status" = 'canceled', "cancelAtPeriodEnd" = false,
       "sourceEventAt" = $4, "sourceEventId" = $5, "updatedAt" = $6
     WHERE "tenantId" = $1 AND "userId" = $2 AND "subscriptionId" = $3 AND "sourceEventAt" <= $4
     RETURNING "id"`,
    [p.tenantId, p.userId, p.subscriptionId, event.createdAt, event.id, now],
  );
  // The service ends when the cancellation takes effect: the later of `canceledAt` and the
  // event. Stripe's canceled_at is the time the cancellation was *requested* for a subscription
  // canceled at period end (https://docs.stripe.com/api/subscriptions/object#subscription_object-canceled_at),
  // whose deletion is announced at the period's end: that period is served, and billed, whole.
  const effective = Math.max(Date.parse(p.canceledAt), event.createdAt.getTime());
  await closePeriodsAt(tx, p, p.subscriptionId, new Date(effective), now);
  return rows.length > 0;
}

/**
 * `customer.created`: who the billing side knows as a customer (read by reconciliation). Several
 * at once with one statement (the consumer's batch path); a customer twice in one call fails the
 * statement, and the consumer then applies the events one by one.
 */
export async function applyCustomersCreated(
  tx: SqlQueryable,
  customers: BillingEventPayload<"customer.created">[],
  now: Date,
): Promise<void> {
  if (customers.length === 0) return;
  await tx.query(
    `INSERT INTO "cloud"."cloud_customers" ("tenantId", "userId", "billingProfileId", "stripeCustomerId", "createdAt")
     SELECT x.t, x.u, x.b, x.s, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS x(t, u, b, s)
     ON CONFLICT ("tenantId", "userId") DO UPDATE SET "billingProfileId" = EXCLUDED."billingProfileId",
       "stripeCustomerId" = COALESCE(EXCLUDED."stripeCustomerId", "cloud_customers"."stripeCustomerId")`,
    [
      customers.map((c) => c.tenantId),
      customers.map((c) => c.userId),
      customers.map((c) => c.billingProfileId),
      customers.map((c) => c.stripeCustomerId),
      now,
    ],
  );
}
