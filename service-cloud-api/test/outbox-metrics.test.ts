// The outbox gauges of cloud-api's consumer, read from the shared outbox on each scrape of /metrics.
import { scrapeMetric } from "@atlas/service-kit/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cloudConsumer } from "../src/services/consumer.ts";
import { paymentHandlers } from "../src/services/invoicing/payments.ts";
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

const consume = async () => {
  const consumer = cloudConsumer(t.deps, paymentHandlers(t.deps), { listen: false });
  return (consumer as NonNullable<typeof consumer>).drain();
};
const gauge = (name: string, eventType: string) =>
  scrapeMetric(t.app, name, { consumer: "service-cloud-api", event_type: eventType });

describe("outbox metrics of cloud-api", () => {
  it("outbox_lag_seconds is the wait of the oldest due event; consuming it brings the lag back to 0", async () => {
    expect(await gauge("outbox_lag_seconds", "subscription.updated")).toBe(0);
    await emitEvent(t.deps.database, "subscription.updated", subscriptionUpdated("alice"), {
      at: new Date(t.clock.now.getTime() - 45_000),
    });
    expect(await gauge("outbox_lag_seconds", "subscription.updated")).toBe(45);
    expect(await gauge("outbox_lag_seconds", "customer.created")).toBe(0);
    expect(await consume()).toMatchObject({ processed: 1 });
    expect(await gauge("outbox_lag_seconds", "subscription.updated")).toBe(0);
  });

  it("outbox_parked_events counts a poison event once the consumer parks it", async () => {
    await emitRaw(
      t.deps.database,
      "subscription.updated",
      { not: "a subscription" },
      new Date(t.clock.now.getTime() - 1_000),
    );
    expect(await gauge("outbox_parked_events", "subscription.updated")).toBe(0);
    expect(await consume()).toMatchObject({ parked: 1 });
    expect(await gauge("outbox_parked_events", "subscription.updated")).toBe(1);
    expect(await gauge("outbox_lag_seconds", "subscription.updated")).toBe(0);
  });
});
