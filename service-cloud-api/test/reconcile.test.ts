import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cloudConsumer } from "../src/services/consumer.ts";
import { finalizeInvoice } from "../src/services/invoicing/finalize-invoice.ts";
import { paymentHandlers } from "../src/services/invoicing/payments.ts";
import { runReconciliation } from "../src/services/jobs.ts";
import { planById } from "../src/services/plans.ts";
import { reconcile } from "../src/services/reconcile.ts";
import { emitEvent, emitRaw, subscriptionUpdated } from "./events.ts";
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

const db = () => t.deps.database;
const past = (s = 0) => new Date(t.clock.now.getTime() - 60_000 + s * 1_000);
const consume = async () => cloudConsumer(t.deps, paymentHandlers(t.deps), { listen: false })?.drain();

/** The billing side's rows for a subscription (what service-auth keeps in schema billing). */
async function billingSide(userId: string, subscriptionId: string, planId: string, status: string) {
  const plan = planById(planId);
  await db().query(
    `INSERT INTO "billing"."billing_plans" ("id", "name", "monthlyPriceMinor", "includedUsage", "overagePrices", "limits", "updatedAt")
     VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6::jsonb, now()) ON CONFLICT DO NOTHING`,
    [
      planId,
      plan.name,
      plan.monthlyPriceMinor,
      JSON.stringify(plan.includedUsage),
      JSON.stringify(plan.overagePrices),
      JSON.stringify(plan.limits),
    ],
  );
  await db().query(
    `INSERT INTO "billing"."billing_profiles" ("id", "customerId", "tenantId", "updatedAt") VALUES ($1, $2, 'tenant_a', now())
     ON CONFLICT DO NOTHING`,
    [`bp_${userId}`, userId],
  );
  await db().query(
    `INSERT INTO "billing"."billing_subscriptions" ("id", "billingProfileId", "planId", "status", "currentPeriodStart", "currentPeriodEnd", "updatedAt")
     VALUES ($1, $2, $3, $4, '2026-03-01', '2026-04-01', now())
     ON CONFLICT ("id") DO UPDATE SET "planId" = EXCLUDED."planId", "status" = EXCLUDED."status"`,
    [subscriptionId, `bp_${userId}`, planId, status],
  );
}

const put = async (sub: string, key: string, body: string) =>
  t.app.request(`/v1/objects/${key}`, {
    method: "PUT",
    headers: { ...(await t.as(sub)), "content-type": "text/plain" },
    body,
  });

describe("reconciliation", () => {
  it("finds nothing when everything agrees", async () => {
    await billingSide("alice", "sub_alice", "pro", "active");
    await emitEvent(db(), "subscription.updated", subscriptionUpdated("alice"), {
      at: past(),
      aggregateKey: "subscription:sub_alice",
    });
    await consume();
    await put("alice", "k", "hello");
    const report = await reconcile(db(), t.clock.now);
    expect(report.findings).toEqual([]);
    expect(report.summary).toEqual({});
  });

  it("reports usage counted after an invoice was issued (late counters) and never touches the invoice", async () => {
    await emitEvent(db(), "subscription.updated", subscriptionUpdated("alice", { collection: "invoice" }), {
      at: past(),
    });
    await consume();
    const [period] = await db().query<{ id: string }>(`SELECT "id" FROM "cloud"."cloud_billing_periods"`);
    const { invoiceId } = await finalizeInvoice(db(), period?.id as string, new Date("2026-04-01T00:10:00Z"));
    // A flush that landed after finalization, in the invoiced period.
    await db().query(
      `INSERT INTO "cloud"."cloud_usage_records" ("tenantId", "userId", "metric", "hourStart", "value") VALUES ('tenant_a', 'alice', 'requests', '2026-03-31T23:00:00Z', 1000001)`,
    );
    t.clock.now = new Date("2026-04-02T00:00:00Z");
    const report = await reconcile(db(), t.clock.now);
    expect(report.findings).toEqual([
      {
        kind: "usage_vs_invoice",
        tenantId: "tenant_a",
        userId: "alice",
        subject: `invoice:${invoiceId}`,
        details: expect.objectContaining({ invoicedMinor: 2_000, recomputedMinor: 2_005, differenceMinor: 5 }),
        repaired: false,
      },
    ]);
    const [row] = await db().query<{ totalMinor: number }>(`SELECT "totalMinor" FROM "cloud"."cloud_invoices"`);
    expect(row?.totalMinor).toBe(2_000);
    const stored = await db().query(`SELECT "kind", "repaired" FROM "cloud"."cloud_reconciliation_findings"`);
    expect(stored).toEqual([{ kind: "usage_vs_invoice", repaired: false }]);
  });

  it("repairs a drifted storage total and queues orphan chunks for collection", async () => {
    await put("alice", "a", "12345");
    await put("alice", "b", "678");
    await db().query(`UPDATE "cloud"."cloud_storage_usage" SET "bytes" = 999, "objects" = 7`);
    await db().query(`INSERT INTO "cloud"."cloud_object_chunks" ("blobId", "seq", "data") VALUES ('lost', 0, '\\x00')`);
    const report = await reconcile(db(), t.clock.now);
    expect(report.summary).toEqual({
      storage_total: { found: 1, repaired: 1 },
      orphan_blob: { found: 1, repaired: 1 },
    });
    expect(report.findings[0]?.details).toEqual({
      recordedBytes: 999,
      recordedObjects: 7,
      actualBytes: 8,
      actualObjects: 2,
    });
    expect(await db().query(`SELECT "bytes"::int AS bytes, "objects" FROM "cloud"."cloud_storage_usage"`)).toEqual([
      { bytes: 8, objects: 2 },
    ]);
    expect(await db().query(`SELECT "blobId" FROM "cloud"."cloud_blob_garbage"`)).toEqual([{ blobId: "lost" }]);
    expect((await reconcile(db(), t.clock.now)).findings).toEqual([]);
  });

  it("report-only mode repairs nothing", async () => {
    await put("alice", "a", "12345");
    await db().query(`UPDATE "cloud"."cloud_storage_usage" SET "bytes" = 1`);
    const report = await reconcile(db(), t.clock.now, { repair: false });
    expect(report.findings).toMatchObject([{ kind: "storage_total", repaired: false }]);
    expect(await db().query(`SELECT "bytes"::int AS bytes FROM "cloud"."cloud_storage_usage"`)).toEqual([{ bytes: 1 }]);
  });

  it("subscription state: re-applies the newest consumed event when it agrees with the billing side", async () => {
    await billingSide("alice", "sub_alice", "business", "active");
    await emitEvent(db(), "subscription.updated", subscriptionUpdated("alice", { planId: "business" }), {
      at: past(),
      aggregateKey: "subscription:sub_alice",
    });
    await consume();
    // The local state drifted (a lost write, a manual edit).
    await db().query(`UPDATE "cloud"."cloud_entitlements" SET "planId" = 'pro'`);
    const report = await reconcile(db(), t.clock.now);
    expect(report.findings).toMatchObject([
      {
        kind: "subscription_state",
        subject: "subscription:sub_alice",
        details: { billing: { planId: "business" }, local: { planId: "pro" } },
        repaired: true,
      },
    ]);
    expect(await db().query(`SELECT "planId" FROM "cloud"."cloud_entitlements"`)).toEqual([{ planId: "business" }]);
  });

  it("subscription state: reports without repairing when the billing side changed silently, or its event is pending or parked", async () => {
    await billingSide("alice", "sub_alice", "business", "active");
    await emitEvent(db(), "subscription.updated", subscriptionUpdated("alice", { planId: "pro" }), {
      at: past(),
      aggregateKey: "subscription:sub_alice",
    });
    await consume();
    await billingSide("carol", "sub_carol", "pro", "active");
    await billingSide("dave", "sub_dave", "pro", "canceled");
    await emitEvent(db(), "subscription.updated", subscriptionUpdated("dave"), {
      at: past(),
      aggregateKey: "subscription:sub_dave",
    });
    await consume();
    await emitEvent(
      db(),
      "subscription.canceled",
      {
        tenantId: "tenant_a",
        userId: "dave",
        subscriptionId: "sub_dave",
        planId: "pro",
        canceledAt: past().toISOString(),
      },
      { at: past(1), aggregateKey: "subscription:sub_dave" },
    );
    await consume();
    await db().query(`UPDATE "cloud"."cloud_entitlements" SET "status" = 'active' WHERE "userId" = 'dave'`);
    await billingSide("bob", "sub_bob", "pro", "active");
    await emitEvent(db(), "subscription.updated", subscriptionUpdated("bob"), {
      at: past(),
      aggregateKey: "subscription:sub_bob",
    });
    const report = await reconcile(db(), t.clock.now);
    const by = Object.fromEntries(report.findings.map((f) => [f.userId, f]));
    expect(by.alice).toMatchObject({
      repaired: false,
      details: { reason: "the billing side changed without announcing it" },
    });
    expect(by.bob).toMatchObject({ repaired: false, details: { reason: "its newest event is not consumed yet" } });
    expect(by.carol).toMatchObject({
      repaired: false,
      details: { reason: "the billing side announced no event for this subscription", local: null },
    });
    expect(by.dave).toMatchObject({ repaired: true });
    expect(await db().query(`SELECT "status" FROM "cloud"."cloud_entitlements" WHERE "userId" = 'dave'`)).toEqual([
      { status: "canceled" },
    ]);
  });

  it("reports a billing-side catalogue whose prices differ from the copy invoices are priced with", async () => {
    await billingSide("alice", "sub_alice", "pro", "active");
    await db().query(`UPDATE "billing"."billing_plans" SET "monthlyPriceMinor" = 2500 WHERE "id" = 'pro'`);
    await db().query(
      `INSERT INTO "billing"."billing_plans" ("id", "name", "monthlyPriceMinor", "includedUsage", "overagePrices", "limits", "updatedAt")
       VALUES ('platinum', 'Platinum', 90000, '{}', '{}', '{}', now())`,
    );
    const report = await reconcile(db(), t.clock.now);
    const catalogue = report.findings.filter((f) => f.kind === "plan_catalogue");
    expect(catalogue.map((f) => f.subject).sort()).toEqual(["plan:platinum", "plan:pro"]);
    expect(catalogue.find((f) => f.subject === "plan:pro")?.details).toMatchObject({
      billing: { monthlyPriceMinor: 2500 },
      cloud: { monthlyPriceMinor: 2000 },
    });
  });

  it("reports parked events and underpaid invoices", async () => {
    const parked = await emitRaw(db(), "payment.failed", { nope: true }, past());
    await consume();
    await emitEvent(db(), "subscription.updated", subscriptionUpdated("alice", { collection: "invoice" }), {
      at: past(),
    });
    await consume();
    const [period] = await db().query<{ id: string }>(`SELECT "id" FROM "cloud"."cloud_billing_periods"`);
    const { invoiceId } = await finalizeInvoice(db(), period?.id as string, new Date("2026-04-01T00:10:00Z"));
    await emitEvent(
      db(),
      "payment.succeeded",
      {
        tenantId: "tenant_a",
        userId: "alice",
        invoiceId,
        amountMinor: 1_500,
        currency: "usd",
        provider: "crypto",
        reference: "0xabc",
      },
      { at: past(2) },
    );
    await consume();
    const report = await reconcile(db(), t.clock.now);
    expect(report.findings).toEqual([
      expect.objectContaining({ kind: "parked_event", subject: `event:${parked}` }),
      expect.objectContaining({
        kind: "underpaid_invoice",
        details: { amountDueMinor: 2_000, paidAmountMinor: 1_500 },
      }),
    ]);
    // The background wrapper logs and never throws.
    await runReconciliation(t.deps);
  });
});
