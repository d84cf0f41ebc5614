import { fileURLToPath } from "node:url";
import { workerDatabaseUrl } from "@atlas/db/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { spawnNodeTs } from "../../packages/outbox/test/fixtures/process.ts";
import { runDunning } from "../src/services/billing/invoices/dunning.ts";
import { billingConsumer, startBillingJobs } from "../src/services/billing/jobs.ts";
import {
  billingEvents,
  billingHeaders,
  customerWithCard,
  deliverWebhook,
  emitInvoiceFinalized,
  STRIPE_ENV,
  startBillingApp,
} from "./billing-fixtures.ts";
import type { FakeStripe } from "./fakes/stripe.ts";
import { loginTestUser } from "./fixtures.ts";
import { TEST_KEK, type TestApp } from "./harness.ts";

let t: TestApp;
let stripe: FakeStripe;

beforeAll(async () => {
  ({ t, stripe } = await startBillingApp({ DUNNING_RETRY_HOURS: "24,72", DUNNING_GRACE_DAYS: "7" }));
});
beforeEach(async () => {
  await t.reset();
  stripe.reset();
});
afterAll(async () => {
  await t.close();
  await stripe.stop();
});

const HOUR = 3_600_000;
const consume = () =>
  (billingConsumer(t.deps, { listen: false }) as NonNullable<ReturnType<typeof billingConsumer>>).drain();
const chargeOf = (invoiceId: string) => t.deps.prisma.charge.findUniqueOrThrow({ where: { invoiceId } });
const advance = (ms: number) => {
  t.clock.now = new Date(t.clock.now.getTime() + ms);
};

/** A customer whose card paid the subscription's first invoice and declines from then on (`decline`). */
async function subscribedCustomer(card: { decline?: string } = {}) {
  const who = await customerWithCard(t, stripe);
  await t.app.request("/billing/subscriptions", {
    method: "POST",
    headers: billingHeaders(who.auth),
    body: JSON.stringify({ planId: "pro" }),
  });
  if (card.decline) (stripe.cards.get(who.pm) as { decline: string | null }).decline = card.decline;
  return who;
}

const statuses = async (type: "subscription.updated") =>
  (await billingEvents(t, type)).map((e) => (e.payload as { status: string }).status);

describe("charge saga", () => {
  it("charges a finalized invoice once: one PaymentIntent, payment.succeeded once, however often it is consumed", async () => {
    const { user, tenant, profile } = await customerWithCard(t, stripe);
    const invoiceId = await emitInvoiceFinalized(t, { tenantId: tenant.id, userId: user.id, totalMinor: 2_345 });
    expect(await consume()).toMatchObject({ processed: 1 });
    // cloud-api announces the same invoice again (a retry of its own): still one charge.
    await emitInvoiceFinalized(t, { tenantId: tenant.id, userId: user.id, invoiceId, totalMinor: 2_345 }, "again");
    expect(await consume()).toMatchObject({ processed: 1 });
    expect(stripe.paymentIntents.size).toBe(1);
    const [pi] = [...stripe.paymentIntents.values()];
    expect(pi).toMatchObject({
      amount: 2_345,
      currency: "usd",
      customer: profile.stripeCustomerId,
      status: "succeeded",
    });
    expect(pi?.on_behalf_of).toBeNull();
    const charge = await chargeOf(invoiceId);
    expect(charge).toMatchObject({ status: "succeeded", stripePaymentIntentId: pi?.id, attempts: 1 });
    const paid = await billingEvents(t, "payment.succeeded");
    expect(paid).toHaveLength(1);
    expect(paid[0]).toMatchObject({
      aggregateKey: `invoice:${invoiceId}`,
      payload: { invoiceId, amountMinor: 2_345, provider: "stripe", reference: pi?.id, userId: user.id },
    });
    const consumed = await t.deps.prisma.billingEvent.findMany({ where: { eventType: "invoice.finalized" } });
    expect(consumed.every((e) => e.processed)).toBe(true);
  });

  it("charges amountDueMinor when the invoice lists a plan fee the Stripe subscription already collected", async () => {
    const { user, tenant } = await customerWithCard(t, stripe);
    const invoiceId = await emitInvoiceFinalized(t, {
      tenantId: tenant.id,
      userId: user.id,
      totalMinor: 2_345,
      amountDueMinor: 345,
    });
    await consume();
    const [pi] = [...stripe.paymentIntents.values()];
    expect(pi).toMatchObject({ amount: 345, status: "succeeded" });
    expect(await chargeOf(invoiceId)).toMatchObject({ amountMinor: 345, status: "succeeded" });
    const [paid] = await billingEvents(t, "payment.succeeded");
    expect(paid?.payload).toMatchObject({ invoiceId, amountMinor: 345 });
    // Nothing left to charge (plan fee prepaid, no overage): paid at once, no PaymentIntent.
    const prepaid = await emitInvoiceFinalized(t, {
      tenantId: tenant.id,
      userId: user.id,
      totalMinor: 2_000,
      amountDueMinor: 0,
    });
    await consume();
    expect(stripe.paymentIntents.size).toBe(1);
    expect(await chargeOf(prepaid)).toMatchObject({ amountMinor: 0, status: "succeeded" });
  });

  it("charges on behalf of the tenant's connected account once it can take charges", async () => {
    const { user, tenant } = await customerWithCard(t, stripe);
    const admin = await loginTestUser(t, { roles: ["admin"] });
    const created = await t.app.request("/billing/connect/account", {
      method: "POST",
      headers: billingHeaders(admin.auth),
    });
    const { stripeAccountId } = (await created.json()) as { stripeAccountId: string };
    const account = stripe.completeOnboarding(stripeAccountId);
    await deliverWebhook(t, stripe.event("account.updated", account));
    await emitInvoiceFinalized(t, { tenantId: tenant.id, userId: user.id, totalMinor: 1_000 });
    await consume();
    const [pi] = [...stripe.paymentIntents.values()];
    expect(pi).toMatchObject({ on_behalf_of: stripeAccountId, transfer_data: { destination: stripeAccountId } });
  });

  it("a declined charge: payment.failed, past_due, dunning retries on schedule, paid after the card is fixed", async () => {
    const { user, tenant, pm } = await subscribedCustomer({ decline: "insufficient_funds" });
    const invoiceId = await emitInvoiceFinalized(t, { tenantId: tenant.id, userId: user.id, totalMinor: 2_000 });
    await consume();
    let charge = await chargeOf(invoiceId);
    expect(charge).toMatchObject({ status: "failed", failureCode: "insufficient_funds", attempts: 1 });
    expect(charge.nextAttemptAt?.getTime()).toBe(t.clock.now.getTime() + 24 * HOUR);
    expect(charge.graceEndsAt?.getTime()).toBe(t.clock.now.getTime() + 7 * 24 * HOUR);
    expect((await billingEvents(t, "payment.failed")).map((e) => e.payload)).toEqual([
      expect.objectContaining({ invoiceId, failureCode: "insufficient_funds", provider: "stripe" }),
    ]);
    expect(await statuses("subscription.updated")).toEqual(["active", "past_due"]);
    expect((await billingEvents(t, "subscription.updated")).map((e) => e.payload)).toEqual([
      expect.objectContaining({ collection: "stripe_subscription" }),
      expect.objectContaining({ status: "past_due", collection: "stripe_subscription" }),
    ]);
    // Not due yet.
    advance(23 * HOUR);
    expect(await runDunning(t.deps)).toMatchObject({ retried: 0, expired: 0 });
    advance(1 * HOUR);
    expect(await runDunning(t.deps)).toMatchObject({ retried: 1, expired: 0 });
    charge = await chargeOf(invoiceId);
    expect(charge).toMatchObject({ status: "failed", attempts: 2 });
    expect(await billingEvents(t, "payment.failed")).toHaveLength(2);
    // A webhook saying Stripe's subscription is active does not lift past_due while dunning runs.
    // The customer fixes the card; the last scheduled retry (72 h after the first failure) pays.
    (stripe.cards.get(pm) as { decline: string | null }).decline = null;
    advance(48 * HOUR);
    expect(await runDunning(t.deps)).toMatchObject({ retried: 1, expired: 0 });
    charge = await chargeOf(invoiceId);
    expect(charge).toMatchObject({ status: "succeeded", attempts: 3, nextAttemptAt: null });
    // One PaymentIntent for the invoice (the other one paid the subscription's first invoice).
    const ofInvoice = [...stripe.paymentIntents.values()].filter(
      (pi) => (pi.metadata as Record<string, string>).atlasInvoiceId === invoiceId,
    );
    expect(ofInvoice).toHaveLength(1);
    expect(await billingEvents(t, "payment.succeeded")).toHaveLength(1);
    expect(await statuses("subscription.updated")).toEqual(["active", "past_due", "active"]);
    expect(await runDunning(t.deps)).toMatchObject({ retried: 0, expired: 0 });
  });

  it("after the grace period, entitlements are reduced through subscription.updated (unpaid, free limits), once", async () => {
    const { user, tenant } = await subscribedCustomer({ decline: "card_declined" });
    await emitInvoiceFinalized(t, { tenantId: tenant.id, userId: user.id, totalMinor: 2_000 });
    await consume();
    advance(7 * 24 * HOUR);
    const result = await runDunning(t.deps);
    expect(result.expired).toBe(1);
    expect(await runDunning(t.deps)).toMatchObject({ expired: 0 });
    const updates = await billingEvents(t, "subscription.updated");
    expect(updates.at(-1)?.payload).toMatchObject({
      status: "unpaid",
      planId: "pro",
      limits: { maxObjectBytes: 10 * 1024 ** 2, maxStorageBytes: 1024 ** 3 },
    });
    expect(await statuses("subscription.updated")).toEqual(["active", "past_due", "unpaid"]);
    expect((await t.deps.prisma.subscription.findFirstOrThrow()).status).toBe("unpaid");
  });

  it("settles a charge from payment_intent webhooks once (and ignores charge.succeeded)", async () => {
    const { user, tenant, pm } = await customerWithCard(t, stripe, { decline: "authentication_required" });
    const invoiceId = await emitInvoiceFinalized(t, { tenantId: tenant.id, userId: user.id, totalMinor: 500 });
    await consume();
    const charge = await chargeOf(invoiceId);
    // The customer completes authentication with Stripe; Stripe reports the PaymentIntent paid.
    const pi = stripe.paymentIntents.get(charge.stripePaymentIntentId as string) as Record<string, unknown>;
    Object.assign(pi, { status: "succeeded", payment_method: pm, last_payment_error: null });
    const succeeded = stripe.event("payment_intent.succeeded", pi);
    expect(await (await deliverWebhook(t, stripe.event("charge.succeeded", { id: "ch_1" }))).json()).toMatchObject({
      outcome: "ignored",
    });
    expect(await (await deliverWebhook(t, succeeded)).json()).toMatchObject({ outcome: "applied" });
    expect(await (await deliverWebhook(t, succeeded)).json()).toMatchObject({ outcome: "duplicate" });
    const again = stripe.event("payment_intent.succeeded", pi);
    expect(await (await deliverWebhook(t, again)).json()).toMatchObject({ outcome: "unchanged" });
    expect((await chargeOf(invoiceId)).status).toBe("succeeded");
    expect(await billingEvents(t, "payment.succeeded")).toHaveLength(1);
  });

  it("runs in the background: a committed invoice is charged at once (LISTEN/NOTIFY), users without billing owe it too", async () => {
    const { user, tenant } = await customerWithCard(t, stripe);
    const newcomer = await loginTestUser(t);
    const stop = startBillingJobs(t.deps, 60_000);
    try {
      const paid = await emitInvoiceFinalized(t, { tenantId: tenant.id, userId: user.id, totalMinor: 700 });
      const owed = await emitInvoiceFinalized(t, { tenantId: tenant.id, userId: newcomer.user.id, totalMinor: 300 });
      const deadline = Date.now() + 10_000;
      while ((await t.deps.prisma.charge.count({ where: { status: { not: "pending" } } })) < 2) {
        if (Date.now() > deadline) throw new Error("the background consumer did not charge the invoices");
        await new Promise((r) => setTimeout(r, 50));
      }
      expect((await chargeOf(paid)).status).toBe("succeeded");
      expect(await chargeOf(owed)).toMatchObject({ status: "failed", failureCode: "no_payment_method" });
      expect(await t.deps.prisma.billingProfile.findUnique({ where: { customerId: newcomer.user.id } })).not.toBeNull();
    } finally {
      await stop();
    }
  });

  it("parks invoices it can never charge (bad payload, unknown customer) while the rest flow", async () => {
    const { user, tenant } = await customerWithCard(t, stripe);
    await t.deps.prisma.billingEvent.create({
      data: {
        eventType: "invoice.finalized",
        sourceService: "service-cloud-api",
        payload: { invoiceId: "x", totalMinor: -5 },
        dedupeKey: "bad-payload",
        createdAt: t.clock.now,
        availableAt: t.clock.now,
      },
    });
    await emitInvoiceFinalized(t, { tenantId: tenant.id, userId: "no-such-user", totalMinor: 100 });
    const good = await emitInvoiceFinalized(t, { tenantId: tenant.id, userId: user.id, totalMinor: 100 });
    expect(await consume()).toMatchObject({ processed: 1, parked: 2 });
    expect((await chargeOf(good)).status).toBe("succeeded");
    expect(stripe.paymentIntents.size).toBe(1);
  });

  it("leaves crypto customers' invoices pending for an on-chain payment, and settles free invoices at once", async () => {
    const crypto = await customerWithCard(t, stripe);
    await t.deps.prisma.billingProfile.update({
      where: { id: crypto.profile.id },
      data: { preferredProvider: "crypto" },
    });
    const due = await emitInvoiceFinalized(t, { tenantId: crypto.tenant.id, userId: crypto.user.id, totalMinor: 900 });
    const free = await emitInvoiceFinalized(t, { tenantId: crypto.tenant.id, userId: crypto.user.id, totalMinor: 0 });
    await consume();
    expect(await chargeOf(due)).toMatchObject({ status: "pending", provider: "crypto" });
    expect(await chargeOf(free)).toMatchObject({ status: "succeeded" });
    expect(stripe.paymentIntents.size).toBe(0);
  });

  it("a charge step killed right after the PaymentIntent call and re-run still charges exactly once", async () => {
    const { user, tenant } = await customerWithCard(t, stripe);
    const invoiceId = await emitInvoiceFinalized(t, { tenantId: tenant.id, userId: user.id, totalMinor: 4_200 });
    const url = await workerDatabaseUrl();
    const startWorker = () =>
      spawnNodeTs(fileURLToPath(new URL("./fixtures/charge-worker.ts", import.meta.url)), {
        cwd: fileURLToPath(new URL("..", import.meta.url)),
        env: {
          ...STRIPE_ENV(stripe),
          NODE_ENV: "test",
          LOG_LEVEL: "silent",
          KEY_ENCRYPTION_KEYS: TEST_KEK,
          DATABASE_URL: url,
        },
      });
    const worker = startWorker();
    // Stripe has created the PaymentIntent; the process dies before it hears back or commits.
    stripe.onPaymentIntentCreated = () => worker.child.kill("SIGKILL");
    await worker.exited;
    stripe.onPaymentIntentCreated = null;
    expect(worker.output()).not.toContain("drained");
    expect(stripe.paymentIntents.size).toBe(1);
    expect(await t.deps.prisma.charge.count()).toBe(0);
    // The first process committed "creation started" before calling Stripe: the restarted one
    // finds the PaymentIntent by its metadata (Search API) instead of creating another.
    const restarted = startWorker();
    expect(await restarted.exited).toBe(0);
    expect(restarted.output()).toContain("drained");
    expect(stripe.paymentIntents.size).toBe(1);
    // The restarted worker searched first (Stripe's search lags about a minute, so it found
    // nothing yet), then created with the invoice's idempotency key: Stripe answered the same
    // PaymentIntent again. Two creates, one PaymentIntent.
    expect(stripe.count("GET /v1/payment_intents/search")).toBe(1);
    expect(stripe.count("POST /v1/payment_intents")).toBe(2);
    const [pi] = [...stripe.paymentIntents.values()];
    // The customer paid once, the invoice's amount.
    expect(pi).toMatchObject({ amount: 4_200, status: "succeeded" });
    const charge = await chargeOf(invoiceId);
    expect(charge.status).toBe("succeeded");
    expect(charge.amountMinor).toBe(4_200);
    expect(charge.stripePaymentIntentId).toBe(pi?.id);
    expect(await billingEvents(t, "payment.succeeded")).toHaveLength(1);
    // Later runs (another restart, a redelivery) change nothing.
    await consume();
    expect(stripe.paymentIntents.size).toBe(1);
    expect(await billingEvents(t, "payment.succeeded")).toHaveLength(1);
  });
});
