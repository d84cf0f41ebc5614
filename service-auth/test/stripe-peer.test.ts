// The Stripe peer's PaymentIntent, payment-method and idempotency rules, through the official SDK
// (each rule cites Stripe's documentation beside its code in fakes/stripe.ts).
import Stripe from "stripe";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FakeStripe } from "./fakes/stripe.ts";

let fake: FakeStripe;
let stripe: Stripe;

beforeAll(async () => {
  fake = await FakeStripe.start();
  const url = new URL(fake.url);
  stripe = new Stripe("sk_test_atlas", { host: url.hostname, port: url.port, protocol: "http", maxNetworkRetries: 0 });
});
beforeEach(() => fake.reset());
afterAll(() => fake.stop());

const refusal = async (p: Promise<unknown>) => {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof Stripe.errors.StripeError)) throw new Error(`expected a Stripe error, got ${String(error)}`);
  return error;
};

async function customerWithCard(card: { decline?: string } = {}) {
  const customer = await stripe.customers.create({ email: "c@example.test" });
  const pm = fake.attachCard(customer.id, card);
  await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm } });
  return { customer: customer.id, pm };
}

describe("PaymentIntents", () => {
  it("never falls back to the customer's invoice default: confirming without a payment method is a 400", async () => {
    const { customer, pm } = await customerWithCard();
    const pi = await stripe.paymentIntents.create({ amount: 500, currency: "usd", customer });
    expect(pi.status).toBe("requires_payment_method");
    const error = await refusal(stripe.paymentIntents.confirm(pi.id, { off_session: true }));
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ statusCode: 400, code: "payment_intent_unexpected_state" });
    expect(fake.paymentIntents.get(pi.id)?.status).toBe("requires_payment_method");
    const paid = await stripe.paymentIntents.confirm(pi.id, { off_session: true, payment_method: pm });
    expect(paid.status).toBe("succeeded");
  });

  it("refuses to confirm a succeeded or canceled PaymentIntent, and to cancel a succeeded one", async () => {
    const { customer, pm } = await customerWithCard();
    const paid = await stripe.paymentIntents.create({ amount: 500, currency: "usd", customer, payment_method: pm });
    await stripe.paymentIntents.confirm(paid.id, { off_session: true });
    expect(await refusal(stripe.paymentIntents.confirm(paid.id, { off_session: true }))).toMatchObject({
      statusCode: 400,
      code: "payment_intent_unexpected_state",
    });
    expect(await refusal(stripe.paymentIntents.cancel(paid.id))).toMatchObject({
      code: "payment_intent_unexpected_state",
    });
    const open = await stripe.paymentIntents.create({ amount: 500, currency: "usd", customer });
    expect((await stripe.paymentIntents.cancel(open.id)).status).toBe("canceled");
    expect(
      await refusal(stripe.paymentIntents.confirm(open.id, { off_session: true, payment_method: pm })),
    ).toMatchObject({ statusCode: 400, code: "payment_intent_unexpected_state" });
  });

  it("returns final decline codes as such, and refuses a payment method of another customer", async () => {
    for (const decline of ["stolen_card", "lost_card", "fraudulent", "pickup_card", "restricted_card"]) {
      const { customer, pm } = await customerWithCard({ decline });
      const pi = await stripe.paymentIntents.create({ amount: 500, currency: "usd", customer });
      const error = await refusal(stripe.paymentIntents.confirm(pi.id, { off_session: true, payment_method: pm }));
      expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
      expect(error).toMatchObject({ statusCode: 402, code: "card_declined", decline_code: decline });
      expect(fake.paymentIntents.get(pi.id)).toMatchObject({
        status: "requires_payment_method",
        last_payment_error: { decline_code: decline },
      });
    }
    const alice = await customerWithCard();
    const bob = await customerWithCard();
    const pi = await stripe.paymentIntents.create({ amount: 500, currency: "usd", customer: bob.customer });
    expect(
      await refusal(stripe.paymentIntents.confirm(pi.id, { off_session: true, payment_method: alice.pm })),
    ).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
  });

  it("SCA: off-session fails with authentication_required; on-session asks for 3-D Secure, then succeeds", async () => {
    const { customer, pm } = await customerWithCard({ decline: "authentication_required" });
    const pi = await stripe.paymentIntents.create({ amount: 900, currency: "eur", customer });
    const error = await refusal(stripe.paymentIntents.confirm(pi.id, { off_session: true, payment_method: pm }));
    expect(error).toMatchObject({ statusCode: 402, type: "StripeCardError", code: "authentication_required" });
    expect(fake.paymentIntents.get(pi.id)?.status).toBe("requires_payment_method");
    // On-session, as Stripe.js does it: the publishable key and the client secret.
    const res = await fetch(`${fake.url}/v1/payment_intents/${pi.id}/confirm`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        key: FakeStripe.publishableKey,
        client_secret: String(pi.client_secret),
        payment_method: pm,
      }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "requires_action", next_action: { type: "use_stripe_sdk" } });
    expect(fake.completeAuthentication(pi.id)).toMatchObject({ status: "succeeded" });
    // The publishable key without the client secret, or on anything else: refused.
    const wrong = await fetch(`${fake.url}/v1/payment_intents/${pi.id}/confirm`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ key: FakeStripe.publishableKey, client_secret: "pi_x_secret_y" }),
    });
    expect(wrong.status).toBe(401);
  });

  it("finds PaymentIntents by metadata (Search API) and lists them by customer", async () => {
    const { customer } = await customerWithCard();
    const a = await stripe.paymentIntents.create({
      amount: 100,
      currency: "usd",
      customer,
      metadata: { atlasInvoiceId: "inv_a" },
    });
    await stripe.paymentIntents.create({
      amount: 200,
      currency: "usd",
      customer,
      metadata: { atlasInvoiceId: "inv_b" },
    });
    // Stripe's search is not read-after-write: new objects are searchable within about a minute.
    expect((await stripe.paymentIntents.search({ query: "metadata['atlasInvoiceId']:'inv_a'" })).data).toEqual([]);
    fake.nowSec += 61;
    const found = await stripe.paymentIntents.search({ query: "metadata['atlasInvoiceId']:'inv_a'" });
    expect(found.data.map((p) => p.id)).toEqual([a.id]);
    expect((await stripe.paymentIntents.list({ customer })).data).toHaveLength(2);
    expect(await refusal(stripe.paymentIntents.search({ query: "amount>5" }))).toMatchObject({ statusCode: 400 });
  });
});

describe("customers and payment methods", () => {
  it("detaching the default clears invoice_settings.default_payment_method; a detached card cannot come back", async () => {
    const { customer, pm } = await customerWithCard();
    await stripe.paymentMethods.detach(pm);
    const after = (await stripe.customers.retrieve(customer)) as Stripe.Customer;
    expect(after.invoice_settings.default_payment_method).toBeNull();
    expect(await refusal(stripe.paymentMethods.attach(pm, { customer }))).toMatchObject({ statusCode: 400 });
    expect(
      await refusal(stripe.customers.update(customer, { invoice_settings: { default_payment_method: pm } })),
    ).toMatchObject({ statusCode: 400 });
  });
});

describe("idempotency keys", () => {
  it("replay the first answer; another endpoint or other parameters is an idempotency_error", async () => {
    const first = await stripe.customers.create({ email: "a@example.test" }, { idempotencyKey: "k1" });
    const again = await stripe.customers.create({ email: "a@example.test" }, { idempotencyKey: "k1" });
    expect(again.id).toBe(first.id);
    expect(fake.customers.size).toBe(1);
    const other = await refusal(stripe.customers.create({ email: "b@example.test" }, { idempotencyKey: "k1" }));
    expect(other).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(other.statusCode).toBe(400);
    // Keys are the account's, not a path's.
    const elsewhere = await refusal(
      stripe.paymentIntents.create({ amount: 1, currency: "usd", customer: first.id }, { idempotencyKey: "k1" }),
    );
    expect(elsewhere).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
  });

  it("are forgotten 24 hours later: the same key then acts again", async () => {
    await stripe.customers.create({ email: "a@example.test" }, { idempotencyKey: "k2" });
    fake.nowSec += 24 * 3600 - 1;
    await stripe.customers.create({ email: "a@example.test" }, { idempotencyKey: "k2" });
    expect(fake.customers.size).toBe(1);
    fake.nowSec += 1;
    await stripe.customers.create({ email: "other@example.test" }, { idempotencyKey: "k2" });
    expect(fake.customers.size).toBe(2);
  });
});

describe("subscription renewals (b-year)", () => {
  it("renews at each period's end with a charged subscription_cycle invoice, goes past_due on a decline, and ends at period end when set to", async () => {
    fake.prices.set("price_pro", { unit_amount: 2_000, currency: "usd", recurring: { interval: "month" } });
    const { customer, pm } = await customerWithCard();
    const sub = await stripe.subscriptions.create({ customer, items: [{ price: "price_pro" }] });
    expect(sub.status).toBe("active");
    const period = (s: Stripe.Subscription) => [
      s.items.data[0]?.current_period_start,
      s.items.data[0]?.current_period_end,
    ];
    const [start, end] = period(sub) as [number, number];
    fake.advance(end - start - 1);
    expect(period(await stripe.subscriptions.retrieve(sub.id))).toEqual([start, end]);
    fake.advance(1);
    const renewed = await stripe.subscriptions.retrieve(sub.id);
    expect(period(renewed)).toEqual([end, end + (end - start)]);
    const cycle = await stripe.invoices.retrieve(renewed.latest_invoice as string);
    expect(cycle).toMatchObject({ billing_reason: "subscription_cycle", status: "paid", amount_paid: 2_000 });

    (fake.cards.get(pm) as { decline: string | null }).decline = "card_declined";
    fake.advance(end - start);
    const unpaid = await stripe.subscriptions.retrieve(sub.id);
    expect(unpaid.status).toBe("past_due");
    expect(await stripe.invoices.retrieve(unpaid.latest_invoice as string)).toMatchObject({ status: "open" });
    expect(fake.events.filter((e) => e.type === "invoice.payment_failed")).toHaveLength(1);

    await stripe.subscriptions.update(sub.id, { cancel_at_period_end: true });
    fake.advance(end - start);
    const ended = await stripe.subscriptions.retrieve(sub.id);
    expect(ended).toMatchObject({ status: "canceled", ended_at: end + 2 * (end - start) });
    expect(fake.events.at(-1)?.type).toBe("customer.subscription.deleted");
  });
});
