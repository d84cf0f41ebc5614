import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  billingEvents,
  billingHeaders,
  customerWithCard,
  deliverWebhook,
  idemKey,
  startBillingApp,
} from "./billing-fixtures.ts";
import type { FakeStripe } from "./fakes/stripe.ts";
import { loginTestUser } from "./fixtures.ts";
import type { TestApp } from "./harness.ts";

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

const call = (method: string, path: string, headers: Record<string, string>, body?: unknown) =>
  t.app.request(path, { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) });

describe("payment methods", () => {
  it("hands out a SetupIntent client secret, lists, sets the default and detaches cards", async () => {
    const { auth } = await loginTestUser(t);
    // No customer yet: the SetupIntent creates it on the way; POST /billing/customer finds it.
    const si = await call("POST", "/billing/payment-methods/setup-intent", billingHeaders(auth));
    expect(si.status).toBe(200);
    const existing = await call("POST", "/billing/customer", billingHeaders(auth));
    expect(existing.status).toBe(200);
    const profile = (await existing.json()) as { stripeCustomerId: string };
    expect(await si.json()).toMatchObject({ clientSecret: expect.stringMatching(/^seti_.+_secret_/) });
    // The browser confirms it with Stripe Elements: two cards end up on the customer.
    const visa = stripe.attachCard(profile.stripeCustomerId, { last4: "4242" });
    const master = stripe.attachCard(profile.stripeCustomerId, { brand: "mastercard", last4: "4444" });
    const set = await call("POST", `/billing/payment-methods/${master}/default`, billingHeaders(auth));
    expect(await set.json()).toMatchObject({ id: master, isDefault: true });
    const customer = stripe.customers.get(profile.stripeCustomerId) as { invoice_settings: Record<string, unknown> };
    expect(customer.invoice_settings.default_payment_method).toBe(master);
    const list = await call("GET", "/billing/payment-methods", auth);
    expect(((await list.json()) as { items: unknown[] }).items).toEqual([
      expect.objectContaining({ id: visa, last4: "4242", isDefault: false }),
      expect.objectContaining({ id: master, brand: "mastercard", isDefault: true }),
    ]);
    expect((await call("DELETE", `/billing/payment-methods/${master}`, auth)).status).toBe(204);
    const after = (await (await call("GET", "/billing/payment-methods", auth)).json()) as { items: { id: string }[] };
    expect(after.items.map((p) => p.id)).toEqual([visa]);
    const local = await t.deps.prisma.paymentMethod.findUniqueOrThrow({ where: { stripePaymentMethodId: master } });
    expect(local.detachedAt).not.toBeNull();
    // The default was detached: the remaining card becomes the default, at Stripe and locally.
    expect((await t.deps.prisma.billingProfile.findFirstOrThrow()).defaultPaymentMethodId).toBe(visa);
    expect(customer.invoice_settings.default_payment_method).toBe(visa);
    expect((await call("DELETE", `/billing/payment-methods/${visa}`, auth)).status).toBe(204);
    expect((await t.deps.prisma.billingProfile.findFirstOrThrow()).defaultPaymentMethodId).toBeNull();
    expect(customer.invoice_settings.default_payment_method).toBeNull();
  });

  it("never touches another customer's card (404, nothing detached)", async () => {
    const alice = await customerWithCard(t, stripe);
    const bob = await customerWithCard(t, stripe);
    expect((await call("DELETE", `/billing/payment-methods/${alice.pm}`, bob.auth)).status).toBe(404);
    expect((await call("POST", `/billing/payment-methods/${alice.pm}/default`, billingHeaders(bob.auth))).status).toBe(
      404,
    );
    expect(stripe.paymentMethods.get(alice.pm)?.customer).toBe(alice.profile.stripeCustomerId);
    expect((await call("DELETE", "/billing/payment-methods/pm_doesnotexist", bob.auth)).status).toBe(404);
  });
});

describe("subscriptions", () => {
  it("subscribes, upgrades with proration, cancels at period end and resumes; one row, events for each", async () => {
    const { user, auth } = await customerWithCard(t, stripe);
    const created = await call("POST", "/billing/subscriptions", billingHeaders(auth), { planId: "pro" });
    expect(created.status).toBe(200);
    const sub = (await created.json()) as { id: string; status: string; planId: string };
    expect(sub).toMatchObject({ planId: "pro", status: "active", cancelAtPeriodEnd: false });
    const upgraded = await call("POST", "/billing/subscriptions", billingHeaders(auth), { planId: "business" });
    expect(await upgraded.json()).toMatchObject({ id: sub.id, planId: "business" });
    expect(stripe.subscriptionUpdates.at(-1)).toMatchObject({ proration_behavior: "create_prorations" });
    const canceled = await call("DELETE", "/billing/subscriptions/current", billingHeaders(auth));
    expect(await canceled.json()).toMatchObject({ id: sub.id, cancelAtPeriodEnd: true, status: "active" });
    const resumed = await call("POST", "/billing/subscriptions/current/resume", billingHeaders(auth));
    expect(await resumed.json()).toMatchObject({ id: sub.id, cancelAtPeriodEnd: false });
    expect(stripe.subscriptions.size).toBe(1);
    expect(await t.deps.prisma.subscription.count()).toBe(1);
    const events = await billingEvents(t, "subscription.updated");
    expect(events.map((e) => (e.payload as { planId: string }).planId)).toEqual([
      "pro",
      "business",
      "business",
      "business",
    ]);
    expect(events.map((e) => (e.payload as { cancelAtPeriodEnd: boolean }).cancelAtPeriodEnd)).toEqual([
      false,
      false,
      true,
      false,
    ]);
    expect(events[0]?.payload).toMatchObject({
      userId: user.id,
      status: "active",
      limits: { maxObjectBytes: 1024 ** 3 },
      // Stripe collects the plan fee: cloud-api lists it on its invoices as prepaid.
      collection: "stripe_subscription",
    });
    expect(events.every((e) => e.aggregateKey === `subscription:${sub.id}`)).toBe(true);
    const profile = await call("GET", "/billing/profile", auth);
    expect(await profile.json()).toMatchObject({ subscription: { id: sub.id }, plan: { id: "business" } });
  });

  it("the webhook of a subscription made through the API updates the same row (no duplicate)", async () => {
    const { auth } = await customerWithCard(t, stripe);
    const sub = (await (
      await call("POST", "/billing/subscriptions", billingHeaders(auth), { planId: "pro" })
    ).json()) as {
      id: string;
    };
    const local = await t.deps.prisma.subscription.findUniqueOrThrow({ where: { id: sub.id } });
    const stripeSub = stripe.subscriptions.get(local.stripeSubscriptionId as string) as Record<string, unknown>;
    const res = await deliverWebhook(t, stripe.event("customer.subscription.created", stripeSub));
    expect(await res.json()).toEqual({ received: true, outcome: "unchanged" });
    expect(await t.deps.prisma.subscription.count()).toBe(1);
    expect(await billingEvents(t, "subscription.updated")).toHaveLength(1);
  });

  it("applies Stripe's end of a subscription: canceled, subscription.canceled once", async () => {
    const { auth } = await customerWithCard(t, stripe);
    const sub = (await (
      await call("POST", "/billing/subscriptions", billingHeaders(auth), { planId: "pro" })
    ).json()) as {
      id: string;
    };
    const local = await t.deps.prisma.subscription.findUniqueOrThrow({ where: { id: sub.id } });
    const stripeSub = stripe.subscriptions.get(local.stripeSubscriptionId as string) as Record<string, unknown>;
    Object.assign(stripeSub, { status: "canceled", canceled_at: stripe.nowSec + 10 });
    const event = stripe.event("customer.subscription.deleted", stripeSub, stripe.nowSec + 10);
    expect(await (await deliverWebhook(t, event)).json()).toMatchObject({ outcome: "applied" });
    expect(await (await deliverWebhook(t, event)).json()).toMatchObject({ outcome: "duplicate" });
    const canceled = await billingEvents(t, "subscription.canceled");
    expect(canceled).toHaveLength(1);
    expect(canceled[0]?.payload).toMatchObject({ subscriptionId: sub.id, planId: "pro" });
    const profile = await call("GET", "/billing/profile", auth);
    expect(await profile.json()).toMatchObject({ subscription: null, plan: { id: "free" } });
    // No current subscription: cancel and resume are 404.
    expect((await call("DELETE", "/billing/subscriptions/current", billingHeaders(auth))).status).toBe(404);
  });

  it("refuses unknown plans, the free plan, bad bodies and a reused key with another body, changing nothing", async () => {
    const { auth } = await customerWithCard(t, stripe);
    const unknown = await call("POST", "/billing/subscriptions", billingHeaders(auth), { planId: "platinum" });
    expect(unknown.status).toBe(404);
    const free = await call("POST", "/billing/subscriptions", billingHeaders(auth), { planId: "free" });
    expect(free.status).toBe(409);
    const key = idemKey();
    const bad = await call("POST", "/billing/subscriptions", billingHeaders(auth, key), { planId: "pro", extra: 1 });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: "VALIDATION_FAILED" });
    // A 400 is not stored: the same key with a valid body executes.
    const ok = await call("POST", "/billing/subscriptions", billingHeaders(auth, key), { planId: "pro" });
    expect(ok.status).toBe(200);
    const reused = await call("POST", "/billing/subscriptions", billingHeaders(auth, key), { planId: "business" });
    expect(reused.status).toBe(422);
    expect(await reused.json()).toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED" });
    const replay = await call("POST", "/billing/subscriptions", billingHeaders(auth, key), { planId: "pro" });
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect((await t.deps.prisma.subscription.findFirstOrThrow()).planId).toBe("pro");
    expect(stripe.subscriptions.size).toBe(1);
    expect(stripe.count("POST /v1/subscriptions")).toBe(1);
    expect(await billingEvents(t, "subscription.updated")).toHaveLength(1);
  });
});
