/**
 * The reconciliation job: recomputes what cloud-api derived and compares it with what it stored,
 * and with the billing side's own view; reports drift and repairs what is safe to repair.
 *
 * | check | compares | repair |
 * |---|---|---|
 * | `usage_vs_invoice` | each issued invoice's total vs the same period priced again (by its plan segments) from the raw hourly counters | none: issued invoices are immutable; the difference is reported for a credit note or a manual charge |
 * | `storage_total` | a customer's running storage total vs the sum of their objects | set to the sum (under the customer's storage lock) |
 * | `orphan_blob` | stored chunks vs the objects that point to them | queued for garbage collection (never-referenced bytes: no object can lose data) |
 * | `subscription_state` | the entitlement vs the billing side's subscription row (`billing.billing_subscriptions`, read only) | re-apply the newest consumed subscription event when it agrees with the billing side; otherwise report (the billing side must announce its state) |
 * | `plan_catalogue` | this service's plan prices vs the billing side's live catalogue (`billing.billing_plans`, read only) | none: a price change is a deploy of the catalogue copy |
 * | `parked_event` | billing events cloud-api consumes that were parked | none: fix the cause, then unpark |
 * | `underpaid_invoice` | a paid invoice's paid amount vs its amount due | none |
 */
import { randomUUID } from "node:crypto";
import { billingEventSchemas } from "@atlas/billing-events";
import type { DatabaseConnection, SqlQueryable } from "@atlas/db";
import { CONSUMED_EVENT_TYPES } from "./consumer.ts";
import { applySubscriptionCanceled, applySubscriptionUpdated, usageTotals } from "./entitlements.ts";
import { pricePeriod } from "./invoicing/price-period.ts";
import { PLANS } from "./plans.ts";
import { lockStorage, setStorage } from "./storage.ts";

export type FindingKind =
  | "usage_vs_invoice"
  | "storage_total"
  | "orphan_blob"
  | "subscription_state"
  | "plan_catalogue"
  | "parked_event"
  | "underpaid_invoice";

export interface Finding {
  kind: FindingKind;
  tenantId: string | null;
  userId: string | null;
  subject: string;
  details: Record<string, unknown>;
  repaired: boolean;
}

export interface ReconciliationReport {
  runId: string;
  ranAt: string;
  findings: Finding[];
  /** Findings per kind, repaired and not. */
  summary: Record<string, { found: number; repaired: number }>;
}

export interface ReconcileOptions {
  /** Issued invoices whose period ended within this window are re-priced (default 120 days). */
  invoiceWindowMs?: number;
  /** Repair what is safe (default true); false only reports. */
  repair?: boolean;
}

/** usage_vs_invoice: every recent issued invoice priced again from the counters. */
async function checkInvoices(db: SqlQueryable, now: Date, windowMs: number): Promise<Finding[]> {
  const invoices = await db.query<{
    id: string;
    tenantId: string;
    userId: string;
    number: number;
    planId: string;
    periodStart: Date;
    periodEnd: Date;
    totalMinor: number;
    periodId: string | null;
    scheduledEnd: Date | null;
    collection: "stripe_subscription" | "invoice" | null;
  }>(
    `SELECT i."id", i."tenantId", i."userId", i."number", i."planId", i."periodStart", i."periodEnd", i."totalMinor",
            p."id" AS "periodId", p."scheduledEnd", p."collection"
       FROM "cloud"."cloud_invoices" i LEFT JOIN "cloud"."cloud_billing_periods" p ON p."invoiceId" = i."id"
      WHERE i."status" NOT IN ('draft', 'void') AND i."periodEnd" >= $1 ORDER BY i."periodEnd"`,
    [new Date(now.getTime() - windowMs)],
  );
  const findings: Finding[] = [];
  for (const inv of invoices) {
    // Priced again exactly as finalization priced it: by the period's plan segments (a period
    // no longer on record is one segment of the invoice's plan).
    const again = await pricePeriod(db, {
      id: inv.periodId ?? "",
      tenantId: inv.tenantId,
      userId: inv.userId,
      planId: inv.planId,
      collection: inv.collection ?? "invoice",
      periodStart: inv.periodStart,
      periodEnd: inv.periodEnd,
      scheduledEnd: inv.scheduledEnd,
    });
    const usage = await usageTotals(db, inv, inv.periodStart, inv.periodEnd);
    if (again.totalMinor !== inv.totalMinor) {
      const lines = await db.query<{ kind: string; usedQuantity: string | null }>(
        `SELECT "kind", "usedQuantity" FROM "cloud"."cloud_invoice_lines" WHERE "invoiceId" = $1 AND "kind" LIKE 'overage:%'`,
        [inv.id],
      );
      findings.push({
        kind: "usage_vs_invoice",
        tenantId: inv.tenantId,
        userId: inv.userId,
        subject: `invoice:${inv.id}`,
        details: {
          number: inv.number,
          invoicedMinor: inv.totalMinor,
          recomputedMinor: again.totalMinor,
          differenceMinor: again.totalMinor - inv.totalMinor,
          usageNow: usage,
          usageInvoiced: Object.fromEntries(
            lines.map((l) => [l.kind.slice("overage:".length), Number(l.usedQuantity)]),
          ),
        },
        repaired: false,
      });
    }
  }
  return findings;
}

/** storage_total: running totals vs the objects; repaired under the customer's storage lock. */
async function checkStorage(db: DatabaseConnection, now: Date, repair: boolean): Promise<Finding[]> {
  const drift = await db.query<{
    tenantId: string;
    userId: string;
    bytes: string;
    objects: number;
    actualBytes: string;
    actualObjects: string;
  }>(
    `WITH actual AS (
       SELECT "tenantId", "userId", sum("sizeBytes") AS bytes, count(*) AS objects FROM "cloud"."cloud_objects" GROUP BY 1, 2)
     SELECT coalesce(s."tenantId", a."tenantId") AS "tenantId", coalesce(s."userId", a."userId") AS "userId",
            coalesce(s."bytes", 0)::text AS bytes, coalesce(s."objects", 0) AS objects,
            coalesce(a.bytes, 0)::text AS "actualBytes", coalesce(a.objects, 0)::text AS "actualObjects"
       FROM "cloud"."cloud_storage_usage" s FULL JOIN actual a ON a."tenantId" = s."tenantId" AND a."userId" = s."userId"
      WHERE coalesce(s."bytes", 0) <> coalesce(a.bytes, 0) OR coalesce(s."objects", 0) <> coalesce(a.objects, 0)`,
  );
  const findings: Finding[] = [];
  for (const d of drift) {
    const owner = { tenantId: d.tenantId, userId: d.userId };
    let repaired = false;
    if (repair) {
      repaired = await db.transaction(async (tx) => {
        const storage = await lockStorage(tx, owner, now);
        // Recounted under the lock: what an object change committed meanwhile is included.
        const [actual] = await tx.query<{ bytes: string; objects: string }>(
          `SELECT coalesce(sum("sizeBytes"), 0)::text AS bytes, count(*)::text AS objects FROM "cloud"."cloud_objects"
            WHERE "tenantId" = $1 AND "userId" = $2`,
          [owner.tenantId, owner.userId],
        );
        await setStorage(tx, owner, storage, { bytes: Number(actual?.bytes), objects: Number(actual?.objects) }, now);
        return true;
      });
    }
    findings.push({
      kind: "storage_total",
      ...owner,
      subject: `storage:${d.tenantId}:${d.userId}`,
      details: {
        recordedBytes: Number(d.bytes),
        recordedObjects: d.objects,
        actualBytes: Number(d.actualBytes),
        actualObjects: Number(d.actualObjects),
      },
      repaired,
    });
  }
  return findings;
}

/** orphan_blob: committed chunks no object points to and not yet queued for collection. */
async function checkOrphanBlobs(db: SqlQueryable, now: Date, repair: boolean): Promise<Finding[]> {
  const orphans = await db.query<{ blobId: string; chunks: string }>(
    `SELECT c."blobId", count(*)::text AS chunks FROM "cloud"."cloud_object_chunks" c
      WHERE NOT EXISTS (SELECT 1 FROM "cloud"."cloud_objects" o WHERE o."blobId" = c."blobId")
        AND NOT EXISTS (SELECT 1 FROM "cloud"."cloud_blob_garbage" g WHERE g."blobId" = c."blobId")
      GROUP BY c."blobId"`,
  );
  if (repair && orphans.length > 0) {
    await db.query(
      `INSERT INTO "cloud"."cloud_blob_garbage" ("blobId", "releasedAt") SELECT unnest($1::text[]), $2 ON CONFLICT DO NOTHING`,
      [orphans.map((o) => o.blobId), now],
    );
  }
  return orphans.map((o) => ({
    kind: "orphan_blob" as const,
    tenantId: null,
    userId: null,
    subject: `blob:${o.blobId}`,
    details: { chunks: Number(o.chunks) },
    repaired: repair,
  }));
}

interface BillingView {
  tenantId: string;
  userId: string;
  subscriptionId: string;
  planId: string;
  status: string;
  currentPeriodEnd: Date;
}

/** The billing side's newest subscription per customer (read only), or null when its schema is absent. */
async function billingSubscriptions(db: SqlQueryable): Promise<BillingView[] | null> {
  const [present] = await db.query<{ t: string | null }>(
    `SELECT to_regclass('billing.billing_subscriptions')::text AS t`,
  );
  if (!present?.t) return null;
  return db.query<BillingView>(
    `SELECT DISTINCT ON (p."tenantId", p."customerId") p."tenantId", p."customerId" AS "userId", s."id" AS "subscriptionId",
            s."planId", s."status", s."currentPeriodEnd"
       FROM "billing"."billing_subscriptions" s JOIN "billing"."billing_profiles" p ON p."id" = s."billingProfileId"
      ORDER BY p."tenantId", p."customerId", (s."status" = 'canceled'), s."updatedAt" DESC`,
  );
}

/** subscription_state: the entitlement against the billing side's subscription. */
async function checkSubscriptions(db: DatabaseConnection, now: Date, repair: boolean): Promise<Finding[]> {
  const billing = await billingSubscriptions(db);
  if (!billing) return [];
  const findings: Finding[] = [];
  for (const b of billing) {
    const [local] = await db.query<{
      subscriptionId: string | null;
      planId: string;
      status: string;
      currentPeriodEnd: Date | null;
    }>(
      `SELECT "subscriptionId", "planId", "status", "currentPeriodEnd" FROM "cloud"."cloud_entitlements"
        WHERE "tenantId" = $1 AND "userId" = $2`,
      [b.tenantId, b.userId],
    );
    const agrees =
      local &&
      local.subscriptionId === b.subscriptionId &&
      local.status === b.status &&
      (b.status === "canceled" ||
        (local.planId === b.planId && local.currentPeriodEnd?.getTime() === b.currentPeriodEnd.getTime()));
    if (agrees) continue;
    const [latest] = await db.query<{
      id: string;
      eventType: string;
      payload: unknown;
      createdAt: Date;
      processed: boolean;
      parkedAt: Date | null;
      discardedAt: Date | null;
    }>(
      `SELECT "id", "eventType", "payload", "createdAt", "processed", "parkedAt", "discardedAt" FROM "billing"."billing_events"
        WHERE "aggregateKey" = $1 AND "eventType" IN ('subscription.updated', 'subscription.canceled')
        ORDER BY "seq" DESC LIMIT 1`,
      [`subscription:${b.subscriptionId}`],
    );
    const details: Record<string, unknown> = {
      billing: {
        subscriptionId: b.subscriptionId,
        planId: b.planId,
        status: b.status,
        currentPeriodEnd: b.currentPeriodEnd.toISOString(),
      },
      local: local
        ? {
            subscriptionId: local.subscriptionId,
            planId: local.planId,
            status: local.status,
            currentPeriodEnd: local.currentPeriodEnd?.toISOString() ?? null,
          }
        : null,
    };
    let repaired = false;
    if (!latest) details.reason = "the billing side announced no event for this subscription";
    // Discarded by an operator: processed for the queue, but never applied; not a state to restore.
    else if (latest.discardedAt) details.reason = "its newest event was discarded by an operator";
    else if (!latest.processed)
      details.reason = latest.parkedAt ? "its newest event is parked" : "its newest event is not consumed yet";
    else {
      const payload = latest.payload as { planId?: string; status?: string };
      const eventAgrees =
        latest.eventType === "subscription.canceled"
          ? b.status === "canceled"
          : payload.planId === b.planId && payload.status === b.status;
      if (!eventAgrees) details.reason = "the billing side changed without announcing it";
      else if (repair) {
        // The newest consumed event agrees with the billing side: applying it again is what the
        // consumer did before the local state drifted (a lost write, a manual edit).
        const meta = { id: latest.id, createdAt: new Date(latest.createdAt) };
        repaired = await db.transaction((tx) =>
          latest.eventType === "subscription.canceled"
            ? applySubscriptionCanceled(
                tx,
                billingEventSchemas["subscription.canceled"].parse(latest.payload),
                meta,
                now,
              )
            : applySubscriptionUpdated(
                tx,
                billingEventSchemas["subscription.updated"].parse(latest.payload),
                meta,
                now,
              ),
        );
        if (!repaired) details.reason = "a newer event of another subscription is in force locally";
      }
    }
    findings.push({
      kind: "subscription_state",
      tenantId: b.tenantId,
      userId: b.userId,
      subject: `subscription:${b.subscriptionId}`,
      details,
      repaired,
    });
  }
  return findings;
}

/** plan_catalogue: the numbers invoices are priced with vs the billing side's catalogue. */
async function checkCatalogue(db: SqlQueryable): Promise<Finding[]> {
  const [present] = await db.query<{ t: string | null }>(`SELECT to_regclass('billing.billing_plans')::text AS t`);
  if (!present?.t) return [];
  const live = await db.query<{
    id: string;
    currency: string;
    monthlyPriceMinor: number;
    includedUsage: unknown;
    overagePrices: unknown;
    limits: unknown;
  }>(`SELECT "id", "currency", "monthlyPriceMinor", "includedUsage", "overagePrices", "limits" FROM "billing"."billing_plans"
       WHERE "isActive"`);
  const findings: Finding[] = [];
  for (const plan of live) {
    const ours = PLANS.find((p) => p.id === plan.id);
    const theirs = {
      currency: plan.currency,
      monthlyPriceMinor: plan.monthlyPriceMinor,
      includedUsage: plan.includedUsage,
      overagePrices: plan.overagePrices,
      limits: plan.limits,
    };
    const mine = ours && {
      currency: ours.currency,
      monthlyPriceMinor: ours.monthlyPriceMinor,
      includedUsage: ours.includedUsage,
      overagePrices: ours.overagePrices,
      limits: ours.limits,
    };
    if (!mine || canonical(mine) !== canonical(theirs)) {
      findings.push({
        kind: "plan_catalogue",
        tenantId: null,
        userId: null,
        subject: `plan:${plan.id}`,
        details: { billing: theirs, cloud: mine ?? null },
        repaired: false,
      });
    }
  }
  return findings;
}

/** JSON with sorted keys, for comparing documents. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** parked_event and underpaid_invoice: reported, never repaired here. */
async function checkParkedAndPayments(db: SqlQueryable): Promise<Finding[]> {
  const parked = await db.query<{ id: string; eventType: string; lastError: string | null; attempts: number }>(
    `SELECT "id", "eventType", "lastError", "attempts" FROM "billing"."billing_events"
      WHERE "parkedAt" IS NOT NULL AND NOT "processed" AND "eventType" = ANY($1::text[]) ORDER BY "parkedAt" LIMIT 1000`,
    [[...CONSUMED_EVENT_TYPES]],
  );
  const underpaid = await db.query<{
    id: string;
    tenantId: string;
    userId: string;
    amountDueMinor: number;
    paidAmountMinor: number;
  }>(
    `SELECT "id", "tenantId", "userId", "amountDueMinor", "paidAmountMinor" FROM "cloud"."cloud_invoices"
      WHERE "status" = 'paid' AND "paidAmountMinor" < "amountDueMinor"`,
  );
  return [
    ...parked.map((p) => ({
      kind: "parked_event" as const,
      tenantId: null,
      userId: null,
      subject: `event:${p.id}`,
      details: { eventType: p.eventType, lastError: p.lastError, attempts: p.attempts },
      repaired: false,
    })),
    ...underpaid.map((u) => ({
      kind: "underpaid_invoice" as const,
      tenantId: u.tenantId,
      userId: u.userId,
      subject: `invoice:${u.id}`,
      details: { amountDueMinor: u.amountDueMinor, paidAmountMinor: u.paidAmountMinor },
      repaired: false,
    })),
  ];
}

/** Runs every check once, records the findings (cloud_reconciliation_findings) and returns the report. */
export async function reconcile(
  db: DatabaseConnection,
  now: Date,
  options: ReconcileOptions = {},
): Promise<ReconciliationReport> {
  const repair = options.repair ?? true;
  const findings = [
    ...(await checkInvoices(db, now, options.invoiceWindowMs ?? 120 * 86_400_000)),
    ...(await checkStorage(db, now, repair)),
    ...(await checkOrphanBlobs(db, now, repair)),
    ...(await checkSubscriptions(db, now, repair)),
    ...(await checkCatalogue(db)),
    ...(await checkParkedAndPayments(db)),
  ];
  const runId = randomUUID();
  for (const f of findings) {
    await db.query(
      `INSERT INTO "cloud"."cloud_reconciliation_findings" ("id", "runId", "kind", "tenantId", "userId", "subject", "details", "repaired", "createdAt")
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9)`,
      [randomUUID(), runId, f.kind, f.tenantId, f.userId, f.subject, JSON.stringify(f.details), f.repaired, now],
    );
  }
  const summary: ReconciliationReport["summary"] = {};
  for (const f of findings) {
    const s = summary[f.kind] ?? { found: 0, repaired: 0 };
    s.found += 1;
    if (f.repaired) s.repaired += 1;
    summary[f.kind] = s;
  }
  return { runId, ranAt: now.toISOString(), findings, summary };
}
