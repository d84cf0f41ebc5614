// One payment per invoice across card and crypto, and crypto charges in dunning: the official
// stripe SDK against the Stripe peer, transfers on anvil, on real PostgreSQL.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runDunning } from "../src/services/billing/invoices/dunning.ts";
import { billingConsumer } from "../src/services/billing/jobs.ts";
import {
  billingEvents,
  billingHeaders,
  customerWithCard,
  deliverWebhook,
  emitInvoiceFinalized,
  startBillingApp,
} from "./billing-fixtures.ts";
import {
  CHAIN,
  confirm,
  credits,
  expectRefused,
  post,
  quote,
  sendToken,
  startTestChain,
  type TestChain,
} from "./crypto-fixtures.ts";
import type { FakeStripe } from "./fakes/stripe.ts";
import { FIXED_NOW, type TestApp } from "./harness.ts";

let chain: TestChain;
let t: TestApp;
let stripe: FakeStripe;

beforeAll(async () => {
  chain = await startTestChain();
  ({ t, stripe } = await startBillingApp({ ...chain.env(), DUNNING_GRACE_DAYS: "7", DUNNING_RETRY_HOURS: "24" }));
});
beforeEach(async () => {
  await t.reset();
  stripe.reset();
});
afterAll(async () => {
  await t.close();
  await stripe.stop();
  await chain.anvil.stop();
});

const DAY = 86_400_000;
const consume = () =>
  (billingConsumer(t.deps, { listen: false }) as NonNullable<ReturnType<typeof billingConsumer>>).drain();
const chargeOf = (invoiceId: string) => t.deps.prisma.charge.findUniqueOrThrow({ where: { invoiceId } });
const statuses = async () =>
  (await billingEvents(t, "subscription.updated")).map((e) => (e.payload as { status: string }).status);

/** A subscribed card customer whose invoice's charge was declined: a live PaymentIntent remains. */
async function declinedInvoice() {
  const who = await customerWithCard(t, stripe, { decline: "insufficient_funds" });
  const invoiceId = await emitInvoiceFinalized(t, { tenantId: who.tenant.id, userId: who.user.id, totalMinor: 2_500 });
  await consume();
  const charge = await chargeOf(invoiceId);
  expect(charge).toMatchObject({ status: "failed", provider: "stripe" });
  const pi = stripe.paymentIntents.get(charge.stripePaymentIntentId as string) as Record<string, unknown>;
  expect(pi.status).toBe("requires_payment_method");
  return { ...who, invoiceId, pi };
}

/** Pays the invoice's fresh quote on chain with enough confirmations; returns the tx hash. */
async function payOnChain(auth: Record<string, string>, invoiceId: string, units = 25_000_000n) {
  const { address } = await quote(t, auth, invoiceId);
  const hash = await sendToken(chain, chain.usdc, address, units);
  await chain.anvil.mine(2);
  return hash;
}

describe("one payment per invoice across card and crypto", () => {
  it("no crypto quote while the invoice's card PaymentIntent is processing (Stripe's state decides)", async () => {
    const { auth, invoiceId, pi } = await declinedInvoice();
    // The customer retried with an asynchronous method: Stripe reports it processing.
    pi.status = "processing";
    const refused = await expectRefused(
      await post(t, "/billing/crypto/quote", auth, { invoiceId, chainId: CHAIN, currency: "USDC" }),
      409,
      "CONFLICT",
    );
    expect(refused).toMatchObject({ reason: "card_payment_processing" });
    expect(String(refused.detail)).toContain("card payment of this invoice is processing");
    expect(stripe.requests).toContain(`GET /v1/payment_intents/${pi.id}`);
    expect(await t.deps.prisma.cryptoPayment.count({ where: { invoiceId } })).toBe(0);
    // It failed after all: crypto is offered again.
    pi.status = "requires_payment_method";
    await quote(t, auth, invoiceId);
  });

  it("crypto settling the invoice cancels its card PaymentIntent", async () => {
    const { auth, invoiceId, pi } = await declinedInvoice();
    const hash = await payOnChain(auth, invoiceId);
    expect(await (await confirm(t, auth, invoiceId, hash)).json()).toMatchObject({ status: "confirmed" });
    expect(pi.status).toBe("canceled");
    expect(stripe.requests).toContain(`POST /v1/payment_intents/${pi.id}/cancel`);
    expect(await chargeOf(invoiceId)).toMatchObject({ status: "succeeded", provider: "crypto" });
    expect((await credits(t, auth)).entries).toEqual([]);
    // Dunning leaves a paid charge alone: no retry on the canceled PaymentIntent.
    t.clock.now = new Date(FIXED_NOW.getTime() + 2 * DAY);
    expect(await runDunning(t.deps)).toMatchObject({ retried: 0 });
  });

  it("card and crypto both succeed: the card's money becomes credit once (cancel refused, then the webhook)", async () => {
    const { auth, invoiceId, pi, pm } = await declinedInvoice();
    const hash = await payOnChain(auth, invoiceId);
    // Meanwhile the customer fixed the card and paid with it (Stripe has it; the webhook is late).
    Object.assign(pi, { status: "succeeded", payment_method: pm, last_payment_error: null });
    expect(await (await confirm(t, auth, invoiceId, hash)).json()).toMatchObject({ status: "confirmed" });
    expect(pi.status).toBe("succeeded");
    const ledger = await credits(t, auth);
    expect(ledger.balances).toEqual([{ currency: "usd", amountMinor: 2_500 }]);
    expect(ledger.entries).toMatchObject([
      { amountMinor: 2_500, reason: "duplicate_payment", source: `stripe:${pi.id}`, invoiceId },
    ]);
    // Stripe's webhook arrives: recorded, but the same money is not credited twice.
    const res = await deliverWebhook(t, stripe.event("payment_intent.succeeded", pi));
    expect(res.status).toBe(200);
    expect((await credits(t, auth)).balances).toEqual([{ currency: "usd", amountMinor: 2_500 }]);
    expect(await billingEvents(t, "payment.succeeded")).toHaveLength(1);
  });

  it("the card succeeds after crypto settled while Stripe was unreachable: the webhook credits it", async () => {
    const { auth, invoiceId, pi, pm } = await declinedInvoice();
    const hash = await payOnChain(auth, invoiceId);
    stripe.failWith = 503;
    expect((await confirm(t, auth, invoiceId, hash)).status).toBe(200);
    stripe.failWith = null;
    expect(pi.status).toBe("requires_payment_method");
    Object.assign(pi, { status: "succeeded", payment_method: pm, last_payment_error: null });
    expect(await (await deliverWebhook(t, stripe.event("payment_intent.succeeded", pi))).json()).toMatchObject({
      outcome: "applied",
    });
    expect((await credits(t, auth)).entries).toMatchObject([{ amountMinor: 2_500, reason: "duplicate_payment" }]);
  });

  it("a transfer for an invoice the card paid meanwhile is credited, not lost", async () => {
    const { auth, invoiceId, pi, pm, user, tenant } = await declinedInvoice();
    const hash = await payOnChain(auth, invoiceId);
    // The card is fixed and dunning's retry pays the invoice before the transfer is confirmed.
    (stripe.cards.get(pm) as { decline: string | null }).decline = null;
    t.clock.now = new Date(FIXED_NOW.getTime() + DAY);
    expect(await runDunning(t.deps)).toMatchObject({ retried: 1 });
    expect(pi.status).toBe("succeeded");
    t.clock.now = FIXED_NOW; // the session's access token lives minutes, not a day
    const res = await confirm(t, auth, invoiceId, hash);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "credited", creditedMinor: 2_500 });
    expect((await credits(t, auth)).entries).toMatchObject([
      { amountMinor: 2_500, reason: "duplicate_payment", source: `eip155:${CHAIN}:${hash}:0` },
    ]);
    expect(await billingEvents(t, "payment.succeeded")).toHaveLength(1);
    // The credit pays the next invoice: no PaymentIntent for it.
    const before = stripe.paymentIntents.size;
    const next = await emitInvoiceFinalized(t, { tenantId: tenant.id, userId: user.id, totalMinor: 2_000 });
    await consume();
    expect(await chargeOf(next)).toMatchObject({ status: "succeeded", creditAppliedMinor: 2_000 });
    expect(stripe.paymentIntents.size).toBe(before);
    expect((await credits(t, auth)).balances).toEqual([{ currency: "usd", amountMinor: 500 }]);
  });
});

describe("crypto charges are dunned", () => {
  async function cryptoSubscriber() {
    const who = await customerWithCard(t, stripe);
    const sub = await t.app.request("/billing/subscriptions", {
      method: "POST",
      headers: billingHeaders(who.auth),
      body: JSON.stringify({ planId: "pro" }),
    });
    expect(sub.status).toBeLessThan(300);
    const chosen = await t.app.request("/billing/profile", {
      method: "PATCH",
      headers: billingHeaders(who.auth),
      body: JSON.stringify({ preferredProvider: "crypto" }),
    });
    expect(chosen.status).toBe(200);
    return who;
  }

  it("an unpaid crypto charge past its due date goes past_due, then unpaid with free limits after the grace", async () => {
    const { user, tenant, auth } = await cryptoSubscriber();
    const dueAt = new Date(FIXED_NOW.getTime() + 3 * DAY);
    const invoiceId = await emitInvoiceFinalized(t, {
      tenantId: tenant.id,
      userId: user.id,
      totalMinor: 2_500,
      dueAt: dueAt.toISOString(),
    });
    await consume();
    expect(await chargeOf(invoiceId)).toMatchObject({ provider: "crypto", status: "pending", dueAt });
    const before = await statuses();
    // Not yet due: nothing happens.
    t.clock.now = new Date(dueAt.getTime() - 1);
    await runDunning(t.deps);
    expect((await chargeOf(invoiceId)).status).toBe("pending");
    // Past due: failed with past_due, announced once, the subscription past_due.
    t.clock.now = new Date(dueAt.getTime() + 1);
    await runDunning(t.deps);
    await runDunning(t.deps);
    expect(await chargeOf(invoiceId)).toMatchObject({
      status: "failed",
      failureCode: "past_due",
      graceEndsAt: new Date(dueAt.getTime() + 1 + 7 * DAY),
    });
    const failed = await billingEvents(t, "payment.failed");
    expect(failed.map((e) => e.payload)).toEqual([
      { tenantId: tenant.id, userId: user.id, invoiceId, provider: "crypto", failureCode: "past_due" },
    ]);
    expect((await statuses()).slice(before.length)).toEqual(["past_due"]);
    // Grace over: unpaid, with the free plan's limits.
    t.clock.now = new Date(dueAt.getTime() + 7 * DAY + 2);
    expect(await runDunning(t.deps)).toMatchObject({ expired: 1 });
    const updates = await billingEvents(t, "subscription.updated");
    expect(updates.at(-1)?.payload).toMatchObject({
      status: "unpaid",
      limits: { maxObjectBytes: 10 * 1024 ** 2, maxStorageBytes: 1024 ** 3 },
    });
    // Paying on chain later still settles it and restores the subscription.
    t.clock.now = FIXED_NOW;
    const hash = await payOnChain(auth, invoiceId);
    expect((await confirm(t, auth, invoiceId, hash)).status).toBe(200);
    expect((await statuses()).at(-1)).toBe("active");
  });

  it("without a dueAt from cloud-api, the invoice is due INVOICE_DUE_DAYS (14) after finalization, card charges too", async () => {
    const crypto = await cryptoSubscriber();
    const card = await customerWithCard(t, stripe);
    const cryptoInvoice = await emitInvoiceFinalized(t, {
      tenantId: crypto.tenant.id,
      userId: crypto.user.id,
      totalMinor: 900,
    });
    const cardInvoice = await emitInvoiceFinalized(t, {
      tenantId: card.tenant.id,
      userId: card.user.id,
      totalMinor: 900,
    });
    await consume();
    const dueAt = new Date(FIXED_NOW.getTime() + 14 * DAY);
    expect(await chargeOf(cryptoInvoice)).toMatchObject({ status: "pending", dueAt });
    expect(await chargeOf(cardInvoice)).toMatchObject({ status: "succeeded", dueAt });
  });
});
