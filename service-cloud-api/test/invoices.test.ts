import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cloudConsumer } from "../src/services/consumer.ts";
import { computeInvoice, overageUnits } from "../src/services/invoicing/compute.ts";
import { finalizeDueInvoices, finalizeInvoice } from "../src/services/invoicing/finalize-invoice.ts";
import { paymentHandlers } from "../src/services/invoicing/payments.ts";
import { runPeriodicJobs } from "../src/services/jobs.ts";
import { HOUR_MS } from "../src/services/metering.ts";
import { BILLING_METRICS, type BillingMetric, PLANS, type Plan, planById } from "../src/services/plans.ts";
import { emitEvent, GIB, subscriptionUpdated } from "./events.ts";
import { bodyOf, type CloudTestApp, createCloudTestApp } from "./harness.ts";

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
const AFTER_MARCH = new Date("2026-04-01T00:10:00Z");

/** Independent statement of the pricing rule: plan price + Σ(started overage blocks × unit price). */
function expectedTotal(plan: Plan, usage: Record<BillingMetric, number>): bigint {
  let total = BigInt(plan.monthlyPriceMinor);
  for (const m of BILLING_METRICS) {
    const price = plan.overagePrices[m];
    if (!price) continue;
    const over = BigInt(usage[m]) - BigInt(plan.includedUsage[m]);
    if (over <= 0n) continue;
    const blocks = (over + BigInt(price.unitSize) - 1n) / BigInt(price.unitSize);
    total += blocks * BigInt(price.unitPriceMinor);
  }
  return total;
}

const consume = async () => {
  const consumer = cloudConsumer(t.deps, paymentHandlers(t.deps), { listen: false });
  return (consumer as NonNullable<typeof consumer>).drain();
};

async function subscribe(userId: string, overrides: Parameters<typeof subscriptionUpdated>[1] = {}) {
  await emitEvent(t.deps.database, "subscription.updated", subscriptionUpdated(userId, overrides), {
    at: new Date(t.clock.now.getTime() - 60_000),
  });
  await consume();
  const [period] = await t.deps.database.query<{ id: string }>(
    `SELECT "id" FROM "cloud"."cloud_billing_periods" WHERE "userId" = $1 AND "tenantId" = $2`,
    [userId, overrides.tenantId ?? "tenant_a"],
  );
  return period?.id as string;
}

async function addUsage(userId: string, metric: string, value: number, hourStart: Date, tenantId = "tenant_a") {
  await t.deps.database.query(
    `INSERT INTO "cloud"."cloud_usage_records" ("tenantId", "userId", "metric", "hourStart", "value") VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT ("tenantId", "userId", "metric", "hourStart") DO UPDATE SET "value" = "cloud_usage_records"."value" + EXCLUDED."value"`,
    [tenantId, userId, metric, hourStart, value],
  );
}

const invoiceRow = async (id: string) =>
  (
    await t.deps.database.query<{ status: string; number: number; totalMinor: number; amountDueMinor: number }>(
      `SELECT "status", "number", "totalMinor", "amountDueMinor" FROM "cloud"."cloud_invoices" WHERE "id" = $1`,
      [id],
    )
  )[0];
const finalizedEvents = () =>
  t.deps.database.query<{ payload: Record<string, unknown>; aggregateKey: string; sourceService: string }>(
    `SELECT "payload", "aggregateKey", "sourceService" FROM "billing"."billing_events" WHERE "eventType" = 'invoice.finalized' ORDER BY "seq"`,
  );

describe("invoice pricing (property-based)", () => {
  it("total = plan price + Σ(overage blocks × unit price), to the cent, for any usage; lines add up; prepaid fee not due", () => {
    const usage = fc.record({
      requests: fc.nat({ max: 50_000_000 }),
      transfer_bytes: fc.nat({ max: 5_000 * GIB }),
      storage_byte_hours: fc.nat({ max: 1_000 * GIB * 730 }),
    });
    fc.assert(
      fc.property(fc.constantFrom(...PLANS), usage, fc.boolean(), (plan, used, stripe) => {
        const draft = computeInvoice(plan, used, stripe ? "stripe_subscription" : "invoice", MARCH);
        expect(BigInt(draft.totalMinor)).toBe(expectedTotal(plan, used));
        expect(draft.lines.reduce((s, l) => s + l.amountMinor, 0)).toBe(draft.totalMinor);
        for (const l of draft.lines) {
          expect(Number.isInteger(l.amountMinor) && l.amountMinor === l.quantity * l.unitPriceMinor).toBe(true);
        }
        expect(draft.amountDueMinor).toBe(draft.totalMinor - (stripe ? plan.monthlyPriceMinor : 0));
      }),
      { numRuns: 2_000 },
    );
  });

  it("bills per started block, and nothing within the allowance", () => {
    expect(overageUnits(10, 10, 5)).toBe(0);
    expect(overageUnits(11, 10, 5)).toBe(1);
    expect(overageUnits(15, 10, 5)).toBe(1);
    expect(overageUnits(16, 10, 5)).toBe(2);
    const pro = planById("pro");
    const draft = computeInvoice(
      pro,
      { requests: 1_000_001, transfer_bytes: 0, storage_byte_hours: 0 },
      "invoice",
      MARCH,
    );
    expect(draft.lines.map((l) => [l.kind, l.quantity, l.unitPriceMinor, l.amountMinor])).toEqual([
      ["subscription", 1, 2_000, 2_000],
      ["overage:requests", 1, 5, 5],
    ]);
    expect(draft.totalMinor).toBe(2_005);
    expect(() =>
      computeInvoice(
        { ...pro, monthlyPriceMinor: 2_147_483_647 },
        { requests: 2e9, transfer_bytes: 0, storage_byte_hours: 0 },
        "invoice",
        MARCH,
      ),
    ).toThrow(RangeError);
  });

  it("a finalized invoice equals the formula over random hourly usage in Postgres (usage outside the period ignored)", async () => {
    const hour = fc.integer({ min: 0, max: 743 });
    const entry = fc.record({
      metric: fc.constantFrom("requests", "transfer_in_bytes", "transfer_out_bytes", "storage_byte_hours"),
      hour,
      value: fc.integer({ min: 1, max: 200 * GIB }),
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("pro", "business"),
        fc.array(entry, { maxLength: 30 }),
        fc.boolean(),
        async (planId, entries, stripe) => {
          run += 1;
          const user = `prop_${run}`;
          const periodId = await subscribe(user, { planId, collection: stripe ? "stripe_subscription" : "invoice" });
          const used = { requests: 0, transfer_bytes: 0, storage_byte_hours: 0 };
          for (const e of entries) {
            const value = e.metric === "requests" ? e.value % 5_000_000 : e.value;
            await addUsage(user, e.metric, value, new Date(MARCH.start.getTime() + e.hour * HOUR_MS));
            const key = e.metric.startsWith("transfer") ? "transfer_bytes" : (e.metric as BillingMetric);
            used[key] += value;
          }
          // Usage just outside the period is not billed in it.
          await addUsage(user, "requests", 9_999_999, new Date(MARCH.start.getTime() - HOUR_MS));
          await addUsage(user, "requests", 9_999_999, MARCH.end);
          const { invoiceId } = await finalizeInvoice(t.deps.database, periodId, AFTER_MARCH);
          const row = await invoiceRow(invoiceId);
          const plan = planById(planId);
          expect(BigInt(row?.totalMinor as number)).toBe(expectedTotal(plan, used));
          expect(row?.amountDueMinor).toBe((row?.totalMinor as number) - (stripe ? plan.monthlyPriceMinor : 0));
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe("finalizing invoices", () => {
  it("finalizing twice (in sequence and concurrently) yields one invoice, one number, one invoice.finalized", async () => {
    const periodId = await subscribe("alice", { collection: "invoice" });
    await addUsage("alice", "requests", 1_250_000, new Date("2026-03-10T10:00:00Z"));
    const results = await Promise.all([0, 1, 2, 3].map(() => finalizeInvoice(t.deps.database, periodId, AFTER_MARCH)));
    const again = await finalizeInvoice(t.deps.database, periodId, AFTER_MARCH);
    const ids = new Set([...results, again].map((r) => r.invoiceId));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(again.created).toBe(false);
    expect(await t.deps.database.query(`SELECT "number" FROM "cloud"."cloud_invoices"`)).toEqual([{ number: 1 }]);
    const events = await finalizedEvents();
    expect(events).toHaveLength(1);
    const [invoiceId] = [...ids];
    expect(events[0]).toEqual({
      sourceService: "service-cloud-api",
      aggregateKey: `invoice:${invoiceId}`,
      payload: {
        tenantId: "tenant_a",
        userId: "alice",
        invoiceId,
        number: 1,
        totalMinor: 2_000 + 25 * 5,
        amountDueMinor: 2_000 + 25 * 5,
        currency: "usd",
        // Due INVOICE_DUE_DAYS (14 by default) after finalization.
        dueAt: "2026-04-15T00:10:00.000Z",
      },
    });
  });

  it("a Stripe-collected plan fee is listed as prepaid: total = price + overage, amountDue = overage", async () => {
    const periodId = await subscribe("alice");
    await addUsage("alice", "transfer_out_bytes", 103 * GIB, new Date("2026-03-10T10:00:00Z"));
    await addUsage("alice", "transfer_in_bytes", 1, new Date("2026-03-11T10:00:00Z"));
    const { invoiceId } = await finalizeInvoice(t.deps.database, periodId, AFTER_MARCH);
    const res = await t.app.request(`/v1/invoices/${invoiceId}`, { headers: await t.as("alice") });
    expect(res.status).toBe(200);
    expect(await bodyOf(res)).toMatchObject({
      id: invoiceId,
      number: 1,
      status: "finalized",
      planId: "pro",
      currency: "usd",
      periodStart: "2026-03-01T00:00:00.000Z",
      periodEnd: "2026-04-01T00:00:00.000Z",
      totalMinor: 2_000 + 4 * 9,
      prepaidMinor: 2_000,
      amountDueMinor: 36,
      lines: [
        { position: 1, kind: "subscription", quantity: 1, unitPriceMinor: 2_000, amountMinor: 2_000, prepaid: true },
        {
          position: 2,
          kind: "overage:transfer_bytes",
          quantity: 4,
          unitPriceMinor: 9,
          amountMinor: 36,
          prepaid: false,
          usedQuantity: 103 * GIB + 1,
          includedQuantity: 100 * GIB,
        },
      ],
    });
    expect((await finalizedEvents())[0]?.payload).toMatchObject({ totalMinor: 2_036, amountDueMinor: 36 });
  });

  it("numbers invoices per tenant without gaps", async () => {
    const periods: string[] = [];
    for (const u of ["a", "b", "c"]) periods.push(await subscribe(u));
    periods.push(await subscribe("a", { tenantId: "tenant_b" }));
    await Promise.all(periods.map((p) => finalizeInvoice(t.deps.database, p, AFTER_MARCH)));
    const rows = await t.deps.database.query<{ tenantId: string; number: number }>(
      `SELECT "tenantId", "number" FROM "cloud"."cloud_invoices" ORDER BY "tenantId", "number"`,
    );
    expect(rows).toEqual([
      { tenantId: "tenant_a", number: 1 },
      { tenantId: "tenant_a", number: 2 },
      { tenantId: "tenant_a", number: 3 },
      { tenantId: "tenant_b", number: 1 },
    ]);
  });

  it("a finalization that fails gives its number back (no gap)", async () => {
    const first = await subscribe("a");
    await expect(finalizeInvoice(t.deps.database, first, new Date("2026-03-20T00:00:00Z"))).rejects.toThrow(
      /has not ended/,
    );
    await expect(finalizeInvoice(t.deps.database, "no-such-period", AFTER_MARCH)).rejects.toThrow(/no billing period/);
    // A failure after the number was taken: the plan's price overflows the invoice range.
    const overflow = await subscribe("b");
    await addUsage("b", "requests", 2 ** 52, new Date("2026-03-02T00:00:00Z"));
    await expect(finalizeInvoice(t.deps.database, overflow, AFTER_MARCH)).rejects.toThrow(RangeError);
    await finalizeInvoice(t.deps.database, first, AFTER_MARCH);
    expect(await t.deps.database.query(`SELECT "number" FROM "cloud"."cloud_invoices"`)).toEqual([{ number: 1 }]);
  });

  it("a finalized invoice is immutable: amounts, number and lines cannot change; only the payment status moves", async () => {
    const { invoiceId } = await finalizeInvoice(t.deps.database, await subscribe("alice"), AFTER_MARCH);
    const db = t.deps.database;
    await expect(
      db.query(`UPDATE "cloud"."cloud_invoices" SET "totalMinor" = 1 WHERE "id" = $1`, [invoiceId]),
    ).rejects.toThrow(/immutable/);
    await expect(
      db.query(`UPDATE "cloud"."cloud_invoices" SET "number" = 7 WHERE "id" = $1`, [invoiceId]),
    ).rejects.toThrow(/immutable/);
    await expect(
      db.query(`UPDATE "cloud"."cloud_invoices" SET "status" = 'draft' WHERE "id" = $1`, [invoiceId]),
    ).rejects.toThrow(/draft/);
    await expect(db.query(`DELETE FROM "cloud"."cloud_invoices" WHERE "id" = $1`, [invoiceId])).rejects.toThrow(
      /cannot be deleted/,
    );
    await expect(
      db.query(`UPDATE "cloud"."cloud_invoice_lines" SET "amountMinor" = 0 WHERE "invoiceId" = $1`, [invoiceId]),
    ).rejects.toThrow(/immutable/);
    await expect(
      db.query(`DELETE FROM "cloud"."cloud_invoice_lines" WHERE "invoiceId" = $1`, [invoiceId]),
    ).rejects.toThrow(/immutable/);
    await expect(
      db.query(
        `INSERT INTO "cloud"."cloud_invoice_lines" ("id", "invoiceId", "position", "description", "kind", "quantity", "unitPriceMinor", "amountMinor")
         VALUES ('x', $1, 9, 'extra', 'x', 1, 1, 1)`,
        [invoiceId],
      ),
    ).rejects.toThrow(/immutable/);
    await db.query(`UPDATE "cloud"."cloud_invoices" SET "status" = 'paid' WHERE "id" = $1`, [invoiceId]);
    expect(await invoiceRow(invoiceId)).toMatchObject({ status: "paid", totalMinor: 2_000 });
  });

  it("the periodic job invoices periods that ended more than the grace ago, once", async () => {
    await subscribe("alice");
    await subscribe("bob", {
      currentPeriodStart: "2026-03-15T00:00:00.000Z",
      currentPeriodEnd: "2026-04-15T00:00:00.000Z",
    });
    expect(await finalizeDueInvoices(t.deps.database, new Date("2026-04-01T00:04:00Z"), 300_000)).toEqual([]);
    expect(await finalizeDueInvoices(t.deps.database, new Date("2026-04-01T00:05:00Z"), 300_000)).toHaveLength(1);
    t.clock.now = new Date("2026-04-20T00:00:00Z");
    await runPeriodicJobs(t.deps);
    await runPeriodicJobs(t.deps);
    expect(
      await t.deps.database.query(`SELECT "userId", "number" FROM "cloud"."cloud_invoices" ORDER BY "number"`),
    ).toEqual([
      { userId: "alice", number: 1 },
      { userId: "bob", number: 2 },
    ]);
  });
});

describe("payment events", () => {
  // Payments follow the invoice: the clock is after AFTER_MARCH, when the invoices are finalized
  // (within an invoice's aggregate, an event is never stamped before the one preceding it).
  beforeEach(() => {
    t.clock.now = new Date("2026-04-02T00:00:00Z");
  });
  async function invoiceFor(userId: string) {
    const { invoiceId } = await finalizeInvoice(t.deps.database, await subscribe(userId), AFTER_MARCH);
    return invoiceId;
  }
  const at = (s: number) => new Date(t.clock.now.getTime() - 60_000 + s * 1_000);
  const succeeded = (invoiceId: string, userId = "alice") => ({
    tenantId: "tenant_a",
    userId,
    invoiceId,
    amountMinor: 2_000,
    currency: "usd",
    provider: "stripe" as const,
    reference: "pi_1",
  });
  const failed = (invoiceId: string, userId = "alice") => ({
    tenantId: "tenant_a",
    userId,
    invoiceId,
    provider: "stripe" as const,
    failureCode: "card_declined",
  });

  it("payment.succeeded marks the invoice paid; a duplicate delivery changes nothing", async () => {
    const id = await invoiceFor("alice");
    await emitEvent(t.deps.database, "payment.succeeded", succeeded(id), {
      at: at(1),
      dedupeKey: "p1",
      aggregateKey: `invoice:${id}`,
    });
    await emitEvent(t.deps.database, "payment.succeeded", succeeded(id), {
      at: at(2),
      dedupeKey: "p1-again",
      aggregateKey: `invoice:${id}`,
    });
    // Events of one invoice apply in order, one per batch.
    expect(await consume()).toMatchObject({ processed: 1, parked: 0 });
    expect(await consume()).toMatchObject({ processed: 1, parked: 0 });
    const invoice = await bodyOf(await t.app.request(`/v1/invoices/${id}`, { headers: await t.as("alice") }));
    expect(invoice).toMatchObject({ status: "paid", paidAmountMinor: 2_000, paidAt: at(1).toISOString() });
  });

  it("failure then success: paid; success then a late failure (out of order): still paid", async () => {
    const a = await invoiceFor("alice");
    await emitEvent(t.deps.database, "payment.failed", failed(a), { at: at(1) });
    await consume();
    expect(await invoiceRow(a)).toMatchObject({ status: "failed" });
    expect(await bodyOf(await t.app.request("/v1/entitlements", { headers: await t.as("alice") }))).toMatchObject({
      pastDue: true,
    });
    await emitEvent(t.deps.database, "payment.succeeded", succeeded(a), { at: at(2) });
    await consume();
    expect(await invoiceRow(a)).toMatchObject({ status: "paid" });

    const b = await invoiceFor("bob");
    await emitEvent(t.deps.database, "payment.succeeded", succeeded(b, "bob"), { at: at(2) });
    await emitEvent(t.deps.database, "payment.failed", failed(b, "bob"), { at: at(1) });
    await consume();
    expect(await invoiceRow(b)).toMatchObject({ status: "paid" });
    // Failures twice: failed, with the latest code.
    const c = await invoiceFor("carol");
    await emitEvent(t.deps.database, "payment.failed", failed(c, "carol"), { at: at(1) });
    await emitEvent(
      t.deps.database,
      "payment.failed",
      { ...failed(c, "carol"), failureCode: "expired_card" },
      { at: at(2) },
    );
    await consume();
    const row = await t.deps.database.query(
      `SELECT "status", "failureCode" FROM "cloud"."cloud_invoices" WHERE "id" = $1`,
      [c],
    );
    expect(row).toEqual([{ status: "failed", failureCode: "expired_card" }]);
  });

  it("charge.canceled (the account was deleted) voids a finalized or failed invoice, never a paid one", async () => {
    const canceled = (invoiceId: string, userId = "alice") => ({
      tenantId: "tenant_a",
      userId,
      invoiceId,
      reason: "account_deleted" as const,
    });
    const a = await invoiceFor("alice");
    await emitEvent(t.deps.database, "payment.failed", failed(a), { at: at(1), aggregateKey: `invoice:${a}` });
    await emitEvent(t.deps.database, "charge.canceled", canceled(a), { at: at(2), aggregateKey: `invoice:${a}` });
    await consume();
    await consume();
    expect(await invoiceRow(a)).toMatchObject({ status: "void" });
    // A late failure of an earlier attempt leaves it void.
    await emitEvent(t.deps.database, "payment.failed", failed(a), { at: at(3), dedupeKey: "late-failure" });
    await consume();
    expect(await invoiceRow(a)).toMatchObject({ status: "void" });
    const b = await invoiceFor("bob");
    // Both on the invoice's aggregate, as service-auth announces them: applied in commit order.
    await emitEvent(t.deps.database, "payment.succeeded", succeeded(b, "bob"), {
      at: at(1),
      aggregateKey: `invoice:${b}`,
    });
    await emitEvent(t.deps.database, "charge.canceled", canceled(b, "bob"), {
      at: at(2),
      aggregateKey: `invoice:${b}`,
    });
    await consume();
    await consume();
    expect(await invoiceRow(b)).toMatchObject({ status: "paid" });
  });

  it("parks payments of unknown invoices or naming another customer, and applies the rest", async () => {
    const id = await invoiceFor("alice");
    await emitEvent(t.deps.database, "payment.succeeded", succeeded("no-such-invoice"), { at: at(1) });
    await emitEvent(t.deps.database, "payment.succeeded", succeeded(id, "mallory"), { at: at(1) });
    await emitEvent(t.deps.database, "payment.failed", failed(id), { at: at(2) });
    expect(await consume()).toMatchObject({ processed: 1, parked: 2 });
    expect(await invoiceRow(id)).toMatchObject({ status: "failed" });
  });
});

describe("invoices API", () => {
  it("lists the caller's invoices newest first with line items, paginated", async () => {
    for (const [start, end] of [
      ["2026-01-01", "2026-02-01"],
      ["2026-02-01", "2026-03-01"],
      ["2026-03-01", "2026-04-01"],
    ]) {
      const id = await subscribe("alice", {
        currentPeriodStart: `${start}T00:00:00.000Z`,
        currentPeriodEnd: `${end}T00:00:00.000Z`,
      });
      await finalizeInvoice(t.deps.database, id, AFTER_MARCH);
      await t.deps.database.query(`DELETE FROM "cloud"."cloud_billing_periods"`);
    }
    const headers = await t.as("alice");
    const first = await bodyOf(await t.app.request("/v1/invoices?limit=2", { headers }));
    expect(first.items.map((i: { periodStart: string }) => i.periodStart.slice(0, 7))).toEqual(["2026-03", "2026-02"]);
    expect(first.items[0].lines).toHaveLength(1);
    const second = await bodyOf(await t.app.request(`/v1/invoices?limit=2&cursor=${first.nextCursor}`, { headers }));
    expect(second.items.map((i: { periodStart: string }) => i.periodStart.slice(0, 7))).toEqual(["2026-01"]);
    expect(second.nextCursor).toBeNull();
    expect((await t.app.request("/v1/invoices?cursor=bm9wZQ", { headers })).status).toBe(400);
    expect((await t.app.request("/v1/invoices?limit=500", { headers })).status).toBe(400);
  });

  it("renders an invoice as a PDF", async () => {
    const periodId = await subscribe("alice", { collection: "invoice" });
    await addUsage("alice", "requests", 1_030_000, new Date("2026-03-10T10:00:00Z"));
    const { invoiceId } = await finalizeInvoice(t.deps.database, periodId, AFTER_MARCH);
    const res = await t.app.request(`/v1/invoices/${invoiceId}/pdf`, { headers: await t.as("alice") });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    const pdf = Buffer.from(await res.arrayBuffer());
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    expect(Number(res.headers.get("content-length"))).toBe(pdf.length);
    // The same invoice renders to the same bytes.
    const again = Buffer.from(
      await (await t.app.request(`/v1/invoices/${invoiceId}/pdf`, { headers: await t.as("alice") })).arrayBuffer(),
    );
    expect(again.equals(pdf)).toBe(true);
  });
});
