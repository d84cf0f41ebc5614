// The Stripe peer's browser side (fakes/stripe-client.ts) refuses what Stripe refuses: the
// publishable key only on Stripe.js's endpoints, a client secret that must match its intent, raw
// card numbers only from Stripe.js, and the SetupIntent status machine.
import Stripe from "stripe";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FakeStripe } from "./fakes/stripe.ts";

let fake: FakeStripe;
let stripe: Stripe;

beforeAll(async () => {
  fake = await FakeStripe.start();
  const { hostname, port } = new URL(fake.url);
  stripe = new Stripe("sk_test_atlas", { host: hostname, port: Number(port), protocol: "http" });
});
beforeEach(() => {
  fake.reset();
  fake.nowSec = Math.floor(Date.parse("2026-06-15T12:00:00Z") / 1000);
});
afterAll(() => fake.stop());

/** What the tests read of an answer (the peer's JSON). */
type Body = Record<string, unknown> & { id?: string; status?: string; error?: { code?: string } };

/** A call as Stripe.js makes it: form body (or query), the publishable key as `key`. */
async function browser(method: "GET" | "POST", path: string, params: Record<string, string>) {
  const body = new URLSearchParams({ key: FakeStripe.publishableKey, ...params });
  const res =
    method === "GET" ? await fetch(`${fake.url}${path}?${body}`) : await fetch(`${fake.url}${path}`, { method, body });
  return { status: res.status, body: (await res.json()) as Body };
}

const card = (number: string, extra: Record<string, string> = {}) => ({
  type: "card",
  "card[number]": number,
  "card[exp_month]": "12",
  "card[exp_year]": "2029",
  "card[cvc]": "123",
  ...extra,
});

async function setupIntent() {
  const customer = await stripe.customers.create({ email: "c@example.test" });
  const si = await stripe.setupIntents.create({ customer: customer.id, usage: "off_session" });
  return { customer: customer.id, si: si.id, secret: si.client_secret as string };
}

describe("Stripe.js's endpoints on the peer", () => {
  it("creates card PaymentMethods only from Stripe.js, with Stripe's card errors", async () => {
    const ok = await browser("POST", "/v1/payment_methods", card("4242 4242 4242 4242"));
    expect(ok).toMatchObject({
      status: 200,
      body: { object: "payment_method", customer: null, card: { last4: "4242" } },
    });
    expect((await browser("POST", "/v1/payment_methods", card("4242424242424241"))).body.error).toMatchObject({
      type: "card_error",
      code: "incorrect_number",
    });
    const expired = await browser(
      "POST",
      "/v1/payment_methods",
      card("4242424242424242", { "card[exp_year]": "2025" }),
    );
    expect(expired).toMatchObject({ status: 402, body: { error: { code: "invalid_expiry_year" } } });
    const cvc = await browser("POST", "/v1/payment_methods", card("4242424242424242", { "card[cvc]": "1" }));
    expect(cvc.body.error?.code).toBe("invalid_cvc");
    // A real (non-test) number in test mode is declined.
    expect((await browser("POST", "/v1/payment_methods", card("4111111111111111"))).body.error?.code).toBe(
      "card_declined",
    );
    // The secret key may not send raw card numbers.
    const raw = await fetch(`${fake.url}/v1/payment_methods`, {
      method: "POST",
      headers: { authorization: "Bearer sk_test_atlas" },
      body: new URLSearchParams(card("4242424242424242")),
    });
    expect(raw.status).toBe(400);
  });

  it("the publishable key does nothing else: no customers, no intent without its client secret", async () => {
    const { customer, si, secret } = await setupIntent();
    expect((await browser("POST", "/v1/customers", { email: "x@example.test" })).status).toBe(401);
    expect((await browser("GET", `/v1/customers/${customer}/payment_methods`, {})).status).toBe(401);
    expect((await browser("GET", `/v1/setup_intents/${si}`, {})).status).toBe(401);
    expect((await browser("GET", `/v1/setup_intents/${si}`, { client_secret: `${si}_secret_wrong` })).status).toBe(401);
    expect((await browser("POST", `/v1/three_d_secure_peer/${si}/confirm`, { client_secret: secret })).status).toBe(
      401,
    );
    const read = await browser("GET", `/v1/setup_intents/${si}`, { client_secret: secret });
    expect(read).toMatchObject({ status: 200, body: { status: "requires_payment_method", payment_method: null } });
  });

  it("SetupIntent status machine: succeeded attaches the card once; a second confirm is refused", async () => {
    const { customer, si, secret } = await setupIntent();
    const pm = (await browser("POST", "/v1/payment_methods", card("4242424242424242"))).body.id as string;
    const done = await browser("POST", `/v1/setup_intents/${si}/confirm`, {
      client_secret: secret,
      payment_method: pm,
    });
    expect(done).toMatchObject({ status: 200, body: { status: "succeeded", payment_method: pm } });
    expect(fake.paymentMethods.get(pm)?.customer).toBe(customer);
    expect(fake.events.map((e) => e.type)).toEqual(
      expect.arrayContaining(["payment_method.attached", "setup_intent.succeeded"]),
    );
    const again = await browser("POST", `/v1/setup_intents/${si}/confirm`, {
      client_secret: secret,
      payment_method: pm,
    });
    expect(again).toMatchObject({ status: 400, body: { error: { code: "setup_intent_unexpected_state" } } });
    // The card is this customer's: another customer's SetupIntent cannot take it.
    const other = await setupIntent();
    const stolen = await browser("POST", `/v1/setup_intents/${other.si}/confirm`, {
      client_secret: other.secret,
      payment_method: pm,
    });
    expect(stolen.status).toBe(400);
  });

  it("3-D Secure on a SetupIntent: requires_action, then failed (new card needed) or completed", async () => {
    const { customer, si, secret } = await setupIntent();
    const pm = (await browser("POST", "/v1/payment_methods", card("4000002760003184"))).body.id as string;
    const asked = await browser("POST", `/v1/setup_intents/${si}/confirm`, {
      client_secret: secret,
      payment_method: pm,
    });
    expect(asked.body).toMatchObject({ status: "requires_action", next_action: { type: "use_stripe_sdk" } });
    expect(fake.paymentMethods.get(pm)?.customer).toBeNull();
    const failed = await browser("POST", `/v1/three_d_secure_peer/${si}/fail`, { client_secret: secret });
    expect(failed.body).toMatchObject({
      status: "requires_payment_method",
      last_setup_error: { code: "setup_intent_authentication_failure" },
    });
    // Completing is only possible while authentication is asked for.
    expect((await browser("POST", `/v1/three_d_secure_peer/${si}/complete`, { client_secret: secret })).status).toBe(
      400,
    );
    await browser("POST", `/v1/setup_intents/${si}/confirm`, { client_secret: secret, payment_method: pm });
    const completed = await browser("POST", `/v1/three_d_secure_peer/${si}/complete`, { client_secret: secret });
    expect(completed.body).toMatchObject({ status: "succeeded" });
    expect(fake.paymentMethods.get(pm)?.customer).toBe(customer);
  });

  it("a declined card leaves the SetupIntent waiting for another, with last_setup_error", async () => {
    const { si, secret } = await setupIntent();
    const pm = (await browser("POST", "/v1/payment_methods", card("4000000000000002"))).body.id as string;
    const declined = await browser("POST", `/v1/setup_intents/${si}/confirm`, {
      client_secret: secret,
      payment_method: pm,
    });
    expect(declined).toMatchObject({
      status: 402,
      body: {
        error: { type: "card_error", code: "card_declined", setup_intent: { status: "requires_payment_method" } },
      },
    });
    expect((await browser("POST", `/v1/setup_intents/${si}/confirm`, { client_secret: secret })).status).toBe(400);
  });

  it("3-D Secure on a PaymentIntent with the client secret, as Stripe.js completes it", async () => {
    const { customer } = await setupIntent();
    const pm = fake.attachCard(customer, { decline: "authentication_required" });
    const pi = await stripe.paymentIntents.create({ amount: 2_000, currency: "usd", customer, payment_method: pm });
    const secret = pi.client_secret as string;
    const asked = await browser("POST", `/v1/payment_intents/${pi.id}/confirm`, { client_secret: secret });
    expect(asked.body.status).toBe("requires_action");
    const done = await browser("POST", `/v1/three_d_secure_peer/${pi.id}/complete`, { client_secret: secret });
    expect(done.body).toMatchObject({ status: "succeeded" });
    expect((await browser("POST", `/v1/three_d_secure_peer/${pi.id}/complete`, { client_secret: secret })).status).toBe(
      400,
    );
  });
});
