import Stripe from "stripe";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { billingConsumer } from "../src/services/billing/jobs.ts";
import {
  billingEvents,
  billingHeaders,
  customerWithCard,
  deliverWebhook,
  emitInvoiceFinalized,
  idemKey,
  startBillingApp,
} from "./billing-fixtures.ts";
import type { FakeStripe } from "./fakes/stripe.ts";
import { loginTestUser } from "./fixtures.ts";
import type { TestApp } from "./harness.ts";

let t: TestApp;
let stripe: FakeStripe;
let sdk: Stripe;

beforeAll(async () => {
  ({ t, stripe } = await startBillingApp());
  const url = new URL(stripe.url);
  sdk = new Stripe("sk_test_atlas", { host: url.hostname, port: url.port, protocol: "http", maxNetworkRetries: 0 });
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
const consume = () =>
  (billingConsumer(t.deps, { listen: false }) as NonNullable<ReturnType<typeof billingConsumer>>).drain();

/** A customer whose invoice of `totalMinor` was charged by card and paid. */
async function paidInvoice(totalMinor = 10_000) {
  const who = await customerWithCard(t, stripe);
  const invoiceId = await emitInvoiceFinalized(t, { tenantId: who.tenant.id, userId: who.user.id, totalMinor });
  await consume();
  const charge = await t.deps.prisma.charge.findUniqueOrThrow({ where: { invoiceId } });
  expect(charge.status).toBe("succeeded");
  const pi = stripe.paymentIntents.get(charge.stripePaymentIntentId as string) as Json;
  return { ...who, invoiceId, charge, pi, chargeId: pi.latest_charge as string };
}

const refund = (invoiceId: string, auth: Record<string, string>, body: Json, key = idemKey()) =>
  t.app.request(`/admin/billing/invoices/${invoiceId}/refund`, {
    method: "POST",
    headers: billingHeaders(auth, key),
    body: JSON.stringify(body),
  });

/** Delivers everything the peer sent since the last call; the outcomes in order. */
async function deliverSent(): Promise<string[]> {
  const outcomes: string[] = [];
  for (const event of stripe.takeEvents()) {
    const res = await deliverWebhook(t, event);
    expect(res.status).toBe(200);
    outcomes.push(((await res.json()) as { outcome: string }).outcome);
  }
  return outcomes;
}

const payloads = async (type: "payment.refunded" | "payment.disputed" | "dispute.funds_reinstated") =>
  (await billingEvents(t, type)).map((e) => e.payload as Json);

describe("the Stripe peer's refunds, charges and disputes", () => {
  it("a succeeded PaymentIntent has a charge; refunds cannot exceed what is left (Stripe's errors)", async () => {
    const { pi, chargeId } = await paidInvoice(1_000);
    expect(stripe.charges.get(chargeId)).toMatchObject({ amount: 1_000, amount_refunded: 0, refunded: false });
    await sdk.refunds.create({ payment_intent: pi.id as string, amount: 400 });
    await expect(sdk.refunds.create({ charge: chargeId, amount: 700 })).rejects.toMatchObject({
      type: "StripeInvalidRequestError",
      param: "amount",
    });
    await sdk.refunds.create({ charge: chargeId });
    expect(await sdk.charges.retrieve(chargeId)).toMatchObject({ amount_refunded: 1_000, refunded: true });
    await expect(sdk.refunds.create({ charge: chargeId, amount: 1 })).rejects.toMatchObject({
      code: "charge_already_refunded",
    });
    expect(stripe.takeEvents().map((e) => e.type)).toEqual([
      "charge.refunded",
      "refund.created",
      "charge.refunded",
      "refund.created",
    ]);
  });

  it("refuses application_fee_amount on a charge without a connected destination", async () => {
    const customer = await sdk.customers.create({});
    await expect(
      sdk.paymentIntents.create({ amount: 1_000, currency: "usd", customer: customer.id, application_fee_amount: 100 }),
    ).rejects.toMatchObject({ type: "StripeInvalidRequestError", param: "application_fee_amount" });
    expect(stripe.paymentIntents.size).toBe(0);
  });
});

describe("POST /admin/billing/invoices/:id/refund", () => {
  it("refunds in parts, once per Idempotency-Key, records and announces each refund once, audited", async () => {
    const { invoiceId, pi, tenant, user, chargeId } = await paidInvoice(10_000);
    const admin = await loginTestUser(t, { roles: ["admin"] });
    const key = idemKey();
    const first = await refund(invoiceId, admin.auth, { amountMinor: 2_500, reason: "requested_by_customer" }, key);
    expect(first.status).toBe(201);
    const body = (await first.json()) as Json;
    expect(body).toMatchObject({ invoiceId, amountMinor: 2_500, currency: "usd", status: "succeeded" });
    // The same request again: the stored answer, no second refund at Stripe.
    const replay = await refund(invoiceId, admin.auth, { amountMinor: 2_500, reason: "requested_by_customer" }, key);
    expect(replay.status).toBe(201);
    expect(await replay.json()).toEqual(body);
    expect(stripe.refunds.size).toBe(1);
    expect(stripe.refunds.get(body.id as string)).toMatchObject({ payment_intent: pi.id, amount: 2_500 });
    // Stripe's webhooks for the same refund arrive after the answer: nothing new.
    expect(await deliverSent()).toEqual(["unchanged", "unchanged"]);
    expect(await payloads("payment.refunded")).toEqual([
      {
        tenantId: tenant.id,
        userId: user.id,
        invoiceId,
        amountMinor: 2_500,
        currency: "usd",
        reason: "requested_by_customer",
        reference: body.id,
      },
    ]);
    // More than is left: refused before Stripe is asked.
    const tooMuch = await refund(invoiceId, admin.auth, { amountMinor: 7_501, reason: "duplicate" });
    expect(tooMuch.status).toBe(409);
    expect(await tooMuch.json()).toMatchObject({ code: "CONFLICT", detail: expect.stringContaining("7500") });
    // The rest (no amount), then nothing is left.
    const rest = await refund(invoiceId, admin.auth, { reason: "duplicate" });
    expect(await rest.json()).toMatchObject({ amountMinor: 7_500 });
    expect((await refund(invoiceId, admin.auth, { reason: "duplicate" })).status).toBe(409);
    expect(stripe.charges.get(chargeId)).toMatchObject({ amount_refunded: 10_000, refunded: true });
    expect((await payloads("payment.refunded")).map((p) => p.amountMinor)).toEqual([2_500, 7_500]);
    expect(await t.deps.prisma.refund.count({ where: { invoiceId, kind: "refund" } })).toBe(2);
    const audit = await t.deps.prisma.authAuditLog.findMany({ where: { eventType: "billing_refund_issued" } });
    expect(audit.map((a) => (a.details as Json).amountMinor)).toEqual([2_500, 7_500]);
    expect(audit[0]).toMatchObject({ userId: admin.user.id, details: { invoiceId, refundId: body.id } });
  });

  it("platform admins only: a plain user and another tenant's admin get 403 and nothing is refunded", async () => {
    const { invoiceId } = await paidInvoice();
    await t.deps.prisma.tenant.create({
      data: { name: "Acme", slug: "acme", allowedOrigins: [], allowedMethods: ["email"], jwtAudience: "acme-api" },
    });
    const acmeAdmin = await loginTestUser(t, { roles: ["admin"], tenantSlug: "acme" });
    const user = await loginTestUser(t);
    for (const auth of [user.auth, { ...acmeAdmin.auth, "x-tenant": "acme" }]) {
      const res = await refund(invoiceId, auth, { reason: "requested_by_customer" });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: "FORBIDDEN" });
    }
    const none = await t.app.request(`/admin/billing/invoices/${invoiceId}/refund`, {
      method: "POST",
      body: "{}",
      headers: { "content-type": "application/json" },
    });
    expect(none.status).toBe(401);
    expect(stripe.refunds.size).toBe(0);
  });

  it("validates the body and the key; unknown invoices are 404; crypto-paid invoices are 409 (refunded by hand)", async () => {
    const admin = await loginTestUser(t, { roles: ["admin"] });
    const { invoiceId } = await paidInvoice();
    expect((await refund(invoiceId, admin.auth, { reason: "because" })).status).toBe(400);
    expect((await refund(invoiceId, admin.auth, { amountMinor: 0, reason: "duplicate" })).status).toBe(400);
    expect((await refund(invoiceId, admin.auth, { amountMinor: 1.5, reason: "duplicate" })).status).toBe(400);
    const noKey = await t.app.request(`/admin/billing/invoices/${invoiceId}/refund`, {
      method: "POST",
      headers: { ...admin.auth, "content-type": "application/json" },
      body: JSON.stringify({ reason: "duplicate" }),
    });
    expect(noKey.status).toBe(400);
    expect((await refund("inv_missing", admin.auth, { reason: "duplicate" })).status).toBe(404);
    const profile = await t.deps.prisma.billingProfile.findFirstOrThrow();
    await t.deps.prisma.charge.create({
      data: {
        invoiceId: "inv_crypto",
        billingProfileId: profile.id,
        amountMinor: 5_000,
        currency: "usd",
        provider: "crypto",
        status: "succeeded",
        tenantId: profile.tenantId,
        userId: profile.customerId,
      },
    });
    const crypto = await refund("inv_crypto", admin.auth, { reason: "duplicate" });
    expect(crypto.status).toBe(409);
    expect(await crypto.json()).toMatchObject({ code: "CONFLICT", detail: expect.stringMatching(/crypto.*by hand/i) });
    expect(stripe.refunds.size).toBe(0);
    expect(await t.deps.prisma.refund.count()).toBe(0);
  });

  it("a Stripe outage answers 503 and records nothing; the retry with the same key refunds once", async () => {
    const { invoiceId } = await paidInvoice(3_000);
    const admin = await loginTestUser(t, { roles: ["admin"] });
    const key = idemKey();
    stripe.failWith = 500;
    const down = await refund(invoiceId, admin.auth, { amountMinor: 1_000, reason: "duplicate" }, key);
    expect(down.status).toBe(503);
    expect(down.headers.get("retry-after")).toBe("5");
    expect(await down.json()).toMatchObject({ code: "PROVIDER_UNAVAILABLE" });
    expect(await t.deps.prisma.refund.count()).toBe(0);
    stripe.failWith = null;
    const up = await refund(invoiceId, admin.auth, { amountMinor: 1_000, reason: "duplicate" }, key);
    expect(up.status).toBe(201);
    expect(stripe.refunds.size).toBe(1);
    expect(await payloads("payment.refunded")).toHaveLength(1);
  });
});

describe("charge.refunded and charge.dispute.* webhooks", () => {
  it("a refund made at Stripe (dashboard) is recorded from the webhook once, matched by PaymentIntent", async () => {
    const { invoiceId, chargeId } = await paidInvoice(4_000);
    const made = await sdk.refunds.create({ charge: chargeId, amount: 1_500, reason: "duplicate" });
    const events = stripe.takeEvents();
    expect(events.map((e) => e.type)).toEqual(["charge.refunded", "refund.created"]);
    expect(((events[0] as Json).data as { object: Json }).object).toMatchObject({ amount_refunded: 1_500 });
    expect(await (await deliverWebhook(t, events[0])).json()).toMatchObject({ outcome: "applied" });
    expect(await (await deliverWebhook(t, events[0])).json()).toMatchObject({ outcome: "duplicate" });
    expect(await (await deliverWebhook(t, events[1])).json()).toMatchObject({ outcome: "unchanged" });
    expect(await payloads("payment.refunded")).toEqual([
      expect.objectContaining({ invoiceId, amountMinor: 1_500, reason: "duplicate", reference: made.id }),
    ]);
    // The admin endpoint then knows only 2,500 are left.
    const admin = await loginTestUser(t, { roles: ["admin"] });
    expect((await refund(invoiceId, admin.auth, { amountMinor: 2_501, reason: "duplicate" })).status).toBe(409);
    // A refund of a charge Atlas did not make is acknowledged and ignored.
    const foreign = stripe.event("charge.refunded", { id: "ch_x", object: "charge", payment_intent: "pi_unknown" });
    expect(await (await deliverWebhook(t, foreign)).json()).toMatchObject({ outcome: "ignored" });
  });

  it("a pending refund is recorded but announced only once it has succeeded (refund.updated)", async () => {
    const { invoiceId, chargeId } = await paidInvoice(4_000);
    const made = await sdk.refunds.create({ charge: chargeId, amount: 700 });
    stripe.takeEvents();
    // Some payment methods refund asynchronously: Stripe reports the refund pending first.
    const re = stripe.refunds.get(made.id) as Json;
    re.status = "pending";
    expect(await (await deliverWebhook(t, stripe.event("refund.created", re))).json()).toMatchObject({
      outcome: "applied",
    });
    expect(await t.deps.prisma.refund.findUniqueOrThrow({ where: { stripeId: made.id } })).toMatchObject({
      status: "pending",
      invoiceId,
    });
    expect(await payloads("payment.refunded")).toEqual([]);
    re.status = "succeeded";
    expect(await (await deliverWebhook(t, stripe.event("refund.updated", re))).json()).toMatchObject({
      outcome: "applied",
    });
    expect((await payloads("payment.refunded")).map((p) => p.reference)).toEqual([made.id]);
  });

  it("a dispute withdraws the money (payment.disputed), a won dispute reinstates it (dispute.funds_reinstated), each once", async () => {
    const { invoiceId, chargeId, tenant, user } = await paidInvoice(6_000);
    const dispute = stripe.dispute(chargeId, 6_000, "fraudulent");
    expect(await deliverSent()).toEqual(["applied", "unchanged"]);
    expect(await payloads("payment.disputed")).toEqual([
      {
        tenantId: tenant.id,
        userId: user.id,
        invoiceId,
        amountMinor: 6_000,
        currency: "usd",
        reason: "fraudulent",
        reference: dispute.id,
      },
    ]);
    // Nothing is left to refund while the money is withdrawn.
    const admin = await loginTestUser(t, { roles: ["admin"] });
    expect((await refund(invoiceId, admin.auth, { reason: "duplicate" })).status).toBe(409);
    stripe.closeDispute(dispute.id as string, "won");
    expect(await deliverSent()).toEqual(["applied", "unchanged"]);
    expect(await payloads("dispute.funds_reinstated")).toEqual([
      { tenantId: tenant.id, userId: user.id, invoiceId, amountMinor: 6_000, currency: "usd", reference: dispute.id },
    ]);
    expect(await payloads("payment.disputed")).toHaveLength(1);
    expect(await t.deps.prisma.refund.findUniqueOrThrow({ where: { stripeId: dispute.id as string } })).toMatchObject({
      kind: "dispute",
      status: "won",
      withdrawnMinor: 6_000,
      reinstatedMinor: 6_000,
    });
    // Announced on the invoice's aggregate, so cloud-api applies them in order.
    const keys = (await billingEvents(t)).filter((e) => e.eventType.includes("disput")).map((e) => e.aggregateKey);
    expect(keys).toEqual([`invoice:${invoiceId}`, `invoice:${invoiceId}`]);
  });

  it("a lost dispute moves no more money; events delivered late and out of order still apply from Stripe's state", async () => {
    const { chargeId } = await paidInvoice(6_000);
    const lost = stripe.dispute(chargeId, 2_000, "product_not_received");
    stripe.closeDispute(lost.id as string, "lost");
    const events = stripe.takeEvents();
    // The closing event first: Stripe's current state already shows the withdrawal.
    expect(await (await deliverWebhook(t, events.at(-1))).json()).toMatchObject({ outcome: "applied" });
    for (const e of events.slice(0, -1)) {
      expect(await (await deliverWebhook(t, e)).json()).toMatchObject({ outcome: "unchanged" });
    }
    expect((await payloads("payment.disputed")).map((p) => p.amountMinor)).toEqual([2_000]);
    expect(await payloads("dispute.funds_reinstated")).toEqual([]);
    // A partly disputed charge cannot be refunded at Stripe: its refusal is a 409, nothing recorded.
    const admin = await loginTestUser(t, { roles: ["admin"] });
    const invoiceId = (await t.deps.prisma.charge.findFirstOrThrow()).invoiceId;
    const refused = await refund(invoiceId, admin.auth, { amountMinor: 1_000, reason: "duplicate" });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ detail: expect.stringContaining("charged back") });
    expect(await t.deps.prisma.refund.count({ where: { kind: "refund" } })).toBe(0);
  });
});

describe("Connect: application fee and transfer reversal", () => {
  it("platform admins set the tenant's fee; charges carry floor(amount × bps / 10000); refunds reverse transfer and fee", async () => {
    const admin = await loginTestUser(t, { roles: ["admin"] });
    const created = await t.app.request("/billing/connect/account", {
      method: "POST",
      headers: billingHeaders(admin.auth),
    });
    const { stripeAccountId } = (await created.json()) as { stripeAccountId: string };
    await deliverWebhook(t, stripe.event("account.updated", stripe.completeOnboarding(stripeAccountId)));
    const setFee = (auth: Record<string, string>, body: Json, tenantId = admin.tenant.id) =>
      t.app.request(`/admin/billing/connect/${tenantId}/application-fee`, {
        method: "PUT",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const plain = await loginTestUser(t);
    expect((await setFee(plain.auth, { applicationFeeBps: 0 })).status).toBe(403);
    expect((await setFee(admin.auth, { applicationFeeBps: 10_001 })).status).toBe(400);
    expect((await setFee(admin.auth, { applicationFeeBps: 12.5 })).status).toBe(400);
    expect((await setFee(admin.auth, { applicationFeeBps: 250 }, "no-such-tenant")).status).toBe(404);
    const set = await setFee(admin.auth, { applicationFeeBps: 250 });
    expect(await set.json()).toMatchObject({ stripeAccountId, applicationFeeBps: 250 });
    const audit = await t.deps.prisma.authAuditLog.findMany({ where: { eventType: "connect_application_fee_set" } });
    expect(audit.map((a) => a.details)).toEqual([expect.objectContaining({ from: 0, to: 250 })]);

    // 2.5 % of 12,345 is 308.625: the fee is 308 (rounded down).
    const { invoiceId, pi, chargeId } = await paidInvoice(12_345);
    expect(pi).toMatchObject({ application_fee_amount: 308, transfer_data: { destination: stripeAccountId } });
    const charge = stripe.charges.get(chargeId) as Json;
    const transfer = stripe.transfers.get(charge.transfer as string) as Json;
    const fee = stripe.applicationFees.get(charge.application_fee as string) as Json;
    expect(transfer).toMatchObject({ amount: 12_345 - 308, amount_reversed: 0 });
    expect(fee).toMatchObject({ amount: 308, amount_refunded: 0 });

    const partial = await refund(invoiceId, admin.auth, { amountMinor: 5_000, reason: "requested_by_customer" });
    expect(await partial.json()).toMatchObject({ amountMinor: 5_000, reversedTransfer: true });
    // Pro rata: floor(12,037 × 5,000 / 12,345) = 4,875 and floor(308 × 5,000 / 12,345) = 124.
    expect(transfer).toMatchObject({ amount_reversed: 4_875 });
    expect(fee).toMatchObject({ amount_refunded: 124 });
    await refund(invoiceId, admin.auth, { reason: "requested_by_customer" });
    expect(transfer).toMatchObject({ amount_reversed: 12_037, reversed: true });
    expect(fee).toMatchObject({ amount_refunded: 308, refunded: true });
  });

  it("no fee without a setting, and none on charges without a connected account", async () => {
    const { pi } = await paidInvoice(1_000);
    expect(pi.application_fee_amount).toBeNull();
    expect(pi.transfer_data).toBeNull();
  });
});
