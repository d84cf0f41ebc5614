// Reconciliation of the payment side against Stripe (the local peer through the official SDK):
// what it finds, what it repairs (once), and that --report-only changes nothing.
import { randomUUID } from "node:crypto";
import Stripe from "stripe";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { billingConsumer } from "../src/services/billing/jobs.ts";
import { reconcileBilling } from "../src/services/billing/reconcile.ts";
import { runScheduledReconciliation, startReconciliation } from "../src/services/billing/reconcile-job.ts";
import {
  billingEvents,
  billingHeaders,
  customerWithCard,
  emitInvoiceFinalized,
  startBillingApp,
} from "./billing-fixtures.ts";
import type { FakeStripe } from "./fakes/stripe.ts";
import type { TestApp } from "./harness.ts";

let t: TestApp;
let stripe: FakeStripe;
let sdk: Stripe;
beforeAll(async () => {
  ({ t, stripe } = await startBillingApp());
  const url = new URL(stripe.url);
  // What a customer's browser or the Stripe dashboard does at Stripe, beside Atlas.
  sdk = new Stripe("sk_test_atlas", { host: url.hostname, port: url.port, protocol: "http" });
});
beforeEach(async () => {
  await t.reset();
  stripe.reset();
});
afterAll(async () => {
  await t.close();
  await stripe.stop();
});

const consume = () =>
  (billingConsumer(t.deps, { listen: false }) as NonNullable<ReturnType<typeof billingConsumer>>).drain();
const chargeOf = (invoiceId: string) => t.deps.prisma.charge.findUniqueOrThrow({ where: { invoiceId } });
const advance = (ms: number) => {
  t.clock.now = new Date(t.clock.now.getTime() + ms);
};

/** A charge that failed on a declined card: the charge says `failed`, its PaymentIntent `requires_payment_method`. */
async function declinedCharge() {
  const who = await customerWithCard(t, stripe, { decline: "insufficient_funds" });
  const invoiceId = await emitInvoiceFinalized(t, { tenantId: who.tenant.id, userId: who.user.id, totalMinor: 2_000 });
  await consume();
  const charge = await chargeOf(invoiceId);
  expect(charge.status).toBe("failed");
  return { ...who, invoiceId, charge };
}

describe("charges against their PaymentIntents", () => {
  it("a PaymentIntent that succeeded at Stripe while the charge says failed: reported, repaired once, then quiet", async () => {
    const { invoiceId, charge, profile } = await declinedCharge();
    // The customer pays the same PaymentIntent with another card at Stripe; the webhook is lost.
    const card = stripe.attachCard(profile.stripeCustomerId);
    await sdk.paymentIntents.confirm(charge.stripePaymentIntentId as string, { payment_method: card });

    const reportOnly = await reconcileBilling(t.deps, { repair: false });
    expect(reportOnly.findings).toEqual([
      {
        kind: "charge_status",
        tenantId: charge.tenantId,
        userId: charge.userId,
        subject: `charge:${charge.id}`,
        details: {
          invoiceId,
          paymentIntentId: charge.stripePaymentIntentId,
          status: "failed",
          stripeStatus: "succeeded",
        },
        repaired: false,
      },
    ]);
    expect((await chargeOf(invoiceId)).status).toBe("failed");
    expect(await billingEvents(t, "payment.succeeded")).toHaveLength(0);

    const repaired = await reconcileBilling(t.deps);
    expect(repaired.summary).toEqual({ charge_status: { found: 1, repaired: 1 } });
    expect(await chargeOf(invoiceId)).toMatchObject({ status: "succeeded", nextAttemptAt: null, failureCode: null });
    const paid = await billingEvents(t, "payment.succeeded");
    expect(paid).toHaveLength(1);
    expect(paid[0]?.payload).toMatchObject({ invoiceId, amountMinor: 2_000, reference: charge.stripePaymentIntentId });

    const again = await reconcileBilling(t.deps);
    expect(again.findings).toEqual([]);
    expect(await billingEvents(t, "payment.succeeded")).toHaveLength(1);
    // Every run is recorded: two findings rows (report-only and repair), none from the quiet run.
    const rows = await t.deps.prisma.billingReconciliationFinding.findMany({ orderBy: { repaired: "asc" } });
    expect(rows.map((r) => [r.kind, r.repaired, r.runId])).toEqual([
      ["charge_status", false, reportOnly.runId],
      ["charge_status", true, repaired.runId],
    ]);
  });

  it("amount drift and a PaymentIntent missing at Stripe are reported, never repaired", async () => {
    const drift = await declinedCharge();
    // A manual edit changed the local amount: Stripe still holds the billed 2,000.
    await t.deps.prisma.charge.update({ where: { id: drift.charge.id }, data: { amountMinor: 1_999 } });
    const lost = await declinedCharge();
    stripe.paymentIntents.delete(lost.charge.stripePaymentIntentId as string);

    const report = await reconcileBilling(t.deps);
    expect(report.summary).toEqual({
      charge_amount: { found: 1, repaired: 0 },
      payment_intent_missing: { found: 1, repaired: 0 },
    });
    expect(report.findings.find((f) => f.kind === "charge_amount")).toMatchObject({
      subject: `charge:${drift.charge.id}`,
      details: { chargedMinor: 1_999, stripeAmountMinor: 2_000, currency: "usd", stripeCurrency: "usd" },
    });
    expect(report.findings.find((f) => f.kind === "payment_intent_missing")).toMatchObject({
      subject: `charge:${lost.charge.id}`,
      details: { paymentIntentId: lost.charge.stripePaymentIntentId, status: "failed" },
    });
    expect(await chargeOf(drift.invoiceId)).toMatchObject({ amountMinor: 1_999, status: "failed" });
    expect(await chargeOf(lost.invoiceId)).toMatchObject({ status: "failed" });
  });

  it("a Stripe error on one charge is recorded in its finding and the others are still checked", async () => {
    const { charge } = await declinedCharge();
    stripe.failWith = 400;
    const report = await reconcileBilling(t.deps);
    stripe.failWith = null;
    expect(report.findings).toEqual([
      expect.objectContaining({
        kind: "charge_status",
        subject: `charge:${charge.id}`,
        details: expect.objectContaining({ error: expect.stringContaining("fake outage") }),
        repaired: false,
      }),
    ]);
  });
});

describe("PaymentIntents the charge never recorded", () => {
  it("finds the invoice's PaymentIntent by metadata (once Stripe's search has it) and applies it to the charge", async () => {
    const who = await customerWithCard(t, stripe);
    const invoiceId = `inv_${randomUUID()}`;
    // The charge row was committed, then the process died after Stripe created (and charged) the
    // PaymentIntent and before its id was written.
    const charge = await t.deps.prisma.charge.create({
      data: {
        invoiceId,
        billingProfileId: who.profile.id,
        amountMinor: 3_100,
        currency: "usd",
        provider: "stripe",
        status: "pending",
        attempts: 1,
        tenantId: who.tenant.id,
        userId: who.user.id,
        createdAt: t.clock.now,
      },
    });
    const pi = await sdk.paymentIntents.create({
      amount: 3_100,
      currency: "usd",
      customer: who.profile.stripeCustomerId,
      payment_method: who.pm,
      confirm: true,
      off_session: true,
      metadata: { atlasInvoiceId: invoiceId, atlasTenantId: who.tenant.id },
    });
    expect(pi.status).toBe("succeeded");
    advance(15 * 60_000);
    // Stripe's search lags: a PaymentIntent created seconds ago is not found yet, so nothing is reported.
    expect((await reconcileBilling(t.deps)).findings).toEqual([]);
    stripe.nowSec += 61;

    const report = await reconcileBilling(t.deps, { repair: false });
    expect(report.findings).toEqual([
      expect.objectContaining({
        kind: "payment_intent_not_recorded",
        subject: `charge:${charge.id}`,
        details: {
          invoiceId,
          status: "pending",
          paymentIntents: [{ id: pi.id, status: "succeeded", amountMinor: 3_100 }],
        },
        repaired: false,
      }),
    ]);
    expect((await chargeOf(invoiceId)).stripePaymentIntentId).toBeNull();

    expect((await reconcileBilling(t.deps)).summary).toEqual({
      payment_intent_not_recorded: { found: 1, repaired: 1 },
    });
    expect(await chargeOf(invoiceId)).toMatchObject({ status: "succeeded", stripePaymentIntentId: pi.id });
    expect(await billingEvents(t, "payment.succeeded")).toHaveLength(1);
    expect((await reconcileBilling(t.deps)).findings).toEqual([]);
    expect(stripe.paymentIntents.size).toBe(1);
  });

  it("a PaymentIntent still in flight is recorded on the charge (repaired) and left for its webhook to settle", async () => {
    const who = await customerWithCard(t, stripe);
    const invoiceId = `inv_${randomUUID()}`;
    const charge = await t.deps.prisma.charge.create({
      data: {
        invoiceId,
        billingProfileId: who.profile.id,
        amountMinor: 700,
        currency: "usd",
        provider: "stripe",
        status: "pending",
        tenantId: who.tenant.id,
        userId: who.user.id,
        createdAt: t.clock.now,
      },
    });
    // Created, not confirmed yet, when the process died.
    const pi = await sdk.paymentIntents.create({
      amount: 700,
      currency: "usd",
      customer: who.profile.stripeCustomerId,
      metadata: { atlasInvoiceId: invoiceId },
    });
    stripe.nowSec += 61;
    advance(15 * 60_000);
    const report = await reconcileBilling(t.deps);
    expect(report.findings).toEqual([
      expect.objectContaining({ kind: "payment_intent_not_recorded", subject: `charge:${charge.id}`, repaired: true }),
    ]);
    expect(await chargeOf(invoiceId)).toMatchObject({ status: "pending", stripePaymentIntentId: pi.id });
    expect(await billingEvents(t, "payment.succeeded")).toHaveLength(0);
    expect((await reconcileBilling(t.deps)).findings).toEqual([]);
  });

  it("two PaymentIntents for one invoice: reported, nothing recorded", async () => {
    const who = await customerWithCard(t, stripe);
    const invoiceId = `inv_${randomUUID()}`;
    await t.deps.prisma.charge.create({
      data: {
        invoiceId,
        billingProfileId: who.profile.id,
        amountMinor: 500,
        currency: "usd",
        provider: "stripe",
        status: "pending",
        tenantId: who.tenant.id,
        userId: who.user.id,
        createdAt: t.clock.now,
      },
    });
    for (const _ of [1, 2]) {
      await sdk.paymentIntents.create({
        amount: 500,
        currency: "usd",
        customer: who.profile.stripeCustomerId,
        metadata: { atlasInvoiceId: invoiceId },
      });
    }
    stripe.nowSec += 61;
    advance(15 * 60_000);
    const report = await reconcileBilling(t.deps);
    expect(report.summary).toEqual({ payment_intent_not_recorded: { found: 1, repaired: 0 } });
    expect(report.findings[0]?.details.paymentIntents).toHaveLength(2);
    expect((await chargeOf(invoiceId)).stripePaymentIntentId).toBeNull();
  });
});

/** A finalized cloud-api invoice (its own schema; written here as cloud-api's finalizer does). */
let periods = 0;
async function cloudInvoice(owner: { tenantId: string; userId: string }, finalizedAt: Date) {
  const id = randomUUID();
  // One invoice per customer and period: each gets its own period.
  periods += 1;
  await t.deps.database.query(
    `INSERT INTO "cloud"."cloud_invoices" ("id", "tenantId", "userId", "number", "periodStart", "periodEnd", "planId",
       "status", "currency", "subtotalMinor", "totalMinor", "amountDueMinor", "finalizedAt", "createdAt", "updatedAt")
     VALUES ($1, $2, $3, (SELECT coalesce(max("number"), 0) + 1 FROM "cloud"."cloud_invoices"), $4, $5, 'pro',
       'finalized', 'usd', 1500, 1500, 1500, $5, $5, $5)`,
    [id, owner.tenantId, owner.userId, new Date(finalizedAt.getTime() - periods * 31 * 86_400_000), finalizedAt],
  );
  return id;
}

describe("invoices without a charge", () => {
  it("reports finalized invoices left without a charge with their event's state; work in flight is not drift", async () => {
    const who = await customerWithCard(t, stripe);
    const owner = { tenantId: who.tenant.id, userId: who.user.id };
    // 1. Its invoice.finalized was parked (a Stripe outage outlasted the attempts).
    const parked = await cloudInvoice(owner, t.clock.now);
    await emitInvoiceFinalized(t, { ...owner, invoiceId: parked, totalMinor: 1_500 });
    await t.deps.prisma.billingEvent.updateMany({
      where: { aggregateKey: `invoice:${parked}` },
      data: { parkedAt: t.clock.now, attempts: 10, lastError: "Stripe: api_error" },
    });
    // 2. Its event was never written (a bug or a manual insert).
    const missing = await cloudInvoice(owner, t.clock.now);
    // 3. Charged normally: not a finding.
    const charged = await cloudInvoice(owner, t.clock.now);
    await emitInvoiceFinalized(t, { ...owner, invoiceId: charged, totalMinor: 1_500 });
    await consume();
    expect((await chargeOf(charged)).status).toBe("succeeded");
    advance(15 * 60_000);
    // 4. Finalized a moment ago, its event still pending: in flight, not reported.
    const fresh = await cloudInvoice(owner, t.clock.now);
    await emitInvoiceFinalized(t, { ...owner, invoiceId: fresh, totalMinor: 1_500 });

    const report = await reconcileBilling(t.deps);
    const bySubject = Object.fromEntries(report.findings.map((f) => [f.subject, f]));
    expect(Object.keys(bySubject).sort()).toEqual([`invoice:${missing}`, `invoice:${parked}`].sort());
    expect(bySubject[`invoice:${parked}`]).toMatchObject({
      kind: "invoice_without_charge",
      tenantId: who.tenant.id,
      userId: who.user.id,
      repaired: false,
      details: {
        invoiceStatus: "finalized",
        amountDueMinor: 1_500,
        event: { state: "parked", attempts: 10, lastError: "Stripe: api_error" },
      },
    });
    expect(bySubject[`invoice:${missing}`]?.details.event).toMatchObject({ id: null, state: "missing" });
    // Hours later the fresh one is still uncharged: now it counts, shown as pending.
    advance(15 * 60_000);
    const later = await reconcileBilling(t.deps, { repair: false });
    expect(later.findings.find((f) => f.subject === `invoice:${fresh}`)?.details.event).toMatchObject({
      state: "pending",
    });
  });
});

describe("missed renewals", () => {
  it("a period Stripe renewed without Atlas hearing of it: reported, then applied once with subscription.updated", async () => {
    const who = await customerWithCard(t, stripe);
    const res = await t.app.request("/billing/subscriptions", {
      method: "POST",
      headers: billingHeaders(who.auth),
      body: JSON.stringify({ planId: "pro" }),
    });
    expect(res.status).toBeLessThan(300);
    const local = await t.deps.prisma.subscription.findFirstOrThrow();
    // Stripe renews the subscription at the period's end; the customer.subscription.updated
    // webhook never arrives.
    const atStripe = stripe.subscriptions.get(local.stripeSubscriptionId as string) as {
      status: string;
      items: { data: { current_period_start: number; current_period_end: number }[] };
    };
    const item = atStripe.items.data[0] as { current_period_start: number; current_period_end: number };
    const oldEnd = item.current_period_end;
    Object.assign(item, { current_period_start: oldEnd, current_period_end: oldEnd + 31 * 86_400 });
    Object.assign(atStripe, { status: "active" });
    t.clock.now = new Date((oldEnd + 3_600) * 1000);
    const updatesBefore = (await billingEvents(t, "subscription.updated")).length;

    const reportOnly = await reconcileBilling(t.deps, { repair: false });
    expect(reportOnly.findings).toEqual([
      {
        kind: "missed_renewal",
        tenantId: who.tenant.id,
        userId: who.user.id,
        subject: `subscription:${local.id}`,
        details: {
          stripeSubscriptionId: local.stripeSubscriptionId,
          local: { status: local.status, planId: "pro", currentPeriodEnd: new Date(oldEnd * 1000).toISOString() },
          stripe: {
            status: "active",
            currentPeriodStart: new Date(oldEnd * 1000).toISOString(),
            currentPeriodEnd: new Date((oldEnd + 31 * 86_400) * 1000).toISOString(),
          },
        },
        repaired: false,
      },
    ]);
    expect((await t.deps.prisma.subscription.findFirstOrThrow()).currentPeriodEnd).toEqual(new Date(oldEnd * 1000));

    const repaired = await runScheduledReconciliation(t.deps);
    expect(repaired?.summary).toEqual({ missed_renewal: { found: 1, repaired: 1 } });
    expect(await t.deps.prisma.subscription.findFirstOrThrow()).toMatchObject({
      status: "active",
      currentPeriodStart: new Date(oldEnd * 1000),
      currentPeriodEnd: new Date((oldEnd + 31 * 86_400) * 1000),
    });
    const updates = await billingEvents(t, "subscription.updated");
    expect(updates).toHaveLength(updatesBefore + 1);
    expect(updates.at(-1)?.payload).toMatchObject({
      subscriptionId: local.id,
      status: "active",
      currentPeriodStart: new Date(oldEnd * 1000).toISOString(),
      currentPeriodEnd: new Date((oldEnd + 31 * 86_400) * 1000).toISOString(),
    });
    expect((await reconcileBilling(t.deps)).findings).toEqual([]);
    expect(await billingEvents(t, "subscription.updated")).toHaveLength(updatesBefore + 1);
  });

  it("a period Stripe has not renewed either, or a subscription gone at Stripe: reported only", async () => {
    const who = await customerWithCard(t, stripe);
    await t.app.request("/billing/subscriptions", {
      method: "POST",
      headers: billingHeaders(who.auth),
      body: JSON.stringify({ planId: "pro" }),
    });
    const local = await t.deps.prisma.subscription.findFirstOrThrow();
    t.clock.now = new Date(local.currentPeriodEnd.getTime() + 3_600_000);
    const stuck = await reconcileBilling(t.deps);
    expect(stuck.findings).toEqual([
      expect.objectContaining({
        kind: "missed_renewal",
        repaired: false,
        details: expect.objectContaining({ reason: "Stripe has not renewed the subscription either" }),
      }),
    ]);
    stripe.subscriptions.delete(local.stripeSubscriptionId as string);
    const gone = await reconcileBilling(t.deps);
    expect(gone.findings[0]?.details).toMatchObject({ reason: "the subscription is missing at Stripe" });
    expect(await t.deps.prisma.subscription.findFirstOrThrow()).toMatchObject({
      currentPeriodEnd: local.currentPeriodEnd,
      status: local.status,
    });
  });
});

describe("the scheduled run", () => {
  it("runs every BILLING_RECONCILE_INTERVAL_SEC, on one instance at a time, and not at all at 0", async () => {
    const { charge } = await declinedCharge();
    stripe.paymentIntents.delete(charge.stripePaymentIntentId as string);
    const findings = () => t.deps.prisma.billingReconciliationFinding.count();
    // 0: never scheduled.
    const never = startReconciliation({ ...t.deps, config: { ...t.deps.config, BILLING_RECONCILE_INTERVAL_SEC: 0 } });
    await new Promise((r) => setTimeout(r, 1_200));
    never();
    expect(await findings()).toBe(0);
    // Another instance is running it: this one skips.
    const other = await (t.deps.database.pool as NonNullable<TestApp["deps"]["database"]["pool"]>).connect();
    try {
      await other.query("SELECT pg_advisory_lock($1)", [0x61746c72]);
      expect(await runScheduledReconciliation(t.deps)).toBeNull();
      await other.query("SELECT pg_advisory_unlock($1)", [0x61746c72]);
    } finally {
      other.release();
    }
    expect(await findings()).toBe(0);
    const stop = startReconciliation({ ...t.deps, config: { ...t.deps.config, BILLING_RECONCILE_INTERVAL_SEC: 1 } });
    try {
      const until = Date.now() + 10_000;
      while ((await findings()) === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    } finally {
      stop();
    }
    expect(await t.deps.prisma.billingReconciliationFinding.findFirst()).toMatchObject({
      kind: "payment_intent_missing",
      subject: `charge:${charge.id}`,
    });
  });
});
