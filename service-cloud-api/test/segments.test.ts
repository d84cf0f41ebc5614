// Plan changes within a period are priced by segment (issue 17 §10), cancellation closes the
// open period, and nothing at the edge of a period is lost (§11).
import type { BillingEventPayload } from "@atlas/billing-events";
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cloudConsumer } from "../src/services/consumer.ts";
import { computeInvoice, computeSegmentedInvoice, type PricedSegment } from "../src/services/invoicing/compute.ts";
import { finalizeDueInvoices, finalizeInvoice } from "../src/services/invoicing/finalize-invoice.ts";
import { paymentHandlers } from "../src/services/invoicing/payments.ts";
import { HOUR_MS } from "../src/services/metering.ts";
import { BILLING_METRICS, type BillingMetric, PLANS, type Plan, planById } from "../src/services/plans.ts";
import { reconcile } from "../src/services/reconcile.ts";
import { emitEvent, GIB, subscriptionUpdated } from "./events.ts";
import { type CloudTestApp, createCloudTestApp } from "./harness.ts";

let t: CloudTestApp;
beforeAll(async () => {
  t = await createCloudTestApp();
});
beforeEach(async () => {
  await t.reset();
});
afterAll(async () => {
  await t.close();
});

const MARCH = { start: new Date("2026-03-01T00:00:00Z"), end: new Date("2026-04-01T00:00:00Z") };
const MARCH_MS = MARCH.end.getTime() - MARCH.start.getTime();
const AFTER_MARCH = new Date("2026-04-01T00:10:00Z");
const db = () => t.deps.database;

const consume = async () => {
  const consumer = cloudConsumer(t.deps, paymentHandlers(t.deps), { listen: false });
  return (consumer as NonNullable<typeof consumer>).drain();
};

/** service-auth announces the plan in force from `at` (the event's time is the change's time). */
async function announce(
  userId: string,
  at: Date,
  overrides: Partial<BillingEventPayload<"subscription.updated">> = {},
): Promise<void> {
  await emitEvent(db(), "subscription.updated", subscriptionUpdated(userId, { collection: "invoice", ...overrides }), {
    at,
  });
  if (t.clock.now < at) t.clock.now = new Date(at.getTime() + 1_000);
  await consume();
}

async function addUsage(userId: string, metric: string, value: number, hourStart: Date) {
  await db().query(
    `INSERT INTO "cloud"."cloud_usage_records" ("tenantId", "userId", "metric", "hourStart", "value") VALUES ('tenant_a', $1, $2, $3, $4)
     ON CONFLICT ("tenantId", "userId", "metric", "hourStart") DO UPDATE SET "value" = "cloud_usage_records"."value" + EXCLUDED."value"`,
    [userId, metric, hourStart, value],
  );
}

const periodsOf = (userId: string) =>
  db().query<{ id: string; periodStart: Date; periodEnd: Date; scheduledEnd: Date | null; invoiceId: string | null }>(
    `SELECT "id", "periodStart", "periodEnd", "scheduledEnd", "invoiceId" FROM "cloud"."cloud_billing_periods"
      WHERE "userId" = $1 ORDER BY "periodStart"`,
    [userId],
  );
const invoiceOf = async (invoiceId: string) => {
  const [inv] = await db().query<{ planId: string; totalMinor: number; amountDueMinor: number }>(
    `SELECT "planId", "totalMinor", "amountDueMinor" FROM "cloud"."cloud_invoices" WHERE "id" = $1`,
    [invoiceId],
  );
  const lines = await db().query<{ kind: string; amountMinor: number; prepaid: boolean; includedQuantity: string }>(
    `SELECT "kind", "amountMinor", "prepaid", "includedQuantity" FROM "cloud"."cloud_invoice_lines"
      WHERE "invoiceId" = $1 ORDER BY "position"`,
    [invoiceId],
  );
  return { ...inv, lines: lines.map((l) => [l.kind, l.amountMinor, l.prepaid]) };
};

/**
 * The pricing rule stated independently of compute.ts: for each segment of `len` ms in a period
 * of `full` ms — fee = price·len/full rounded half up; allowance = included·len/full rounded
 * down; overage = ⌈(used − allowance)/unitSize⌉ blocks × unit price.
 */
function segmentFormula(plan: Plan, len: bigint, full: bigint, used: Record<BillingMetric, bigint>) {
  const price = BigInt(plan.monthlyPriceMinor) * len;
  let fee = price / full;
  if ((price % full) * 2n >= full) fee += 1n;
  let overage = 0n;
  for (const m of BILLING_METRICS) {
    const o = plan.overagePrices[m];
    if (!o) continue;
    const allowance = (BigInt(plan.includedUsage[m]) * len) / full;
    const over = used[m] - allowance;
    if (over > 0n) overage += ((over + BigInt(o.unitSize) - 1n) / BigInt(o.unitSize)) * BigInt(o.unitPriceMinor);
  }
  return { fee, overage };
}

const zero = () => ({ requests: 0n, transfer_bytes: 0n, storage_byte_hours: 0n });
const metricKey = (m: string): BillingMetric => (m.startsWith("transfer") ? "transfer_bytes" : (m as BillingMetric));

describe("segment pricing (pure)", () => {
  it("total = Σ segment formulas for random splits of a period and random usage; one whole segment = computeInvoice", () => {
    const usage = fc.record({
      requests: fc.nat({ max: 30_000_000 }),
      transfer_bytes: fc.nat({ max: 3_000 * GIB }),
      storage_byte_hours: fc.nat({ max: 800 * GIB * 730 }),
    });
    const segment = fc.record({ plan: fc.constantFrom(...PLANS), stripe: fc.boolean(), weight: fc.nat(), usage });
    fc.assert(
      fc.property(
        fc.integer({ min: 3_600_000, max: 31 * 86_400_000 }),
        fc.array(segment, { minLength: 1, maxLength: 5 }),
        (fullMs, parts) => {
          // Cut [0, fullMs) at sorted random points (ms precision, arbitrary lengths).
          const cuts = parts
            .slice(1)
            .map((p) => p.weight % fullMs)
            .sort((a, b) => a - b);
          const bounds = [0, ...cuts, fullMs];
          const start = MARCH.start.getTime();
          const segments: PricedSegment[] = parts.map((p, i) => ({
            plan: p.plan,
            collection: p.stripe ? "stripe_subscription" : "invoice",
            start: new Date(start + (bounds[i] as number)),
            end: new Date(start + (bounds[i + 1] as number)),
            usage: p.usage,
          }));
          const draft = computeSegmentedInvoice(segments, {
            start: MARCH.start,
            end: new Date(start + fullMs),
          });
          let total = 0n;
          let prepaid = 0n;
          for (const s of segments) {
            const len = BigInt(s.end.getTime() - s.start.getTime());
            if (len === 0n) continue;
            const used = {
              requests: BigInt(s.usage.requests),
              transfer_bytes: BigInt(s.usage.transfer_bytes),
              storage_byte_hours: BigInt(s.usage.storage_byte_hours),
            };
            const f = segmentFormula(s.plan, len, BigInt(fullMs), used);
            total += f.fee + f.overage;
            if (s.collection === "stripe_subscription") prepaid += f.fee;
          }
          expect(BigInt(draft.totalMinor)).toBe(total);
          expect(BigInt(draft.amountDueMinor)).toBe(total - prepaid);
          expect(draft.lines.reduce((s, l) => s + l.amountMinor, 0)).toBe(draft.totalMinor);
          expect(draft.lines.map((l) => l.position)).toEqual(draft.lines.map((_, i) => i + 1));
        },
      ),
      { numRuns: 3_000 },
    );
    const pro = planById("pro");
    const used = { requests: 1_234_567, transfer_bytes: 0, storage_byte_hours: 0 };
    expect(
      computeSegmentedInvoice(
        [{ plan: pro, collection: "invoice", start: MARCH.start, end: MARCH.end, usage: used }],
        MARCH,
      ),
    ).toEqual(computeInvoice(pro, used, "invoice", MARCH));
    expect(() => computeSegmentedInvoice([], { start: MARCH.start, end: MARCH.start })).toThrow(RangeError);
    const euro = { ...pro, currency: "eur" };
    const mid = new Date("2026-03-15T00:00:00Z");
    expect(() =>
      computeSegmentedInvoice(
        [
          { plan: pro, collection: "invoice", start: MARCH.start, end: mid, usage: used },
          { plan: euro, collection: "invoice", start: mid, end: MARCH.end, usage: used },
        ],
        MARCH,
      ),
    ).toThrow(/currency/);
  });
});

describe("plan changes within a period (Postgres)", () => {
  it("a downgrade on day 29 bills days 1–28 at Business and days 29–31 at Pro, each with its prorated allowance", async () => {
    await announce("alice", new Date("2026-02-28T12:00:00Z"), { planId: "business" });
    await addUsage("alice", "requests", 12_000_000, new Date("2026-03-10T10:00:00Z"));
    await announce("alice", new Date("2026-03-29T00:00:00Z"), { planId: "pro" });
    await addUsage("alice", "requests", 500_000, new Date("2026-03-30T10:00:00Z"));
    const [period] = await periodsOf("alice");
    const { invoiceId } = await finalizeInvoice(db(), period?.id as string, AFTER_MARCH);
    // By hand: Business 28/31 of the month — fee 10,000·28/31 = 9,032.26 → 9,032; allowance
    // ⌊10,000,000·28/31⌋ = 9,032,258, so 2,967,742 over = 297 blocks × 3 = 891. Pro 3/31 — fee
    // 2,000·3/31 = 193.55 → 194; allowance ⌊1,000,000·3/31⌋ = 96,774, 403,226 over = 41 × 5 = 205.
    expect(await invoiceOf(invoiceId)).toEqual({
      planId: "pro",
      totalMinor: 9_032 + 891 + 194 + 205,
      amountDueMinor: 9_032 + 891 + 194 + 205,
      lines: [
        ["subscription", 9_032, false],
        ["overage:requests", 891, false],
        ["subscription", 194, false],
        ["overage:requests", 205, false],
      ],
    });
    // The whole month's 12.5M requests at the cheaper plan's overage would have been 2,000 + 5,750.
    expect((await reconcile(db(), AFTER_MARCH)).summary.usage_vs_invoice).toBeUndefined();
  });

  it("an upgrade does not forgive the overage used before it; Stripe-collected fees are listed, not charged", async () => {
    await announce("bob", new Date("2026-02-28T12:00:00Z"), { planId: "pro", collection: "stripe_subscription" });
    await addUsage("bob", "requests", 3_000_000, new Date("2026-03-14T23:00:00Z"));
    await announce("bob", new Date("2026-03-15T00:00:00Z"), { planId: "business", collection: "stripe_subscription" });
    const [period] = await periodsOf("bob");
    const { invoiceId } = await finalizeInvoice(db(), period?.id as string, AFTER_MARCH);
    // Pro 14/31: fee 903.23 → 903 (prepaid); allowance 451,612, 2,548,388 over = 255 × 5 = 1,275.
    // Business 17/31: fee 5,483.87 → 5,484 (prepaid), nothing used.
    expect(await invoiceOf(invoiceId)).toEqual({
      planId: "business",
      totalMinor: 903 + 1_275 + 5_484,
      amountDueMinor: 1_275,
      lines: [
        ["subscription", 903, true],
        ["overage:requests", 1_275, false],
        ["subscription", 5_484, true],
      ],
    });
  });

  it("a status change without a plan change keeps one segment (a whole plan bills whole)", async () => {
    await announce("carol", new Date("2026-02-28T12:00:00Z"), { planId: "pro" });
    await announce("carol", new Date("2026-03-12T08:00:00Z"), { planId: "pro", status: "past_due" });
    await announce("carol", new Date("2026-03-13T08:00:00Z"), { planId: "pro", status: "active" });
    const [period] = await periodsOf("carol");
    const segments = await db().query(`SELECT "planId" FROM "cloud"."cloud_billing_period_segments"`);
    expect(segments).toEqual([{ planId: "pro" }]);
    const { invoiceId } = await finalizeInvoice(db(), period?.id as string, AFTER_MARCH);
    expect((await invoiceOf(invoiceId)).totalMinor).toBe(2_000);
  });

  it("a change effective at or before the open segment's start replaces its plan (no empty segment)", async () => {
    const april = { currentPeriodStart: "2026-04-01T00:00:00.000Z", currentPeriodEnd: "2026-05-01T00:00:00.000Z" };
    // The renewal is announced minutes before its period starts, and changed before it starts too.
    await announce("ivan", new Date("2026-03-31T23:50:00Z"), { planId: "pro", ...april });
    await announce("ivan", new Date("2026-03-31T23:55:00Z"), { planId: "business", ...april });
    expect(
      await db().query(`SELECT "planId", "startsAt", "endsAt" FROM "cloud"."cloud_billing_period_segments"`),
    ).toEqual([{ planId: "business", startsAt: new Date(april.currentPeriodStart), endsAt: null }]);
  });

  it("a period recorded before segments existed is priced as one segment of its plan", async () => {
    await announce("hank", new Date("2026-02-28T12:00:00Z"), { planId: "pro" });
    await addUsage("hank", "requests", 1_000_001, new Date("2026-03-03T10:00:00Z"));
    await db().query(`DELETE FROM "cloud"."cloud_billing_period_segments"`);
    const [period] = await periodsOf("hank");
    const { invoiceId } = await finalizeInvoice(db(), period?.id as string, AFTER_MARCH);
    expect((await invoiceOf(invoiceId)).lines).toEqual([
      ["subscription", 2_000, false],
      ["overage:requests", 5, false],
    ]);
  });

  it("random plan changes and hourly usage: the invoice = Σ segment formulas, to the cent", async () => {
    const change = fc.record({
      planId: fc.constantFrom("free", "pro", "business"),
      stripe: fc.boolean(),
      // Any millisecond of the month: changes land mid-hour too.
      offset: fc.integer({ min: 1, max: MARCH_MS - 1 }),
    });
    const usage = fc.record({
      metric: fc.constantFrom("requests", "transfer_in_bytes", "transfer_out_bytes", "storage_byte_hours"),
      hour: fc.integer({ min: 0, max: 743 }),
      value: fc.integer({ min: 1, max: 300 * GIB }),
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("free", "pro", "business"),
        fc.array(change, { maxLength: 4 }),
        fc.array(usage, { maxLength: 25 }),
        async (firstPlan, rawChanges, entries) => {
          run += 1;
          const user = `prop_${run}`;
          t.clock.now = new Date("2026-02-28T00:00:00Z");
          const changes = [...rawChanges].sort((a, b) => a.offset - b.offset);
          await announce(user, new Date("2026-02-28T12:00:00Z"), { planId: firstPlan, collection: "invoice" });
          // The model: consecutive identical plans are one segment.
          const model: { planId: string; collection: string; from: number }[] = [
            { planId: firstPlan, collection: "invoice", from: 0 },
          ];
          for (const c of changes) {
            const collection = c.stripe ? "stripe_subscription" : "invoice";
            await announce(user, new Date(MARCH.start.getTime() + c.offset), {
              planId: c.planId,
              collection,
            });
            const last = model.at(-1) as (typeof model)[number];
            if (last.planId === c.planId && last.collection === collection) continue;
            if (last.from === c.offset) model.pop();
            model.push({ planId: c.planId, collection, from: c.offset });
          }
          const perHour: { hourMs: number; key: BillingMetric; value: bigint }[] = [];
          for (const e of entries) {
            const value = e.metric === "requests" ? e.value % 5_000_000 : e.value;
            await addUsage(user, e.metric, value, new Date(MARCH.start.getTime() + e.hour * HOUR_MS));
            perHour.push({ hourMs: e.hour * HOUR_MS, key: metricKey(e.metric), value: BigInt(value) });
          }
          const [period] = await periodsOf(user);
          const { invoiceId } = await finalizeInvoice(db(), period?.id as string, AFTER_MARCH);
          let total = 0n;
          let prepaid = 0n;
          model.forEach((seg, i) => {
            const to = model[i + 1]?.from ?? MARCH_MS;
            const used = zero();
            // An hour belongs to the segment its start falls in.
            for (const u of perHour) if (u.hourMs >= seg.from && u.hourMs < to) used[u.key] += u.value;
            const f = segmentFormula(planById(seg.planId), BigInt(to - seg.from), BigInt(MARCH_MS), used);
            total += f.fee + f.overage;
            if (seg.collection === "stripe_subscription") prepaid += f.fee;
          });
          const invoice = await invoiceOf(invoiceId);
          expect(BigInt(invoice.totalMinor as number)).toBe(total);
          expect(BigInt(invoice.amountDueMinor as number)).toBe(total - prepaid);
        },
      ),
      { numRuns: 20 },
    );
    // Re-priced by the reconciliation the same way: no false drift.
    expect((await reconcile(db(), AFTER_MARCH)).summary.usage_vs_invoice).toBeUndefined();
  });
});

describe("cancellation and resubscription", () => {
  it("a cancellation closes the period at its time (invoiced then); a resubscription never bills an hour twice", async () => {
    await announce("dave", new Date("2026-02-28T12:00:00Z"), { planId: "pro" });
    await addUsage("dave", "requests", 1_500_000, new Date("2026-03-05T10:00:00Z"));
    await addUsage("dave", "requests", 700_000, new Date("2026-03-11T00:00:00Z"));
    const canceledAt = new Date("2026-03-11T00:00:00Z");
    await emitEvent(
      db(),
      "subscription.canceled",
      {
        tenantId: "tenant_a",
        userId: "dave",
        subscriptionId: "sub_dave",
        planId: "pro",
        canceledAt: canceledAt.toISOString(),
      },
      { at: canceledAt },
    );
    t.clock.now = new Date("2026-03-11T00:01:00Z");
    await consume();
    expect(await periodsOf("dave")).toMatchObject([
      { periodEnd: canceledAt, scheduledEnd: MARCH.end, invoiceId: null },
    ]);
    // Invoiced after the cancellation's hour closed plus the grace, not at the month's end.
    expect(await finalizeDueInvoices(db(), new Date("2026-03-11T00:04:59Z"), 300_000)).toEqual([]);
    const [first] = await finalizeDueInvoices(db(), new Date("2026-03-11T00:05:00Z"), 300_000);
    // 10 of 31 days of Pro: fee 645.16 → 645; allowance ⌊1,000,000·10/31⌋ = 322,580: the
    // 1,500,000 requests before the cancellation are 1,177,420 over = 118 × 5 = 590. The hour
    // starting at the cancellation belongs to the next period.
    expect(await invoiceOf(first as string)).toMatchObject({ totalMinor: 645 + 590 });

    // Resubscribed on the 20th: a new subscription and period.
    await announce("dave", new Date("2026-03-20T00:00:00Z"), {
      subscriptionId: "sub_dave_2",
      planId: "pro",
      currentPeriodStart: "2026-03-20T00:00:00.000Z",
      currentPeriodEnd: "2026-04-20T00:00:00.000Z",
    });
    await addUsage("dave", "requests", 1_100_000, new Date("2026-03-25T10:00:00Z"));
    const [, second] = await periodsOf("dave");
    const { invoiceId } = await finalizeInvoice(db(), second?.id as string, new Date("2026-04-20T00:10:00Z"));
    // A whole Pro period over its own 1,100,000 requests only (the 11th's 700,000 fell between
    // the subscriptions, on the free plan): 2,000 + 10 × 5.
    expect(await invoiceOf(invoiceId)).toMatchObject({ totalMinor: 2_050 });
    // The old subscription's cancellation delivered again closes nothing more.
    await emitEvent(
      db(),
      "subscription.canceled",
      {
        tenantId: "tenant_a",
        userId: "dave",
        subscriptionId: "sub_dave",
        planId: "pro",
        canceledAt: canceledAt.toISOString(),
      },
      { at: canceledAt },
    );
    await consume();
    const again = await periodsOf("dave");
    expect(again.map((p) => p.periodEnd)).toEqual([canceledAt, new Date("2026-04-20T00:00:00Z")]);
  });

  it("a cancellation requested earlier but effective at the period's end (cancel_at_period_end) bills the period whole", async () => {
    await announce("jane", new Date("2026-02-28T12:00:00Z"), { planId: "pro" });
    // Stripe's canceled_at is the request (Mar 5); the deletion is announced at the period's end.
    await emitEvent(
      db(),
      "subscription.canceled",
      {
        tenantId: "tenant_a",
        userId: "jane",
        subscriptionId: "sub_jane",
        planId: "pro",
        canceledAt: "2026-03-05T09:00:00.000Z",
      },
      { at: MARCH.end },
    );
    t.clock.now = AFTER_MARCH;
    await consume();
    expect(await periodsOf("jane")).toMatchObject([{ periodEnd: MARCH.end, scheduledEnd: null }]);
  });

  it("a cancellation before a period started drops it; a new period cuts an overlapping uninvoiced one", async () => {
    await announce("erin", new Date("2026-02-28T12:00:00Z"), {
      currentPeriodStart: "2026-04-01T00:00:00.000Z",
      currentPeriodEnd: "2026-05-01T00:00:00.000Z",
    });
    await emitEvent(
      db(),
      "subscription.canceled",
      {
        tenantId: "tenant_a",
        userId: "erin",
        subscriptionId: "sub_erin",
        planId: "pro",
        canceledAt: "2026-03-01T00:00:00.000Z",
      },
      { at: new Date("2026-03-01T00:00:00Z") },
    );
    t.clock.now = new Date("2026-03-01T00:01:00Z");
    await consume();
    expect(await periodsOf("erin")).toEqual([]);

    // A billing-cycle reset: the new period starts on the 10th, before the old one's end.
    await announce("frank", new Date("2026-03-01T00:00:00Z"), { planId: "pro" });
    await announce("frank", new Date("2026-03-10T00:00:00Z"), {
      planId: "business",
      currentPeriodStart: "2026-03-10T00:00:00.000Z",
      currentPeriodEnd: "2026-04-10T00:00:00.000Z",
    });
    expect((await periodsOf("frank")).map((p) => [p.periodEnd, p.scheduledEnd])).toEqual([
      [new Date("2026-03-10T00:00:00Z"), MARCH.end],
      [new Date("2026-04-10T00:00:00Z"), null],
    ]);
  });
});

describe("the edge of a period (§11)", () => {
  it("a period ending 10:30 includes its 10:00 hour: a flush at 10:59 is on the invoice, finalized after 11:00 + grace", async () => {
    await announce("gina", new Date("2026-02-28T12:00:00Z"), {
      planId: "pro",
      currentPeriodStart: "2026-03-01T10:30:00.000Z",
      currentPeriodEnd: "2026-04-01T10:30:00.000Z",
    });
    // The 10:00 hour at the period's start belongs to the period before (hourStart < start).
    await addUsage("gina", "requests", 5_000_000, new Date("2026-03-01T10:00:00Z"));
    await addUsage("gina", "requests", 1_000_000, new Date("2026-03-20T10:00:00Z"));
    // Requests at 10:20 on the last day, flushed by an instance at 10:59.
    t.clock.now = new Date("2026-04-01T10:20:00Z");
    t.deps.meter.record("tenant_a", "gina", "requests", 10_000, new Date("2026-04-01T10:20:00Z"));
    expect(await finalizeDueInvoices(db(), new Date("2026-04-01T10:40:00Z"), 300_000)).toEqual([]);
    expect(await finalizeDueInvoices(db(), new Date("2026-04-01T11:04:59Z"), 300_000)).toEqual([]);
    t.clock.now = new Date("2026-04-01T10:59:00Z");
    await t.deps.meter.flush();
    const [period] = await periodsOf("gina");
    await expect(finalizeInvoice(db(), period?.id as string, new Date("2026-04-01T10:45:00Z"))).rejects.toThrow(
      /has not ended/,
    );
    const [invoiceId] = await finalizeDueInvoices(db(), new Date("2026-04-01T11:05:00Z"), 300_000);
    // 1,010,000 requests in the period: 1 block over.
    expect(await invoiceOf(invoiceId as string)).toMatchObject({ totalMinor: 2_000 + 5 });
  });
});
