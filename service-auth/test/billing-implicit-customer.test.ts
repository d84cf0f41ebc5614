// The billing customer is created implicitly, once, the first time a billing action needs it:
// nobody has to call POST /billing/customer first, and concurrent first calls of different actions
// make one Stripe customer (the profile row is locked while it is made; Stripe's idempotency key
// is per profile). Reads create nothing at Stripe.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { billingEvents, billingHeaders, startBillingApp } from "./billing-fixtures.ts";
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

const post = (path: string, headers: Record<string, string>, body?: unknown) =>
  t.app.request(path, { method: "POST", headers, ...(body !== undefined && { body: JSON.stringify(body) }) });

describe("implicit billing customer", () => {
  it("adding a card needs no POST /billing/customer: the SetupIntent is made for a customer created on the way", async () => {
    const { user, auth } = await loginTestUser(t);
    const res = await post("/billing/payment-methods/setup-intent", billingHeaders(auth));
    expect(res.status).toBe(200);
    const { clientSecret } = (await res.json()) as { clientSecret: string };
    expect(clientSecret).toMatch(/^seti_.+_secret_/);
    const profile = await t.deps.prisma.billingProfile.findUniqueOrThrow({ where: { customerId: user.id } });
    expect(profile.stripeCustomerId).toMatch(/^cus_/);
    const si = stripe.setupIntents.get(clientSecret.split("_secret_")[0] as string);
    expect(si?.customer).toBe(profile.stripeCustomerId);
    expect(stripe.customers.get(profile.stripeCustomerId as string)).toMatchObject({
      email: user.email,
      metadata: { atlasUserId: user.id, atlasTenantId: user.tenantId, atlasBillingProfileId: profile.id },
    });
    expect(await billingEvents(t, "customer.created")).toHaveLength(1);
    // The explicit call still works, and finds the same customer.
    const explicit = await post("/billing/customer", billingHeaders(auth));
    expect(explicit.status).toBe(200);
    expect(((await explicit.json()) as { stripeCustomerId: string }).stripeCustomerId).toBe(profile.stripeCustomerId);
  });

  it("subscribing needs no customer first: the first payment waits for the card (incomplete + clientSecret)", async () => {
    const { auth } = await loginTestUser(t);
    const res = await post("/billing/subscriptions", billingHeaders(auth), { planId: "pro" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      planId: "pro",
      status: "incomplete",
      clientSecret: expect.stringMatching(/^pi_.+_secret_/),
    });
    expect(stripe.customers.size).toBe(1);
  });

  it("listing cards before any customer answers an empty list and creates nothing at Stripe", async () => {
    const { auth } = await loginTestUser(t);
    const res = await t.app.request("/billing/payment-methods", { headers: auth });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ items: [] });
    expect(stripe.count("POST /v1/customers")).toBe(0);
    // Removing or choosing a card of a customer that does not exist: 404, still nothing created.
    const gone = await t.app.request("/billing/payment-methods/pm_unknown", {
      method: "DELETE",
      headers: billingHeaders(auth),
    });
    expect(gone.status).toBe(404);
    expect(stripe.count("POST /v1/customers")).toBe(0);
  });

  it("concurrent first calls of different actions make ONE Stripe customer and one customer.created", async () => {
    const { user, auth } = await loginTestUser(t);
    // Slow Stripe: every first call is in flight at once.
    stripe.delayMs = 120;
    const answers = await Promise.all([
      post("/billing/payment-methods/setup-intent", billingHeaders(auth)),
      post("/billing/payment-methods/setup-intent", billingHeaders(auth)),
      post("/billing/subscriptions", billingHeaders(auth), { planId: "pro" }),
      post("/billing/customer", billingHeaders(auth)),
      post("/billing/payment-methods/setup-intent", billingHeaders(auth)),
      post("/billing/customer", billingHeaders(auth)),
    ]);
    stripe.delayMs = 0;
    // (POST /billing/customer answers 201 only where it was the one that made the customer.)
    expect(answers.every((r) => r.status === 200 || r.status === 201)).toBe(true);
    // One creation request reached Stripe: the others waited for the row lock and found it.
    expect(stripe.count("POST /v1/customers")).toBe(1);
    expect(stripe.customers.size).toBe(1);
    const [customer] = [...stripe.customers.keys()];
    const profile = await t.deps.prisma.billingProfile.findUniqueOrThrow({ where: { customerId: user.id } });
    expect(profile.stripeCustomerId).toBe(customer);
    expect(await t.deps.prisma.billingProfile.count()).toBe(1);
    expect(await billingEvents(t, "customer.created")).toHaveLength(1);
    expect([...stripe.setupIntents.values()].every((si) => si.customer === customer)).toBe(true);
  });
});

describe("the Stripe peer is as strict as Stripe about idempotency keys", () => {
  it("a second request with a key still in flight is 409 idempotency_key_in_use, and nothing is stored for it", async () => {
    stripe.delayMs = 150;
    const call = () =>
      fetch(`${stripe.url}/v1/customers`, {
        method: "POST",
        headers: {
          authorization: "Bearer sk_test_atlas",
          "content-type": "application/x-www-form-urlencoded",
          "idempotency-key": "same-key",
        },
        body: "email=a%40example.test",
      });
    const first = call();
    await new Promise((r) => setTimeout(r, 30));
    const second = await call();
    stripe.delayMs = 0;
    expect(second.status).toBe(409);
    expect(await second.json()).toMatchObject({ error: { code: "idempotency_key_in_use" } });
    expect((await first).status).toBe(200);
    // Once the first is done the key replays its answer.
    const replay = await call();
    expect(replay.status).toBe(200);
    expect(stripe.customers.size).toBe(1);
  });
});
