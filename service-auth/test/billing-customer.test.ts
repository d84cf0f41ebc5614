import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { billingConsumer } from "../src/services/billing/jobs.ts";
import {
  billingEvents,
  billingHeaders,
  deliverWebhook,
  emitInvoiceFinalized,
  idemKey,
  startBillingApp,
} from "./billing-fixtures.ts";
import type { FakeStripe } from "./fakes/stripe.ts";
import { loginTestUser } from "./fixtures.ts";
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

const post = (path: string, headers: Record<string, string>, body?: unknown) =>
  t.app.request(path, { method: "POST", headers, ...(body !== undefined && { body: JSON.stringify(body) }) });

describe("plans", () => {
  it("serves the seeded catalogue with prices, included usage, overage prices and limits", async () => {
    const res = await t.app.request("/billing/plans");
    expect(res.status).toBe(200);
    const { items } = (await res.json()) as {
      items: { id: string; purchasable: boolean; monthlyPriceMinor: number }[];
    };
    expect(items.map((p) => p.id)).toEqual(["free", "pro", "business"]);
    expect(items.find((p) => p.id === "pro")).toMatchObject({
      monthlyPriceMinor: 2000,
      purchasable: true,
      limits: { maxObjectBytes: 1024 ** 3 },
      overagePrices: { requests: { unitSize: 10_000, unitPriceMinor: 5 } },
    });
    expect(items.find((p) => p.id === "free")?.purchasable).toBe(false);
  });
});

describe("billing customer", () => {
  it("creates the Stripe customer once and announces customer.created once", async () => {
    const { user, auth } = await loginTestUser(t);
    const first = await post("/billing/customer", billingHeaders(auth));
    expect(first.status).toBe(201);
    const profile = (await first.json()) as { id: string; stripeCustomerId: string };
    expect(profile.stripeCustomerId).toMatch(/^cus_/);
    expect(stripe.customers.get(profile.stripeCustomerId)).toMatchObject({
      email: user.email,
      metadata: { atlasUserId: user.id, atlasBillingProfileId: profile.id },
    });
    const again = await post("/billing/customer", billingHeaders(auth));
    expect(again.status).toBe(200);
    expect(((await again.json()) as { stripeCustomerId: string }).stripeCustomerId).toBe(profile.stripeCustomerId);
    expect(stripe.customers.size).toBe(1);
    const events = await billingEvents(t, "customer.created");
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      sourceService: "service-auth",
      payload: { userId: user.id, billingProfileId: profile.id, stripeCustomerId: profile.stripeCustomerId },
    });
  });

  it("concurrent creations with different keys still make one Stripe customer and one event", async () => {
    const { auth } = await loginTestUser(t);
    stripe.delayMs = 50;
    const answers = await Promise.all(Array.from({ length: 8 }, () => post("/billing/customer", billingHeaders(auth))));
    expect(answers.every((r) => r.status === 200 || r.status === 201)).toBe(true);
    const ids = new Set(
      await Promise.all(answers.map(async (r) => ((await r.json()) as { stripeCustomerId: string }).stripeCustomerId)),
    );
    expect(ids.size).toBe(1);
    expect(stripe.customers.size).toBe(1);
    expect(await billingEvents(t, "customer.created")).toHaveLength(1);
    expect(await t.deps.prisma.billingProfile.count()).toBe(1);
  });

  it("shows the profile, with the free plan in force before any subscription", async () => {
    const { auth } = await loginTestUser(t);
    let res = await t.app.request("/billing/profile", { headers: auth });
    expect(await res.json()).toMatchObject({ profile: null, subscription: null, plan: { id: "free" } });
    await post("/billing/customer", billingHeaders(auth));
    res = await t.app.request("/billing/profile", { headers: auth });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ profile: { stripeCustomerId: expect.stringMatching(/^cus_/) } });
    expect((await t.app.request("/billing/profile")).status).toBe(401);
  });

  it("without Stripe, the profile is the customer (stripeCustomerId null) and is announced once", async () => {
    const plain = await createTestApp();
    try {
      await plain.reset();
      const { user, auth } = await loginTestUser(plain);
      const res = await plain.app.request("/billing/customer", { method: "POST", headers: billingHeaders(auth) });
      expect(res.status).toBe(201);
      expect(((await res.json()) as { stripeCustomerId: unknown }).stripeCustomerId).toBeNull();
      await plain.app.request("/billing/customer", { method: "POST", headers: billingHeaders(auth) });
      const events = await billingEvents(plain, "customer.created");
      expect(events).toHaveLength(1);
      expect(events[0]?.payload).toMatchObject({ userId: user.id, stripeCustomerId: null });
    } finally {
      await plain.close();
    }
  });
});

describe("Idempotency-Key (api.md)", () => {
  it("is required, 1..255 characters", async () => {
    const { auth } = await loginTestUser(t);
    for (const key of [undefined, "", "k".repeat(256)]) {
      const headers: Record<string, string> = { ...auth };
      if (key !== undefined) headers["idempotency-key"] = key;
      const res = await post("/billing/customer", headers);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: "VALIDATION_FAILED" });
    }
    expect(stripe.customers.size).toBe(0);
    expect(await t.deps.prisma.billingProfile.count()).toBe(0);
  });

  it("replays the stored answer for the same key and body, without executing again", async () => {
    const { auth } = await loginTestUser(t);
    const key = idemKey();
    const first = await post("/billing/customer", billingHeaders(auth, key));
    const replay = await post("/billing/customer", billingHeaders(auth, key));
    expect(first.status).toBe(201);
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(await replay.json()).toEqual(await first.json());
    expect(stripe.count("POST /v1/customers")).toBe(1);
  });

  it("refuses the same key with a different body: 422 IDEMPOTENCY_KEY_REUSED, nothing changes", async () => {
    const { auth } = await loginTestUser(t);
    const key = idemKey();
    await post("/billing/customer", billingHeaders(auth, key), {});
    const before = await billingEvents(t);
    const res = await post("/billing/customer", billingHeaders(auth, key), { other: true });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED" });
    expect(await billingEvents(t)).toEqual(before);
    // Key order and whitespace do not make a body different.
    const again = await post("/billing/customer", billingHeaders(auth, key), JSON.parse("{}"));
    expect(again.status).toBe(201);
  });

  it("never executes two concurrent requests with one key: the second is 409 CONFLICT", async () => {
    const { auth } = await loginTestUser(t);
    const key = idemKey();
    stripe.delayMs = 300;
    const [a, b] = await Promise.all([
      post("/billing/customer", billingHeaders(auth, key)),
      post("/billing/customer", billingHeaders(auth, key)),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    const conflict = a.status === 409 ? a : b;
    expect(await conflict.json()).toMatchObject({ code: "CONFLICT" });
    expect(stripe.count("POST /v1/customers")).toBe(1);
  });

  it("scopes keys per user, and gives a key back after 24 h", async () => {
    const alice = await loginTestUser(t);
    const bob = await loginTestUser(t);
    const key = idemKey();
    const a = await post("/billing/customer", billingHeaders(alice.auth, key));
    const b = await post("/billing/customer", billingHeaders(bob.auth, key));
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(stripe.customers.size).toBe(2);
    // 24 h later (moved in the data: the access token would have expired by then).
    const stored = await t.deps.prisma.idempotencyKey.findFirstOrThrow({
      where: { key, scope: `user:${alice.user.id}` },
    });
    expect(stored.expiresAt.getTime() - stored.createdAt.getTime()).toBe(24 * 3_600_000);
    await t.deps.prisma.idempotencyKey.update({ where: { id: stored.id }, data: { expiresAt: t.clock.now } });
    const later = await post("/billing/customer", billingHeaders(alice.auth, key));
    // Executed again (not replayed): the customer exists already, so 200 this time.
    expect(later.status).toBe(200);
    expect(later.headers.get("idempotent-replayed")).toBeNull();
  });

  it("does not store a 5xx answer: the same key is retried after the outage", async () => {
    const { auth } = await loginTestUser(t);
    const key = idemKey();
    stripe.failWith = 500;
    const failed = await post("/billing/customer", billingHeaders(auth, key));
    // A Stripe outage is 503 PROVIDER_UNAVAILABLE (api.md), still a 5xx: nothing is stored.
    expect(failed.status).toBe(503);
    const problem = (await failed.json()) as { detail: string };
    expect(JSON.stringify(problem)).not.toMatch(/fake outage|stripe/i);
    stripe.failWith = null;
    const retried = await post("/billing/customer", billingHeaders(auth, key));
    expect(retried.status).toBe(201);
    expect(retried.headers.get("idempotent-replayed")).toBeNull();
  });

  it("lets a key held by a request that died long ago be taken over", async () => {
    const { user, auth } = await loginTestUser(t);
    const key = idemKey();
    await t.deps.prisma.idempotencyKey.create({
      data: {
        scope: `user:${user.id}`,
        method: "POST",
        path: "/billing/customer",
        key,
        requestHash: (await import("../src/services/platform/crypto.ts")).sha256Hex("POST /billing/customer\n"),
        state: "running",
        createdAt: new Date(t.clock.now.getTime() - 10 * 60_000),
        expiresAt: new Date(t.clock.now.getTime() + 3_600_000),
      },
    });
    const res = await post("/billing/customer", billingHeaders(auth, key));
    expect(res.status).toBe(201);
  });
});

describe("default payment method (issue 17 §3)", () => {
  it("the first card added becomes the default at Stripe and locally (webhooks); a second does not replace it", async () => {
    const { auth } = await loginTestUser(t);
    const profile = (await (await post("/billing/customer", billingHeaders(auth))).json()) as {
      id: string;
      stripeCustomerId: string;
    };
    const si = (await (await post("/billing/payment-methods/setup-intent", billingHeaders(auth))).json()) as {
      setupIntentId: string;
    };
    // Stripe Elements confirms the SetupIntent; Stripe announces the attached card and the SetupIntent.
    const first = stripe.confirmSetupIntent(si.setupIntentId, { last4: "1111" });
    const attached = stripe.event(
      "payment_method.attached",
      stripe.paymentMethods.get(first) as Record<string, unknown>,
    );
    expect(await (await deliverWebhook(t, attached)).json()).toMatchObject({ outcome: "applied" });
    const customer = stripe.customers.get(profile.stripeCustomerId) as { invoice_settings: Record<string, unknown> };
    expect(customer.invoice_settings.default_payment_method).toBe(first);
    expect(
      (await t.deps.prisma.billingProfile.findUniqueOrThrow({ where: { id: profile.id } })).defaultPaymentMethodId,
    ).toBe(first);
    expect(await t.deps.prisma.paymentMethod.findUnique({ where: { stripePaymentMethodId: first } })).toMatchObject({
      last4: "1111",
      detachedAt: null,
    });
    const second = stripe.attachCard(profile.stripeCustomerId, { last4: "2222" });
    const succeeded = stripe.event("setup_intent.succeeded", {
      ...(stripe.setupIntents.get(si.setupIntentId) as Record<string, unknown>),
      payment_method: second,
    });
    expect(await (await deliverWebhook(t, succeeded)).json()).toMatchObject({ outcome: "applied" });
    expect(customer.invoice_settings.default_payment_method).toBe(first);
    const list = (await (await t.app.request("/billing/payment-methods", { headers: auth })).json()) as {
      items: { id: string; isDefault: boolean }[];
    };
    expect(list.items).toEqual([
      expect.objectContaining({ id: first, isDefault: true }),
      expect.objectContaining({ id: second, isDefault: false }),
    ]);
    // A card event of a customer Atlas does not know: acknowledged, ignored.
    const stranger = stripe.event("payment_method.attached", {
      id: "pm_x",
      object: "payment_method",
      customer: "cus_x",
    });
    expect(await (await deliverWebhook(t, stranger)).json()).toMatchObject({ outcome: "ignored" });
  });

  it("listing resolves a default when no webhook came: the first card, which the off-session charge names", async () => {
    const who = await loginTestUser(t);
    const { auth } = who;
    const profile = (await (await post("/billing/customer", billingHeaders(auth))).json()) as {
      id: string;
      stripeCustomerId: string;
    };
    const card = stripe.attachCard(profile.stripeCustomerId);
    stripe.attachCard(profile.stripeCustomerId, { last4: "9999" });
    const list = (await (await t.app.request("/billing/payment-methods", { headers: auth })).json()) as {
      items: { id: string; isDefault: boolean }[];
    };
    expect(list.items.filter((p) => p.isDefault).map((p) => p.id)).toEqual([card]);
    const customer = stripe.customers.get(profile.stripeCustomerId) as { invoice_settings: Record<string, unknown> };
    expect(customer.invoice_settings.default_payment_method).toBe(card);
    // The peer never falls back to the customer's default: the charge succeeds only because it names the card.
    const invoiceId = await emitInvoiceFinalized(t, { tenantId: who.tenant.id, userId: who.user.id, totalMinor: 450 });
    await (billingConsumer(t.deps, { listen: false }) as NonNullable<ReturnType<typeof billingConsumer>>).drain();
    expect(await t.deps.prisma.charge.findUniqueOrThrow({ where: { invoiceId } })).toMatchObject({
      status: "succeeded",
    });
    expect([...stripe.paymentIntents.values()][0]).toMatchObject({ payment_method: card, status: "succeeded" });
  });
});
