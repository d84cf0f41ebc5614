// Subscriptions against Stripe's real lifecycle (issue 17 §1, §9, §12, §15): a first payment that
// needs the customer (incomplete → active, or incomplete_expired after 23 hours), trials, one
// subscription however concurrent the subscribes, and Stripe's status kept apart from dunning.
import Stripe from "stripe";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runDunning } from "../src/services/billing/invoices/dunning.ts";
import { billingConsumer } from "../src/services/billing/jobs.ts";
import { effectiveStatus } from "../src/services/billing/stripe/subscription-status.ts";
import {
  billingEvents,
  billingHeaders,
  customerWithCard,
  deliverWebhook,
  emitInvoiceFinalized,
  startBillingApp,
} from "./billing-fixtures.ts";
import { FakeStripe } from "./fakes/stripe.ts";
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

type Json = Record<string, unknown>;
const FREE_LIMITS = { maxObjectBytes: 10 * 1024 ** 2, maxStorageBytes: 1024 ** 3 };
const PRO_LIMITS = { maxObjectBytes: 1024 ** 3 };
const HOUR = 3_600_000;

const subscribe = (auth: Record<string, string>, planId = "pro", key?: string) =>
  t.app.request("/billing/subscriptions", {
    method: "POST",
    headers: billingHeaders(auth, key),
    body: JSON.stringify({ planId }),
  });
const consume = () =>
  (billingConsumer(t.deps, { listen: false }) as NonNullable<ReturnType<typeof billingConsumer>>).drain();
const localSub = () => t.deps.prisma.subscription.findFirstOrThrow({ orderBy: { createdAt: "desc" } });
const updates = async () => (await billingEvents(t, "subscription.updated")).map((e) => e.payload as Json);
/** Delivers the peer's events of a type (in the order it made them) to the webhook endpoint. */
async function deliverAll(type: string) {
  const outcomes: string[] = [];
  for (const event of stripe.events.filter((e) => e.type === type)) {
    outcomes.push(((await (await deliverWebhook(t, event)).json()) as { outcome: string }).outcome);
  }
  return outcomes;
}
/** A customer without any card yet (Stripe customer only). */
async function customerWithoutCard() {
  const who = await loginTestUser(t);
  const res = await t.app.request("/billing/customer", { method: "POST", headers: billingHeaders(who.auth) });
  return { ...who, profile: (await res.json()) as { stripeCustomerId: string } };
}
/** What Stripe.js does in the browser: confirm with the publishable key and the client secret. */
const browserConfirm = (clientSecret: string, paymentMethod: string, key = FakeStripe.publishableKey) =>
  fetch(`${stripe.url}/v1/payment_intents/${clientSecret.split("_secret_")[0]}/confirm`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_secret: clientSecret, payment_method: paymentMethod }).toString(),
  });

describe("a paid plan starts only once paid", () => {
  it("without a card: incomplete with the first payment's clientSecret and free limits; paid in the browser, the webhook makes it active", async () => {
    const { auth, profile } = await customerWithoutCard();
    const res = await subscribe(auth);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { id: string; status: string; clientSecret: string };
    expect(body).toMatchObject({
      planId: "pro",
      status: "incomplete",
      clientSecret: expect.stringMatching(/^pi_.+_secret_/),
    });
    expect(await updates()).toEqual([expect.objectContaining({ status: "incomplete", limits: FREE_LIMITS })]);
    const stripeSub = stripe.subscriptions.get((await localSub()).stripeSubscriptionId as string) as Json;
    const invoice = stripe.invoices.get(stripeSub.latest_invoice as string) as Json;
    expect(invoice).toMatchObject({ status: "open", amount_due: 2_000 });

    // The card typed into Stripe Elements; a publishable key does nothing but this confirm.
    const pm = stripe.attachCard(profile.stripeCustomerId);
    expect((await browserConfirm(`${body.clientSecret.split("_secret_")[0]}_secret_wrong`, pm)).status).toBe(401);
    const listing = await fetch(`${stripe.url}/v1/customers/${profile.stripeCustomerId}/payment_methods`, {
      headers: { authorization: `Bearer ${FakeStripe.publishableKey}` },
    });
    expect(listing.status).toBe(401);
    const confirmed = await browserConfirm(body.clientSecret, pm);
    expect(confirmed.status).toBe(200);
    expect(await confirmed.json()).toMatchObject({ status: "succeeded" });
    expect(invoice.status).toBe("paid");
    expect(stripeSub.status).toBe("active");

    // Until Stripe's webhook arrives nothing changes; then the paid plan's limits.
    expect((await localSub()).status).toBe("incomplete");
    expect(await deliverAll("customer.subscription.updated")).toEqual(["applied"]);
    expect(await localSub()).toMatchObject({ status: "active", stripeStatus: "active" });
    expect((await updates()).map((u) => [u.status, (u.limits as Json).maxObjectBytes])).toEqual([
      ["incomplete", FREE_LIMITS.maxObjectBytes],
      ["active", PRO_LIMITS.maxObjectBytes],
    ]);
  });

  it("a declined default card leaves it incomplete with a clientSecret; asking again answers the same payment, or pays once the card works", async () => {
    const { auth, pm } = await customerWithCard(t, stripe, { decline: "insufficient_funds" });
    const first = (await (await subscribe(auth)).json()) as { id: string; status: string; clientSecret: string };
    expect(first).toMatchObject({ status: "incomplete", clientSecret: expect.any(String) });
    const again = (await (await subscribe(auth)).json()) as { id: string; clientSecret: string };
    expect(again).toEqual(expect.objectContaining({ id: first.id, clientSecret: first.clientSecret }));
    expect(stripe.count("POST /v1/subscriptions")).toBe(1);
    // Another plan while unpaid: the unpaid subscription is dropped, never two live ones.
    const business = (await (await subscribe(auth, "business")).json()) as { id: string; planId: string };
    expect(business).toMatchObject({ planId: "business", status: "incomplete" });
    const live = [...stripe.subscriptions.values()].filter((s) => s.status !== "canceled");
    expect(live).toHaveLength(1);
    // The card works again: "Complete payment" (the same plan) pays with it now.
    (stripe.cards.get(pm) as { decline: string | null }).decline = null;
    const paid = (await (await subscribe(auth, "business")).json()) as Json;
    expect(paid).toMatchObject({ id: business.id, planId: "business", status: "active" });
    expect(paid.clientSecret).toBeUndefined();
    expect((await updates()).map((u) => u.status)).toEqual(["incomplete", "incomplete", "active"]);
  });

  it("unpaid for 23 hours: incomplete_expired at Stripe, canceled here (free plan), its PaymentIntent no longer payable", async () => {
    const { auth } = await customerWithoutCard();
    const body = (await (await subscribe(auth)).json()) as { clientSecret: string };
    stripe.advance(22 * 3_600);
    expect(stripe.events.some((e) => (e.data as { object: Json }).object.status === "incomplete_expired")).toBe(false);
    stripe.advance(3_600);
    const pi = stripe.paymentIntents.get(body.clientSecret.split("_secret_")[0] as string) as Json;
    expect(pi.status).toBe("canceled");
    expect(await deliverAll("customer.subscription.updated")).toEqual(["applied"]);
    expect(await localSub()).toMatchObject({ status: "canceled", stripeStatus: "incomplete_expired" });
    expect((await billingEvents(t, "subscription.canceled")).map((e) => e.payload)).toEqual([
      expect.objectContaining({ planId: "pro" }),
    ]);
    const profile = await t.app.request("/billing/profile", { headers: auth });
    expect(await profile.json()).toMatchObject({ subscription: null, plan: { id: "free" } });
  });
});

describe("trials", () => {
  it("a plan with trial days starts trialing with the paid limits; the first charge comes at trial end", async () => {
    await t.deps.prisma.plan.update({ where: { id: "pro" }, data: { trialDays: 14 } });
    const plans = (await (await t.app.request("/billing/plans")).json()) as { items: Json[] };
    expect(plans.items.find((p) => p.id === "pro")).toMatchObject({ trialDays: 14 });
    const { auth } = await customerWithCard(t, stripe);
    const body = (await (await subscribe(auth)).json()) as Json;
    expect(body).toMatchObject({ status: "trialing" });
    expect(body.clientSecret).toBeUndefined();
    expect(await updates()).toEqual([
      expect.objectContaining({ status: "trialing", limits: expect.objectContaining(PRO_LIMITS) }),
    ]);
    expect(stripe.paymentIntents.size).toBe(0);

    stripe.advance(13 * 86_400);
    expect(stripe.paymentIntents.size).toBe(0);
    stripe.advance(86_400);
    const charged = [...stripe.paymentIntents.values()];
    expect(charged).toEqual([expect.objectContaining({ amount: 2_000, status: "succeeded" })]);
    expect(await deliverAll("customer.subscription.updated")).toEqual(["applied"]);
    const sub = await localSub();
    expect(sub).toMatchObject({ status: "active", stripeStatus: "active" });
    // The first paid period starts at the trial's end.
    expect(sub.currentPeriodStart.getTime()).toBe(stripe.nowSec * 1000);
    expect((await updates()).map((u) => u.status)).toEqual(["trialing", "active"]);
  });

  it("a trial ending without a card goes past_due at Stripe, and so here; a second subscription gets no new trial", async () => {
    await t.deps.prisma.plan.update({ where: { id: "pro" }, data: { trialDays: 7 } });
    const { auth } = await customerWithoutCard();
    expect(await (await subscribe(auth)).json()).toMatchObject({ status: "trialing" });
    stripe.advance(7 * 86_400);
    await deliverAll("customer.subscription.updated");
    expect(await localSub()).toMatchObject({ status: "past_due", stripeStatus: "past_due", dunningState: "none" });
    // Canceled at Stripe; subscribing again pays at once (no second trial).
    const current = await localSub();
    await t.deps.stripe?.cancelSubscriptionNow(current.stripeSubscriptionId as string, "test-cancel");
    await deliverAll("customer.subscription.deleted");
    expect(await (await subscribe(auth)).json()).toMatchObject({ status: "incomplete" });
  });
});

describe("the Stripe peer's subscription rules", () => {
  it("refuses unknown prices and updates of a canceled subscription, like Stripe", async () => {
    const { profile } = await customerWithoutCard();
    const gateway = t.deps.stripe as NonNullable<TestApp["deps"]["stripe"]>;
    const unknown = gateway.createSubscription(
      { customerId: profile.stripeCustomerId, priceId: "price_nope", metadata: {} },
      "k-unknown",
    );
    await expect(unknown).rejects.toMatchObject({ type: "StripeInvalidRequestError", code: "resource_missing" });
    const sub = await gateway.createSubscription(
      { customerId: profile.stripeCustomerId, priceId: "price_pro", metadata: {} },
      "k-create",
    );
    await gateway.cancelSubscriptionNow(sub.id, "k-cancel");
    expect(stripe.subscriptionCancellations).toEqual([{ id: sub.id, invoice_now: "false", prorate: "false" }]);
    await expect(gateway.changeSubscriptionPrice(sub.id, "price_business", "k-change")).rejects.toBeInstanceOf(
      Stripe.errors.StripeInvalidRequestError,
    );
  });
});

describe("one subscription however concurrent", () => {
  it("two subscribes with different Idempotency-Keys at once make one Stripe subscription", async () => {
    const { auth } = await customerWithCard(t, stripe);
    stripe.delayMs = 150;
    const [a, b] = await Promise.all([subscribe(auth), subscribe(auth)]);
    stripe.delayMs = 0;
    expect([a.status, b.status]).toEqual([200, 200]);
    const [sa, sb] = [(await a.json()) as { id: string }, (await b.json()) as { id: string }];
    expect(sa.id).toBe(sb.id);
    expect(stripe.count("POST /v1/subscriptions")).toBe(1);
    expect(stripe.subscriptions.size).toBe(1);
    expect(await t.deps.prisma.subscription.count()).toBe(1);
  });
});

describe("Stripe's status and Atlas's dunning state", () => {
  it("derives the effective status from both", () => {
    expect(effectiveStatus("active", "none")).toBe("active");
    expect(effectiveStatus("active", "past_due")).toBe("past_due");
    expect(effectiveStatus("trialing", "unpaid")).toBe("unpaid");
    expect(effectiveStatus("past_due", "none")).toBe("past_due");
    expect(effectiveStatus("incomplete", "past_due")).toBe("incomplete");
    expect(effectiveStatus("incomplete_expired", "none")).toBe("canceled");
    expect(effectiveStatus("canceled", "unpaid")).toBe("canceled");
    expect(effectiveStatus("paused", "none")).toBe("unpaid");
    expect(effectiveStatus(null, "none")).toBe("active");
  });

  it("Stripe saying active while dunning is open records stripeStatus active and keeps past_due; dunning clearing makes it active", async () => {
    const who = await customerWithCard(t, stripe);
    await subscribe(who.auth);
    (stripe.cards.get(who.pm) as { decline: string | null }).decline = "insufficient_funds";
    await emitInvoiceFinalized(t, { tenantId: who.tenant.id, userId: who.user.id, totalMinor: 2_000 });
    await consume();
    expect(await localSub()).toMatchObject({ status: "past_due", stripeStatus: "active", dunningState: "past_due" });
    const stripeSub = stripe.subscriptions.get((await localSub()).stripeSubscriptionId as string) as Json;
    // Stripe's own view moves (past_due on its invoice, then active again): recorded as Stripe's
    // status; the effective status stays past_due while Atlas's dunning is open, and nothing new
    // is announced.
    stripeSub.status = "past_due";
    const pastDue = stripe.event("customer.subscription.updated", stripeSub, stripe.nowSec + 5);
    expect(await (await deliverWebhook(t, pastDue)).json()).toMatchObject({ outcome: "applied" });
    expect(await localSub()).toMatchObject({ status: "past_due", stripeStatus: "past_due", dunningState: "past_due" });
    stripeSub.status = "active";
    const active = stripe.event("customer.subscription.updated", stripeSub, stripe.nowSec + 10);
    expect(await (await deliverWebhook(t, active)).json()).toMatchObject({ outcome: "applied" });
    expect(await localSub()).toMatchObject({ status: "past_due", stripeStatus: "active", dunningState: "past_due" });
    expect((await updates()).map((u) => u.status)).toEqual(["active", "past_due"]);
    // The card is fixed; the next dunning attempt pays and clears the dunning state.
    (stripe.cards.get(who.pm) as { decline: string | null }).decline = null;
    t.clock.now = new Date(t.clock.now.getTime() + 24 * HOUR);
    expect(await runDunning(t.deps)).toMatchObject({ retried: 1, expired: 0 });
    expect(await localSub()).toMatchObject({ status: "active", stripeStatus: "active", dunningState: "none" });
    expect((await updates()).map((u) => u.status)).toEqual(["active", "past_due", "active"]);
  });
});
