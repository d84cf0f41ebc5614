import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { spawnNodeTs } from "../../packages/outbox/test/fixtures/process.ts";
import { cloudConsumer } from "../src/services/consumer.ts";
import { addMonths, periodAt } from "../src/services/entitlements.ts";
import { paymentHandlers } from "../src/services/invoicing/payments.ts";
import { HOUR_MS } from "../src/services/metering.ts";
import { QuotaGuard } from "../src/services/quota.ts";
import { emitEvent, emitRaw, GIB, subscriptionUpdated } from "./events.ts";
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

const consume = async () => {
  const consumer = cloudConsumer(t.deps, paymentHandlers(t.deps), { listen: false });
  return (consumer as NonNullable<typeof consumer>).drain();
};
const entitlements = async (sub: string, tid?: string) =>
  t.app.request("/v1/entitlements", { headers: await t.as(sub, { tid }) });
// Events are created in the recent past (the consumer claims only events due at its clock).
const at = (offsetMs = 0) => new Date(t.clock.now.getTime() - 60_000 + offsetMs);
const usageRow = (userId: string, metric: string, value: number, hourStart = "2026-03-05T10:00:00Z") =>
  t.deps.database.query(
    `INSERT INTO "cloud"."cloud_usage_records" ("tenantId", "userId", "metric", "hourStart", "value") VALUES ('tenant_a', $1, $2, $3, $4)`,
    [userId, metric, hourStart, value],
  );

describe("entitlements from billing events", () => {
  it("without any event: the free plan, calendar-month period, nothing used", async () => {
    const res = await entitlements("alice");
    expect(res.status).toBe(200);
    expect(await bodyOf(res)).toEqual({
      planId: "free",
      planName: "Free",
      status: "none",
      pastDue: false,
      collection: "invoice",
      cancelAtPeriodEnd: false,
      currentPeriod: { start: "2026-03-01T00:00:00.000Z", end: "2026-04-01T00:00:00.000Z" },
      limits: { maxObjectBytes: 10 * 1024 ** 2, maxStorageBytes: GIB },
      includedUsage: { requests: 10_000, transfer_bytes: GIB, storage_byte_hours: GIB * 730 },
      overagePrices: {},
      usage: { requests: 0, transfer_bytes: 0, storage_byte_hours: 0 },
      storage: { bytes: 0, objects: 0 },
      exhausted: [],
    });
  });

  it("subscription.updated sets plan, limits, period and fee collection; the period is recorded for invoicing", async () => {
    await emitEvent(t.deps.database, "subscription.updated", subscriptionUpdated("alice"), {
      at: at(),
      aggregateKey: "subscription:sub_alice",
    });
    expect(await consume()).toMatchObject({ processed: 1, parked: 0 });
    const body = await bodyOf(await entitlements("alice"));
    expect(body).toMatchObject({
      planId: "pro",
      status: "active",
      collection: "stripe_subscription",
      limits: { maxObjectBytes: GIB, maxStorageBytes: 500 * GIB },
      currentPeriod: { start: "2026-03-01T00:00:00.000Z", end: "2026-04-01T00:00:00.000Z" },
      overagePrices: { requests: { unitSize: 10_000, unitPriceMinor: 5 } },
    });
    const periods = await t.deps.database.query(
      `SELECT "planId", "collection", "periodEnd" FROM "cloud"."cloud_billing_periods"`,
    );
    expect(periods).toEqual([
      { planId: "pro", collection: "stripe_subscription", periodEnd: new Date("2026-04-01T00:00:00Z") },
    ]);
    // Another user and the same user in another tenant still have the free plan.
    expect(await bodyOf(await entitlements("bob"))).toMatchObject({ planId: "free" });
    expect(await bodyOf(await entitlements("alice", "tenant_b"))).toMatchObject({ planId: "free" });
  });

  it("an older event consumed after a newer one changes nothing; a cancellation returns to free", async () => {
    await emitEvent(t.deps.database, "subscription.updated", subscriptionUpdated("alice", { planId: "business" }), {
      at: at(2_000),
    });
    await emitEvent(t.deps.database, "subscription.updated", subscriptionUpdated("alice", { planId: "pro" }), {
      at: at(1_000),
    });
    await consume();
    expect(await bodyOf(await entitlements("alice"))).toMatchObject({ planId: "business" });
    // A cancellation of some other subscription of the user does not touch this one.
    await emitEvent(
      t.deps.database,
      "subscription.canceled",
      {
        tenantId: "tenant_a",
        userId: "alice",
        subscriptionId: "sub_other",
        planId: "pro",
        canceledAt: at().toISOString(),
      },
      { at: at(3_000) },
    );
    await consume();
    expect(await bodyOf(await entitlements("alice"))).toMatchObject({ planId: "business", status: "active" });
    await emitEvent(
      t.deps.database,
      "subscription.canceled",
      {
        tenantId: "tenant_a",
        userId: "alice",
        subscriptionId: "sub_alice",
        planId: "business",
        canceledAt: at().toISOString(),
      },
      { at: at(4_000) },
    );
    await consume();
    expect(await bodyOf(await entitlements("alice"))).toMatchObject({
      planId: "free",
      status: "canceled",
      limits: { maxObjectBytes: 10 * 1024 ** 2 },
    });
  });

  it("past_due shows pastDue; unpaid keeps the announced (cheapest) limits and the free allowances", async () => {
    await emitEvent(t.deps.database, "subscription.updated", subscriptionUpdated("alice", { status: "past_due" }), {
      at: at(),
    });
    await consume();
    expect(await bodyOf(await entitlements("alice"))).toMatchObject({
      status: "past_due",
      pastDue: true,
      planId: "pro",
    });
    const cheapest = { maxObjectBytes: 10 * 1024 ** 2, maxStorageBytes: GIB };
    await emitEvent(
      t.deps.database,
      "subscription.updated",
      subscriptionUpdated("alice", { status: "unpaid", limits: cheapest }),
      {
        at: at(1_000),
      },
    );
    await consume();
    expect(await bodyOf(await entitlements("alice"))).toMatchObject({
      status: "unpaid",
      pastDue: true,
      limits: cheapest,
      planName: "Free (restricted)",
      overagePrices: {},
    });
  });

  it("an unpaid subscription (incomplete) grants the free plan's limits and pricing until it is active", async () => {
    // Even an event carrying the paid plan's limits grants nothing before the first payment.
    await emitEvent(t.deps.database, "subscription.updated", subscriptionUpdated("alice", { status: "incomplete" }), {
      at: at(),
    });
    await consume();
    const free = { maxObjectBytes: 10 * 1024 ** 2, maxStorageBytes: GIB };
    expect(await bodyOf(await entitlements("alice"))).toMatchObject({
      status: "incomplete",
      planId: "pro",
      limits: free,
      includedUsage: { requests: 10_000 },
      overagePrices: {},
    });
    await emitEvent(t.deps.database, "subscription.updated", subscriptionUpdated("alice"), { at: at(1_000) });
    await consume();
    expect(await bodyOf(await entitlements("alice"))).toMatchObject({
      status: "active",
      limits: { maxObjectBytes: GIB, maxStorageBytes: 500 * GIB },
      includedUsage: { requests: 1_000_000 },
    });
  });

  it("a subscription whose period passed without a renewal event rolls forward by a month", async () => {
    await emitEvent(t.deps.database, "subscription.updated", subscriptionUpdated("alice"), { at: at() });
    await consume();
    t.clock.now = new Date("2026-04-15T00:00:00Z");
    expect(await bodyOf(await entitlements("alice"))).toMatchObject({
      currentPeriod: { start: "2026-04-01T00:00:00.000Z", end: "2026-05-01T00:00:00.000Z" },
    });
  });

  it("a period anchored on the 31st rolls to the month's last day and back (Feb 28/29, then Mar 31)", async () => {
    await emitEvent(
      t.deps.database,
      "subscription.updated",
      subscriptionUpdated("alice", {
        currentPeriodStart: "2025-12-31T09:00:00.000Z",
        currentPeriodEnd: "2026-01-31T09:00:00.000Z",
      }),
      { at: at() },
    );
    await consume();
    const period = async () => (await bodyOf(await entitlements("alice"))).currentPeriod;
    t.clock.now = new Date("2026-02-15T00:00:00Z");
    expect(await period()).toEqual({ start: "2026-01-31T09:00:00.000Z", end: "2026-02-28T09:00:00.000Z" });
    t.clock.now = new Date("2026-03-15T00:00:00Z");
    expect(await period()).toEqual({ start: "2026-02-28T09:00:00.000Z", end: "2026-03-31T09:00:00.000Z" });
    t.clock.now = new Date("2026-04-30T10:00:00Z");
    expect(await period()).toEqual({ start: "2026-04-30T09:00:00.000Z", end: "2026-05-31T09:00:00.000Z" });
  });

  it("addMonths clamps to the month's end, leap years included; periodAt counts from the anchor", () => {
    const d = (s: string) => new Date(s);
    expect(addMonths(d("2026-01-31T12:00:00Z"), 1)).toEqual(d("2026-02-28T12:00:00Z"));
    expect(addMonths(d("2028-01-31T12:00:00Z"), 1)).toEqual(d("2028-02-29T12:00:00Z"));
    expect(addMonths(d("2026-01-31T12:00:00Z"), 2)).toEqual(d("2026-03-31T12:00:00Z"));
    expect(addMonths(d("2026-03-31T00:00:00Z"), -1)).toEqual(d("2026-02-28T00:00:00Z"));
    expect(addMonths(d("2026-12-15T00:00:00Z"), 1)).toEqual(d("2027-01-15T00:00:00Z"));
    expect(addMonths(d("2026-01-15T00:00:00Z"), -13)).toEqual(d("2024-12-15T00:00:00Z"));
    const row = {
      status: "active",
      currentPeriodStart: d("2028-01-31T00:00:00Z"),
      currentPeriodEnd: d("2028-02-29T00:00:00Z"),
    };
    // Anchored on the 31st (Jan 31 → Feb 29): a year on, Jan 31 → Feb 28, then Mar 31.
    expect(periodAt(row, d("2029-02-10T00:00:00Z"))).toEqual({
      start: d("2029-01-31T00:00:00Z"),
      end: d("2029-02-28T00:00:00Z"),
    });
    expect(periodAt(row, d("2029-03-10T00:00:00Z"))).toEqual({
      start: d("2029-02-28T00:00:00Z"),
      end: d("2029-03-31T00:00:00Z"),
    });
    expect(addMonths(d("2026-02-28T00:00:00Z"), 1, 31)).toEqual(d("2026-03-31T00:00:00Z"));
    expect(periodAt(null, d("2026-02-10T00:00:00Z"))).toEqual({
      start: d("2026-02-01T00:00:00Z"),
      end: d("2026-03-01T00:00:00Z"),
    });
  });

  it("customer.created records the billing customer", async () => {
    await emitEvent(
      t.deps.database,
      "customer.created",
      { tenantId: "tenant_a", userId: "alice", billingProfileId: "bp_1", stripeCustomerId: "cus_1" },
      { at: at() },
    );
    await consume();
    expect(await t.deps.database.query(`SELECT "userId", "stripeCustomerId" FROM "cloud"."cloud_customers"`)).toEqual([
      { userId: "alice", stripeCustomerId: "cus_1" },
    ]);
  });

  it("parks a poison event (bad payload, unknown plan) with its error while the rest flow", async () => {
    const bad = await emitRaw(t.deps.database, "subscription.updated", { userId: "x" }, at());
    const unknown = await emitEvent(
      t.deps.database,
      "subscription.updated",
      subscriptionUpdated("carol", { planId: "platinum" }),
      {
        at: at(),
      },
    );
    await emitEvent(t.deps.database, "subscription.updated", subscriptionUpdated("alice"), { at: at(1) });
    expect(await consume()).toMatchObject({ processed: 1, parked: 2 });
    const parked = await t.deps.database.query<{ id: string; lastError: string }>(
      `SELECT "id", "lastError" FROM "billing"."billing_events" WHERE "parkedAt" IS NOT NULL ORDER BY "lastError"`,
    );
    expect(parked).toEqual([
      { id: bad, lastError: expect.stringContaining("payload breaks the subscription.updated schema") },
      { id: unknown, lastError: expect.stringContaining("unknown plan platinum") },
    ]);
    expect(await bodyOf(await entitlements("alice"))).toMatchObject({ planId: "pro" });
    expect(await bodyOf(await entitlements("carol"))).toMatchObject({ planId: "free" });
  });

  it("needs billing:read", async () => {
    expect(
      (await t.app.request("/v1/entitlements", { headers: await t.as("alice", { scope: "usage:read" }) })).status,
    ).toBe(403);
  });
});

describe("allowance enforcement", () => {
  it("a plan without overage: the request after the allowance is used up answers 402 QUOTA_EXCEEDED; billing routes stay open", async () => {
    await usageRow("alice", "requests", 9_999);
    const headers = await t.as("alice");
    expect((await t.app.request("/v1/me", { headers })).status).toBe(200);
    await t.deps.meter.flush();
    const refused = await t.app.request("/v1/me", { headers });
    expect(refused.status).toBe(402);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(await bodyOf(refused)).toMatchObject({
      code: "QUOTA_EXCEEDED",
      metric: "requests",
      included: 10_000,
      used: 10_000,
      resetsAt: "2026-04-01T00:00:00.000Z",
    });
    expect((await t.app.request("/v1/objects", { headers })).status).toBe(402);
    const ent = await entitlements("alice");
    expect(ent.status).toBe(200);
    expect(await bodyOf(ent)).toMatchObject({ exhausted: ["requests"] });
    expect((await t.app.request("/v1/invoices", { headers })).status).not.toBe(402);
    // Another customer is not affected.
    expect((await t.app.request("/v1/me", { headers: await t.as("bob") })).status).toBe(200);
    // The next period starts afresh.
    t.clock.now = new Date("2026-04-01T00:00:00Z");
    expect((await t.app.request("/v1/me", { headers: await t.as("alice") })).status).toBe(200);
  });

  it("transfer used up refuses downloads and uploads, not other requests; storage used up refuses uploads", async () => {
    await t.app.request("/v1/objects/k", {
      method: "PUT",
      headers: { ...(await t.as("alice")), "content-type": "text/plain" },
      body: "x",
    });
    await usageRow("alice", "transfer_out_bytes", GIB);
    const headers = await t.as("alice");
    expect(await bodyOf(await t.app.request("/v1/objects/k", { headers }))).toMatchObject({
      code: "QUOTA_EXCEEDED",
      metric: "transfer_bytes",
    });
    expect((await t.app.request("/v1/objects/k", { method: "PUT", headers, body: "y" })).status).toBe(402);
    expect((await t.app.request("/v1/me", { headers })).status).toBe(200);
    await usageRow("bob", "storage_byte_hours", GIB * 730);
    const bob = await t.as("bob");
    expect(
      await bodyOf(await t.app.request("/v1/objects/k", { method: "PUT", headers: bob, body: "y" })),
    ).toMatchObject({
      metric: "storage_byte_hours",
    });
    expect((await t.app.request("/v1/objects/k", { headers: bob })).status).toBe(404);
  });

  it("a plan with overage is never refused for usage (it is billed instead)", async () => {
    await emitEvent(t.deps.database, "subscription.updated", subscriptionUpdated("alice"), { at: at() });
    await consume();
    await usageRow("alice", "requests", 5_000_000);
    await usageRow("alice", "transfer_out_bytes", 500 * GIB);
    expect((await t.app.request("/v1/me", { headers: await t.as("alice") })).status).toBe(200);
  });

  it("the cache counts this process's requests between refreshes, and refreshes after its TTL", async () => {
    await usageRow("dave", "requests", 9_998);
    const guard = new QuotaGuard(t.deps.database, () => t.clock.now, 60_000);
    const dave = { tenantId: "tenant_a", userId: "dave" };
    await guard.check(dave, "request");
    guard.count(dave, "requests", 1);
    await guard.check(dave, "request");
    guard.count(dave, "requests", 1);
    await expect(guard.check(dave, "request")).rejects.toMatchObject({ code: "QUOTA_EXCEEDED" });
    await expect(guard.check(dave, "exempt")).resolves.toMatchObject({ planId: "free" });
    // After the TTL the database is read again (here: nothing was flushed, so it allows again).
    t.clock.now = new Date(t.clock.now.getTime() + HOUR_MS);
    await expect(guard.check(dave, "request")).resolves.toMatchObject({ planId: "free" });
    guard.forget(dave);
    guard.count(dave, "requests", 1);
  });
});

describe("the consumer in several processes", () => {
  it("two consumer processes on one queue apply every event exactly once", async () => {
    const n = 200;
    const cwd = fileURLToPath(new URL("..", import.meta.url));
    // Each application takes a few milliseconds (APPLY_DELAY_MS), as real handlers do, so the
    // queue outlasts one process's batch; and both processes listen before the first event is
    // committed, so neither can drain the queue before the other has started (tsx start-up
    // under a loaded CI machine takes seconds).
    const procs = [0, 1].map(() =>
      spawnNodeTs("test/fixtures/consumer-process.ts", {
        cwd,
        env: { DATABASE_URL: t.url, APPLY_DELAY_MS: "5" },
      }),
    );
    try {
      await expect
        .poll(() => procs.every((p) => p.output().includes("ready")), { timeout: 60_000, interval: 100 })
        .toBe(true);
      for (let i = 0; i < n; i++) {
        await emitEvent(t.deps.database, "subscription.updated", subscriptionUpdated(`u${i}`), {
          at: at(i),
          aggregateKey: `subscription:sub_u${i}`,
        });
      }
      await expect
        .poll(
          async () =>
            Number(
              (
                await t.deps.database.query<{ n: string }>(
                  `SELECT count(*) AS n FROM "billing"."billing_events" WHERE "processed"`,
                )
              )[0]?.n,
            ),
          { timeout: 60_000, interval: 200 },
        )
        .toBe(n);
    } finally {
      for (const p of procs) p.child.kill("SIGTERM");
      await Promise.all(procs.map((p) => p.exited));
    }
    const applied = procs.flatMap((p) => [...p.output().matchAll(/^applied (\S+)$/gm)].map((m) => m[1]));
    expect(applied).toHaveLength(n);
    expect(new Set(applied).size).toBe(n);
    // Both took part (SKIP LOCKED shares the queue), and every entitlement is there.
    expect(procs.every((p) => p.output().includes("applied"))).toBe(true);
    const [count] = await t.deps.database.query<{ n: string }>(
      `SELECT count(*) AS n FROM "cloud"."cloud_entitlements"`,
    );
    expect(Number(count?.n)).toBe(n);
  });
});
