// Stripe webhook attacks and delivery faults: forged or replayed deliveries change nothing, and
// each event id takes effect once however it is delivered.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  billingEvents,
  billingHeaders,
  customerWithCard,
  deliverWebhook,
  OLD_WEBHOOK_SECRET,
  startBillingApp,
  stripeSignature,
  WEBHOOK_SECRET,
} from "./billing-fixtures.ts";
import type { FakeStripe } from "./fakes/stripe.ts";
import { createTestApp, type TestApp } from "./harness.ts";

let t: TestApp;
let stripe: FakeStripe;

beforeAll(async () => {
  ({ t, stripe } = await startBillingApp());
});
beforeEach(async () => {
  await t.reset();
  stripe.reset();
});
afterAll(async () => {
  await t.close();
  await stripe.stop();
});

/** A subscribed customer, and the Stripe subscription object behind it. */
async function subscribed() {
  const who = await customerWithCard(t, stripe);
  const res = await t.app.request("/billing/subscriptions", {
    method: "POST",
    headers: billingHeaders(who.auth),
    body: JSON.stringify({ planId: "pro" }),
  });
  const sub = (await res.json()) as { id: string };
  const local = await t.deps.prisma.subscription.findUniqueOrThrow({ where: { id: sub.id } });
  const stripeSub = stripe.subscriptions.get(local.stripeSubscriptionId as string) as Record<string, unknown>;
  return { ...who, sub, stripeSub };
}

/** Stripe moves the subscription to the business price (e.g. changed in the dashboard). */
function upgradeAtStripe(stripeSub: Record<string, unknown>) {
  const item = (stripeSub.items as { data: Record<string, unknown>[] }).data[0] as Record<string, unknown>;
  item.price = { id: "price_business", object: "price" };
}

const stateOf = async (id: string) => t.deps.prisma.subscription.findUniqueOrThrow({ where: { id } });
const ledgerSize = () => t.deps.prisma.processedWebhookEvent.count();

describe("Stripe webhook signature (forgery)", () => {
  it("refuses a delivery signed with an unknown secret, a tampered body, or no signature", async () => {
    const { sub, stripeSub } = await subscribed();
    upgradeAtStripe(stripeSub);
    const event = stripe.event("customer.subscription.updated", stripeSub, stripe.nowSec + 5);
    const forged = await deliverWebhook(t, event, { secrets: ["whsec_attacker"] });
    expect(forged.status).toBe(400);
    expect(await forged.json()).toMatchObject({ code: "VALIDATION_FAILED" });
    const payload = JSON.stringify(event);
    const header = stripeSignature(payload, [WEBHOOK_SECRET], Math.floor(t.clock.now.getTime() / 1000));
    const tampered = await t.app.request("/webhooks/stripe", {
      method: "POST",
      body: payload.replace('"livemode":false', '"livemode":true'),
      headers: { "stripe-signature": header },
    });
    expect(tampered.status).toBe(400);
    const unsigned = await t.app.request("/webhooks/stripe", { method: "POST", body: payload });
    expect(unsigned.status).toBe(400);
    const garbage = await deliverWebhook(t, event, { header: "t=1,v1=abc" });
    expect(garbage.status).toBe(400);
    expect((await stateOf(sub.id)).planId).toBe("pro");
    expect(await ledgerSize()).toBe(0);
    expect(t.logs.join("")).not.toContain(WEBHOOK_SECRET);
  });

  it("refuses a stale timestamp (replay of a captured delivery) beyond the tolerance", async () => {
    const { sub, stripeSub } = await subscribed();
    upgradeAtStripe(stripeSub);
    const event = stripe.event("customer.subscription.updated", stripeSub, stripe.nowSec + 5);
    const nowSec = Math.floor(t.clock.now.getTime() / 1000);
    const stale = await deliverWebhook(t, event, { timestampSec: nowSec - 301 });
    expect(stale.status).toBe(400);
    expect((await stateOf(sub.id)).planId).toBe("pro");
    const fresh = await deliverWebhook(t, event, { timestampSec: nowSec - 299 });
    expect(fresh.status).toBe(200);
    expect((await stateOf(sub.id)).planId).toBe("business");
  });

  it("accepts any configured secret during rotation, and headers with several v1 signatures", async () => {
    const { stripeSub } = await subscribed();
    const old = await deliverWebhook(t, stripe.event("customer.subscription.updated", stripeSub), {
      secrets: [OLD_WEBHOOK_SECRET],
    });
    expect(old.status).toBe(200);
    const both = await deliverWebhook(t, stripe.event("customer.subscription.updated", stripeSub), {
      secrets: ["whsec_unrelated", WEBHOOK_SECRET],
    });
    expect(both.status).toBe(200);
  });

  it("is 404 when Stripe is not configured", async () => {
    const plain = await createTestApp();
    try {
      const res = await plain.app.request("/webhooks/stripe", { method: "POST", body: "{}" });
      expect(res.status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});

describe("Stripe webhook delivery faults", () => {
  it("a replayed event takes effect once", async () => {
    const { stripeSub } = await subscribed();
    upgradeAtStripe(stripeSub);
    const event = stripe.event("customer.subscription.updated", stripeSub, stripe.nowSec + 5);
    expect(await (await deliverWebhook(t, event)).json()).toEqual({ received: true, outcome: "applied" });
    expect(await (await deliverWebhook(t, event)).json()).toEqual({ received: true, outcome: "duplicate" });
    expect(await billingEvents(t, "subscription.updated")).toHaveLength(2);
  });

  it("the same webhook delivered 100 times concurrently has one effect", async () => {
    const { sub, stripeSub } = await subscribed();
    upgradeAtStripe(stripeSub);
    const event = stripe.event("customer.subscription.updated", stripeSub, stripe.nowSec + 5);
    const answers = await Promise.all(Array.from({ length: 100 }, () => deliverWebhook(t, event)));
    expect(answers.map((r) => r.status).every((s) => s === 200)).toBe(true);
    const outcomes = await Promise.all(answers.map(async (r) => ((await r.json()) as { outcome: string }).outcome));
    expect(outcomes.filter((o) => o === "applied")).toHaveLength(1);
    expect(outcomes.filter((o) => o !== "applied").every((o) => o === "duplicate")).toBe(true);
    expect(await ledgerSize()).toBe(1);
    const updates = await billingEvents(t, "subscription.updated");
    // One from the API subscription, one from the webhook.
    expect(updates).toHaveLength(2);
    expect((await stateOf(sub.id)).planId).toBe("business");
  });

  it("out-of-order deliveries leave the newest state (older events and snapshots never win)", async () => {
    const { sub, stripeSub } = await subscribed();
    const olderSnapshot = structuredClone(stripeSub);
    upgradeAtStripe(stripeSub);
    const newer = stripe.event("customer.subscription.updated", stripeSub, stripe.nowSec + 20);
    const older = stripe.event("customer.subscription.updated", olderSnapshot, stripe.nowSec + 10);
    expect((await deliverWebhook(t, newer)).status).toBe(200);
    expect(await (await deliverWebhook(t, older)).json()).toMatchObject({ outcome: "unchanged" });
    const state = await stateOf(sub.id);
    expect(state.planId).toBe("business");
    expect(state.stripeEventCreatedAt?.getTime()).toBe((stripe.nowSec + 20) * 1000);
  });

  it("acknowledges and ignores objects Atlas did not create and event types it does not handle", async () => {
    const foreignSub = {
      id: "sub_foreign",
      object: "subscription",
      customer: "cus_someone_else",
      status: "active",
      items: { data: [] },
    };
    for (const event of [
      stripe.event("customer.subscription.created", foreignSub),
      stripe.event("account.updated", { id: "acct_foreign", object: "account" }),
      stripe.event("payment_intent.succeeded", { id: "pi_foreign", object: "payment_intent" }),
      stripe.event("charge.succeeded", { id: "ch_1", object: "charge" }),
    ]) {
      const res = await deliverWebhook(t, event);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ received: true, outcome: "ignored" });
    }
    expect(await t.deps.prisma.subscription.count()).toBe(0);
    expect(await billingEvents(t)).toHaveLength(0);
  });

  it("answers non-2xx when the effect fails, so Stripe delivers again; the retry applies it", async () => {
    const { sub, stripeSub } = await subscribed();
    upgradeAtStripe(stripeSub);
    const event = stripe.event("customer.subscription.updated", stripeSub, stripe.nowSec + 5);
    stripe.failWith = 500;
    const failed = await deliverWebhook(t, event);
    // 503 PROVIDER_UNAVAILABLE: a 5xx, so Stripe delivers again.
    expect(failed.status).toBe(503);
    expect(await ledgerSize()).toBe(0);
    stripe.failWith = null;
    expect(await (await deliverWebhook(t, event)).json()).toMatchObject({ outcome: "applied" });
    expect((await stateOf(sub.id)).planId).toBe("business");
  });
});
