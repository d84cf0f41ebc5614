import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBackground } from "../src/services/jobs.ts";
import { emitEvent, subscriptionUpdated } from "./events.ts";
import { type CloudTestApp, createCloudTestApp } from "./harness.ts";

let t: CloudTestApp;
beforeAll(async () => {
  t = await createCloudTestApp({ BILLING_JOB_INTERVAL_SEC: "1", RECONCILE_INTERVAL_SEC: "1", INVOICE_GRACE_SEC: "0" });
  await t.reset();
});
afterAll(async () => {
  await t.close();
});

describe("background work of a cloud-api process", () => {
  it("consumes committed events at once (LISTEN/NOTIFY), invoices ended periods, accrues, reconciles, flushes on stop", async () => {
    t.clock.now = new Date("2026-04-02T00:00:00Z");
    const stop = startBackground(t.deps);
    try {
      await emitEvent(t.deps.database, "subscription.updated", subscriptionUpdated("alice"), {
        at: new Date("2026-04-01T23:59:00Z"),
        aggregateKey: "subscription:sub_alice",
      });
      const count = async (sql: string) => Number((await t.deps.database.query<{ n: string }>(sql))[0]?.n);
      await expect
        .poll(() => count(`SELECT count(*) AS n FROM "cloud"."cloud_entitlements"`), { timeout: 10_000, interval: 50 })
        .toBe(1);
      await expect
        .poll(() => count(`SELECT count(*) AS n FROM "cloud"."cloud_invoices"`), { timeout: 10_000, interval: 100 })
        .toBe(1);
      t.deps.meter.record("tenant_a", "alice", "requests", 3);
    } finally {
      await stop();
    }
    const [row] = await t.deps.database.query<{ total: string }>(
      `SELECT sum("value")::text AS total FROM "cloud"."cloud_usage_records" WHERE "metric" = 'requests'`,
    );
    expect(row?.total).toBe("3");
  });
});
