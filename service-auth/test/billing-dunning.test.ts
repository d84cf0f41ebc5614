// One PaymentIntent per invoice (issue 17 §4) and dunning that never stalls (§5): charge errors
// isolated and recorded, final declines, SCA (action_required, Pay now), dunning e-mails.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runDunning } from "../src/services/billing/invoices/dunning.ts";
import { FINAL_NOTICE_BEFORE_MS } from "../src/services/billing/invoices/dunning-notices.ts";
import { billingConsumer } from "../src/services/billing/jobs.ts";
import { createSession } from "../src/services/tokens/session.service.ts";
import {
  billingEvents,
  billingHeaders,
  customerWithCard,
  deliverWebhook,
  emitInvoiceFinalized,
  idemKey,
  startBillingApp,
} from "./billing-fixtures.ts";
import { FakeResend } from "./fakes/resend.ts";
import { FakeStripe } from "./fakes/stripe.ts";
import { loginTestUser, TEST_CONTEXT } from "./fixtures.ts";
import type { TestApp } from "./harness.ts";

let t: TestApp;
let stripe: FakeStripe;
let resend: FakeResend;

beforeAll(async () => {
  resend = await FakeResend.start();
  ({ t, stripe } = await startBillingApp({
    DUNNING_RETRY_HOURS: "24,72",
    DUNNING_GRACE_DAYS: "7",
    RESEND_API_KEY: "re_test_key",
    RESEND_BASE_URL: resend.url,
    EMAIL_FROM: "Atlas <billing@atlas.test>",
  }));
});
beforeEach(async () => {
  await t.reset();
  stripe.reset();
  resend.received.length = 0;
  resend.failWith = null;
});
afterAll(async () => {
  await t.close();
  await stripe.stop();
  await resend.stop();
});

const HOUR = 3_600_000;
const consume = () =>
  (billingConsumer(t.deps, { listen: false }) as NonNullable<ReturnType<typeof billingConsumer>>).drain();
const chargeOf = (invoiceId: string) => t.deps.prisma.charge.findUniqueOrThrow({ where: { invoiceId } });
const advance = (ms: number) => {
  t.clock.now = new Date(t.clock.now.getTime() + ms);
  stripe.nowSec += Math.floor(ms / 1000);
};
const pay = (invoiceId: string, auth: Record<string, string>, key = idemKey()) =>
  t.app.request(`/billing/invoices/${invoiceId}/pay`, { method: "POST", headers: billingHeaders(auth, key) });

/** A fresh access token for a user (the clock moved past the first one's expiry). */
async function relogin(who: Awaited<ReturnType<typeof loginTestUser>>) {
  const tokens = await createSession(t.deps, {
    user: who.user,
    audience: who.tenant.jwtAudience,
    amr: ["email"],
    context: TEST_CONTEXT,
  });
  return { authorization: `Bearer ${tokens.accessToken}` };
}

async function subscribedCustomer(card: { decline?: string } = {}) {
  // The plan's first payment goes through (a paid plan starts only once paid); the card declines after.
  const who = await customerWithCard(t, stripe);
  const res = await t.app.request("/billing/subscriptions", {
    method: "POST",
    headers: billingHeaders(who.auth),
    body: JSON.stringify({ planId: "pro" }),
  });
  if (res.status !== 200) throw new Error(`subscribe: ${res.status}`);
  if (card.decline) (stripe.cards.get(who.pm) as { decline: string | null }).decline = card.decline;
  return who;
}

async function failedCharge(card: { decline?: string } = { decline: "insufficient_funds" }) {
  const who = await subscribedCustomer(card);
  const invoiceId = await emitInvoiceFinalized(t, { tenantId: who.tenant.id, userId: who.user.id, totalMinor: 1_500 });
  await consume();
  return { ...who, invoiceId };
}

const sentTo = (email: string) => resend.received.filter((m) => m.body.to === email).map((m) => m.body.subject);

describe("one PaymentIntent per invoice", () => {
  it("a first attempt lost after Stripe created the PaymentIntent, retried 25 h later (key forgotten): still one", async () => {
    const { user, tenant } = await customerWithCard(t, stripe);
    const invoiceId = await emitInvoiceFinalized(t, { tenantId: tenant.id, userId: user.id, totalMinor: 3_100 });
    // Stripe creates the PaymentIntent; every answer (and the SDK's retries' replays) is lost.
    stripe.dropAnswersTo = "POST /v1/payment_intents";
    expect(await consume()).toMatchObject({ processed: 1, parked: 0 });
    stripe.dropAnswersTo = null;
    expect(stripe.paymentIntents.size).toBe(1);
    const waiting = await chargeOf(invoiceId);
    // Not a failed payment: an error, kept on the charge with its own backoff; no payment.failed.
    expect(waiting).toMatchObject({ status: "pending", attempts: 0, errorCount: 1, stripePaymentIntentId: null });
    expect(waiting.lastError).toBeTruthy();
    expect(waiting.nextAttemptAt?.getTime()).toBe(t.clock.now.getTime() + 15 * 60_000);
    expect(await billingEvents(t, "payment.failed")).toHaveLength(0);
    // Dunning comes back after Stripe has pruned the idempotency key.
    advance(25 * HOUR);
    expect(await runDunning(t.deps)).toMatchObject({ retried: 1, errored: 0 });
    expect(stripe.paymentIntents.size).toBe(1);
    const [pi] = [...stripe.paymentIntents.values()];
    expect(pi).toMatchObject({ status: "succeeded", amount: 3_100, metadata: { atlasInvoiceId: invoiceId } });
    expect(await chargeOf(invoiceId)).toMatchObject({
      status: "succeeded",
      stripePaymentIntentId: pi?.id,
      attempts: 1,
    });
    expect(await billingEvents(t, "payment.succeeded")).toHaveLength(1);
    const record = await t.deps.prisma.invoicePaymentIntent.findUniqueOrThrow({ where: { invoiceId } });
    expect(record.stripePaymentIntentId).toBe(pi?.id);
  });
});

describe("dunning never stalls", () => {
  it("one charge's Stripe 500 or thrown bug is recorded on it; the others are charged in the same run", async () => {
    const a = await failedCharge();
    const b = await failedCharge();
    const c = await failedCharge();
    for (const who of [a, b, c]) (stripe.cards.get(who.pm) as { decline: string | null }).decline = null;
    const piA = (await chargeOf(a.invoiceId)).stripePaymentIntentId as string;
    const piB = (await chargeOf(b.invoiceId)).stripePaymentIntentId as string;
    stripe.failWhen = (request) => (request === `POST /v1/payment_intents/${piA}/confirm` ? 500 : null);
    const gateway = t.deps.stripe as NonNullable<typeof t.deps.stripe>;
    const confirm = gateway.confirmPaymentIntent.bind(gateway);
    gateway.confirmPaymentIntent = (id, pm, key) =>
      id === piB ? Promise.reject(new TypeError("a bug: cannot read properties of undefined")) : confirm(id, pm, key);
    try {
      advance(24 * HOUR);
      expect(await runDunning(t.deps)).toMatchObject({ retried: 2, errored: 1 });
      expect(await chargeOf(c.invoiceId)).toMatchObject({ status: "succeeded" });
      const failedA = await chargeOf(a.invoiceId);
      expect(failedA).toMatchObject({ status: "failed", attempts: 1, errorCount: 1, lastError: "fake outage" });
      const failedB = await chargeOf(b.invoiceId);
      expect(failedB).toMatchObject({ status: "failed", attempts: 1, errorCount: 1 });
      expect(failedB.lastError).toContain("a bug");
      for (const charge of [failedA, failedB]) {
        expect(charge.nextAttemptAt?.getTime()).toBe(t.clock.now.getTime() + 15 * 60_000);
      }
    } finally {
      stripe.failWhen = null;
      gateway.confirmPaymentIntent = confirm;
    }
    // The errors were not failed payments: one payment.failed per charge (its first attempt).
    expect(await billingEvents(t, "payment.failed")).toHaveLength(3);
    advance(15 * 60_000);
    expect(await runDunning(t.deps)).toMatchObject({ retried: 2, errored: 0 });
    for (const who of [a, b]) expect(await chargeOf(who.invoiceId)).toMatchObject({ status: "succeeded" });
    // Three invoices, three PaymentIntents (plus the three subscriptions' first payments).
    expect(stripe.paymentIntents.size).toBe(6);
  });

  it("a final decline (stolen_card) is not retried; the grace period runs on to unpaid", async () => {
    const { invoiceId } = await failedCharge({ decline: "stolen_card" });
    const charge = await chargeOf(invoiceId);
    expect(charge).toMatchObject({ status: "failed", failureCode: "stolen_card", nextAttemptAt: null });
    const confirms = stripe.requests.length;
    advance(24 * HOUR);
    expect(await runDunning(t.deps)).toMatchObject({ retried: 0 });
    advance(72 * HOUR);
    expect(await runDunning(t.deps)).toMatchObject({ retried: 0 });
    expect(stripe.requests.slice(confirms).filter((r) => r.endsWith("/confirm"))).toEqual([]);
    advance(4 * 24 * HOUR);
    expect(await runDunning(t.deps)).toMatchObject({ expired: 1 });
    expect((await t.deps.prisma.subscription.findFirstOrThrow()).status).toBe("unpaid");
  });

  it("Stripe refusing the charge (the card detached at Stripe) is a failed charge in dunning, not a parked event", async () => {
    const { user, tenant, pm } = await customerWithCard(t, stripe);
    // Removed in Stripe's dashboard: Atlas still believes it is the default.
    const card = stripe.paymentMethods.get(pm) as { customer: string | null };
    card.customer = null;
    stripe.detached.add(pm);
    const invoiceId = await emitInvoiceFinalized(t, { tenantId: tenant.id, userId: user.id, totalMinor: 800 });
    expect(await consume()).toMatchObject({ processed: 1, parked: 0 });
    const charge = await chargeOf(invoiceId);
    expect(charge).toMatchObject({ status: "failed", failureCode: "invalid_request_error", attempts: 1 });
    expect(charge.lastError).toContain("not attached");
    expect(charge.nextAttemptAt).not.toBeNull();
    expect((await billingEvents(t, "payment.failed")).map((e) => e.payload)).toEqual([
      expect.objectContaining({ invoiceId, failureCode: "invalid_request_error" }),
    ]);
    const parked = await t.deps.prisma.billingEvent.count({
      where: { eventType: "invoice.finalized", processed: false },
    });
    expect(parked).toBe(0);
  });
});

describe("SCA and Pay now", () => {
  it("authentication_required: action_required, not retried off-session, e-mailed once; Pay now + 3-D Secure pays it", async () => {
    const who = await failedCharge({ decline: "authentication_required" });
    const { invoiceId, pm, user } = who;
    const charge = await chargeOf(invoiceId);
    expect(charge).toMatchObject({ status: "action_required", failureCode: "authentication_required" });
    expect(charge.nextAttemptAt).toBeNull();
    expect((await billingEvents(t, "payment.failed")).map((e) => e.payload)).toEqual([
      expect.objectContaining({ invoiceId, failureCode: "authentication_required" }),
    ]);
    const before = stripe.requests.length;
    advance(24 * HOUR);
    const [one, two] = await Promise.all([runDunning(t.deps), runDunning(t.deps)]);
    expect(one.retried + two.retried).toBe(0);
    expect(stripe.requests.slice(before).filter((r) => r.endsWith("/confirm"))).toEqual([]);
    // The e-mail asking the customer to act went once, with a link to the invoice.
    expect(sentTo(user.email as string)).toEqual(["Your bank asks you to confirm a payment"]);
    expect(resend.received[0]?.body.text).toContain(`/billing?invoice=${invoiceId}`);
    await runDunning(t.deps);
    expect(sentTo(user.email as string)).toHaveLength(1);

    const auth = await relogin(who);
    const key = idemKey();
    const res = await pay(invoiceId, auth, key);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { clientSecret: string; paymentIntentId: string };
    expect(body.paymentIntentId).toBe(charge.stripePaymentIntentId);
    const pi = stripe.paymentIntents.get(body.paymentIntentId) as Record<string, unknown>;
    expect(body.clientSecret).toBe(pi.client_secret);
    const replay = await pay(invoiceId, auth, key);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    // The browser confirms on-session (Stripe.js: publishable key + client secret): 3-D Secure.
    const confirmed = await fetch(`${stripe.url}/v1/payment_intents/${body.paymentIntentId}/confirm`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        key: FakeStripe.publishableKey,
        client_secret: body.clientSecret,
        payment_method: pm,
      }),
    });
    expect(((await confirmed.json()) as { status: string }).status).toBe("requires_action");
    const paid = stripe.completeAuthentication(body.paymentIntentId);
    expect(await (await deliverWebhook(t, stripe.event("payment_intent.succeeded", paid))).json()).toMatchObject({
      outcome: "applied",
    });
    expect(await chargeOf(invoiceId)).toMatchObject({ status: "succeeded" });
    expect((await t.deps.prisma.subscription.findFirstOrThrow()).status).toBe("active");
    // One PaymentIntent for the invoice (the subscription's first payment has its own).
    expect(
      [...stripe.paymentIntents.values()].filter(
        (pi) => (pi.metadata as Record<string, string>).atlasInvoiceId === invoiceId,
      ),
    ).toHaveLength(1);
    // Paid: Pay now is a conflict from now on.
    const again = await pay(invoiceId, auth);
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: "CONFLICT" });
  });

  it("creates the invoice's PaymentIntent when the charge has none, and dunning then uses that one", async () => {
    const who = await loginTestUser(t);
    await t.app.request("/billing/customer", { method: "POST", headers: billingHeaders(who.auth) });
    const invoiceId = await emitInvoiceFinalized(t, { tenantId: who.tenant.id, userId: who.user.id, totalMinor: 700 });
    await consume();
    // No card at all: no default to name, so nothing was confirmed.
    expect(await chargeOf(invoiceId)).toMatchObject({ status: "failed", failureCode: "no_payment_method" });
    const res = await pay(invoiceId, who.auth);
    expect(res.status).toBe(200);
    const { paymentIntentId } = (await res.json()) as { paymentIntentId: string };
    expect(stripe.paymentIntents.size).toBe(1);
    expect(stripe.paymentIntents.get(paymentIntentId)).toMatchObject({
      amount: 700,
      status: "requires_payment_method",
    });
    expect((await chargeOf(invoiceId)).stripePaymentIntentId).toBe(paymentIntentId);
    // The customer adds a card (the first becomes the default) and dunning retries on that PaymentIntent.
    const { stripeCustomerId } = await t.deps.prisma.billingProfile.findFirstOrThrow({
      where: { customerId: who.user.id },
    });
    stripe.attachCard(stripeCustomerId as string);
    expect((await t.app.request("/billing/payment-methods", { headers: who.auth })).status).toBe(200);
    advance(24 * HOUR);
    expect(await runDunning(t.deps)).toMatchObject({ retried: 1 });
    expect(await chargeOf(invoiceId)).toMatchObject({ status: "succeeded", stripePaymentIntentId: paymentIntentId });
    expect(stripe.paymentIntents.size).toBe(1);
  });

  it("answers 404 for another user's invoice, 409 while a crypto quote is open, 400 without a key", async () => {
    const { invoiceId, auth, profile } = await failedCharge();
    const mallory = await loginTestUser(t);
    expect((await pay(invoiceId, mallory.auth)).status).toBe(404);
    expect((await pay("inv_nope", auth)).status).toBe(404);
    const noKey = await t.app.request(`/billing/invoices/${invoiceId}/pay`, { method: "POST", headers: auth });
    expect(noKey.status).toBe(400);
    const charge = await chargeOf(invoiceId);
    const quote = await t.deps.prisma.cryptoPayment.create({
      data: {
        invoiceId,
        billingProfileId: profile.id,
        chainId: 31337,
        currency: "USDC",
        recipient: "0x0000000000000000000000000000000000000001",
        amountBaseUnits: "1500000",
        decimals: 6,
        status: "quoted",
        expiresAt: new Date(t.clock.now.getTime() + 15 * 60_000),
        userId: charge.userId,
      },
    });
    const busy = await pay(invoiceId, auth);
    expect(busy.status).toBe(409);
    expect(await busy.json()).toMatchObject({ code: "CONFLICT" });
    // An expired quote no longer holds the invoice.
    await t.deps.prisma.cryptoPayment.update({ where: { id: quote.id }, data: { expiresAt: t.clock.now } });
    expect((await pay(invoiceId, auth)).status).toBe(200);
  });
});

describe("Pay now and Stripe's state", () => {
  it("records a payment Stripe reports succeeded (its webhook missed) and refuses a canceled PaymentIntent", async () => {
    const paid = await failedCharge();
    const piId = (await chargeOf(paid.invoiceId)).stripePaymentIntentId as string;
    Object.assign(stripe.paymentIntents.get(piId) as Record<string, unknown>, { status: "succeeded" });
    const res = await pay(paid.invoiceId, paid.auth);
    expect(res.status).toBe(409);
    expect(await chargeOf(paid.invoiceId)).toMatchObject({ status: "succeeded" });
    expect(await billingEvents(t, "payment.succeeded")).toHaveLength(1);

    const canceled = await failedCharge();
    const other = (await chargeOf(canceled.invoiceId)).stripePaymentIntentId as string;
    await (t.deps.stripe as NonNullable<typeof t.deps.stripe>).cancelPaymentIntent(other, `test:${other}`);
    const refused = await pay(canceled.invoiceId, canceled.auth);
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ code: "CONFLICT", detail: "The invoice's payment is canceled" });
  });
});

describe("dunning e-mails", () => {
  it("payment failed and final notice, once each per charge, even with concurrent runs; a failed send is retried", async () => {
    const { user } = await failedCharge({ decline: "card_declined" });
    const email = user.email as string;
    resend.failWith = 500;
    expect(await runDunning(t.deps)).toMatchObject({ notified: 0 });
    resend.failWith = null;
    const runs = await Promise.all([runDunning(t.deps), runDunning(t.deps), runDunning(t.deps)]);
    expect(runs.reduce((n, r) => n + r.notified, 0)).toBe(1);
    expect(sentTo(email)).toEqual(["Your payment failed"]);
    // Two days before the grace period ends: the final notice, once.
    advance(7 * 24 * HOUR - FINAL_NOTICE_BEFORE_MS);
    await Promise.all([runDunning(t.deps), runDunning(t.deps)]);
    await runDunning(t.deps);
    expect(sentTo(email)).toEqual(["Your payment failed", "Final notice: your invoice is still unpaid"]);
    expect(resend.received.at(-1)?.body.text).toContain("free plan");
  });
});
