// invoice.voided (issue 17 §15): the charge of a voided invoice is canceled with its open
// PaymentIntent, so no dunning retry or late confirmation can charge it.
import { randomUUID } from "node:crypto";
import { outboxRow } from "@atlas/billing-events";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runDunning } from "../src/services/billing/invoices/dunning.ts";
import { billingConsumer } from "../src/services/billing/jobs.ts";
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

/** What cloud-api's voidInvoice announces: `invoice.voided` in the invoice's aggregate. */
async function emitInvoiceVoided(p: { tenantId: string; userId: string; invoiceId: string }, dedupeKey?: string) {
  const row = outboxRow("invoice.voided", p, "service-cloud-api", dedupeKey ?? `invoice.voided:${p.invoiceId}`);
  await t.deps.prisma.billingEvent.create({
    data: {
      ...row,
      payload: row.payload,
      aggregateKey: `invoice:${p.invoiceId}`,
      createdAt: t.clock.now,
      availableAt: t.clock.now,
    },
  });
}

async function subscribedCustomer(card: { decline?: string } = {}) {
  // The first payment is made with a working card (a paid plan starts only once it is paid);
  // the card declines from then on.
  const who = await customerWithCard(t, stripe);
  await t.app.request("/billing/subscriptions", {
    method: "POST",
    headers: billingHeaders(who.auth),
    body: JSON.stringify({ planId: "pro" }),
  });
  if (card.decline) (stripe.cards.get(who.pm) as { decline: string | null }).decline = card.decline;
  return who;
}

const voidAudits = async () =>
  (await t.deps.prisma.authAuditLog.findMany({ where: { eventType: "billing_action" } }))
    .map((a) => a.details as { action?: string; invoiceId?: string })
    .filter((d) => d.action?.includes("void"));

describe("invoice.voided", () => {
  it("cancels a failed charge and its PaymentIntent: no dunning retry, past_due lifted, audited, once", async () => {
    const { user, tenant } = await subscribedCustomer({ decline: "insufficient_funds" });
    const invoiceId = await emitInvoiceFinalized(t, { tenantId: tenant.id, userId: user.id, totalMinor: 2_000 });
    await consume();
    const failed = await chargeOf(invoiceId);
    expect(failed.status).toBe("failed");
    const piId = failed.stripePaymentIntentId as string;

    advance(HOUR);
    await emitInvoiceVoided({ tenantId: tenant.id, userId: user.id, invoiceId });
    expect(await consume()).toMatchObject({ processed: 1, parked: 0 });
    expect(await chargeOf(invoiceId)).toMatchObject({ status: "canceled", nextAttemptAt: null });
    expect(stripe.paymentIntents.get(piId)).toMatchObject({ status: "canceled" });
    const statuses = (await billingEvents(t, "subscription.updated")).map(
      (e) => (e.payload as { status: string }).status,
    );
    expect(statuses).toEqual(["active", "past_due", "active"]);
    expect(await voidAudits()).toEqual([
      expect.objectContaining({ action: "charge_canceled_invoice_voided", invoiceId }),
    ]);

    // Redelivered: nothing more (no second cancel, no second audit row).
    await emitInvoiceVoided({ tenantId: tenant.id, userId: user.id, invoiceId }, `again:${randomUUID()}`);
    expect(await consume()).toMatchObject({ processed: 1, parked: 0 });
    expect(await voidAudits()).toHaveLength(1);
    // Dunning leaves it alone, past every retry and the grace period.
    advance(8 * 24 * HOUR);
    expect(await runDunning(t.deps)).toMatchObject({ retried: 0, expired: 0 });
    // The invoice's one PaymentIntent, canceled (the subscription's first payment has its own).
    const ofInvoice = [...stripe.paymentIntents.values()].filter(
      (pi) => (pi.metadata as Record<string, string>).atlasInvoiceId === invoiceId,
    );
    expect(ofInvoice).toEqual([expect.objectContaining({ id: piId, status: "canceled" })]);
  });

  it("a charge that succeeded stays succeeded (audited for a refund); one Stripe settled meanwhile is applied as paid", async () => {
    const { user, tenant } = await customerWithCard(t, stripe);
    const paid = await emitInvoiceFinalized(t, { tenantId: tenant.id, userId: user.id, totalMinor: 700 });
    await consume();
    await emitInvoiceVoided({ tenantId: tenant.id, userId: user.id, invoiceId: paid });
    expect(await consume()).toMatchObject({ processed: 1, parked: 0 });
    expect(await chargeOf(paid)).toMatchObject({ status: "succeeded" });
    expect([...stripe.paymentIntents.values()][0]).toMatchObject({ status: "succeeded" });

    // Declined here, but the customer paid it at Stripe before the void reached service-auth:
    // Stripe refuses to cancel a succeeded PaymentIntent, and the payment is recorded instead.
    const other = await customerWithCard(t, stripe, { decline: "card_declined" });
    const raced = await emitInvoiceFinalized(t, { tenantId: other.tenant.id, userId: other.user.id, totalMinor: 900 });
    await consume();
    const pi = stripe.paymentIntents.get((await chargeOf(raced)).stripePaymentIntentId as string) as Record<
      string,
      unknown
    >;
    Object.assign(pi, { status: "succeeded", last_payment_error: null });
    await emitInvoiceVoided({ tenantId: other.tenant.id, userId: other.user.id, invoiceId: raced });
    expect(await consume()).toMatchObject({ processed: 1, parked: 0 });
    expect(await chargeOf(raced)).toMatchObject({ status: "succeeded" });
    expect(
      (await billingEvents(t, "payment.succeeded")).map((e) => (e.payload as { invoiceId: string }).invoiceId),
    ).toEqual([paid, raced]);
    expect((await voidAudits()).map((a) => a.action)).toEqual(["voided_invoice_was_paid", "voided_invoice_was_paid"]);
  });

  it("a crypto charge (no PaymentIntent) is canceled; a void before its charge exists is retried; another customer's is parked", async () => {
    const { user, tenant, profile } = await customerWithCard(t, stripe);
    await t.deps.prisma.billingProfile.update({ where: { id: profile.id }, data: { preferredProvider: "crypto" } });
    const invoiceId = await emitInvoiceFinalized(t, { tenantId: tenant.id, userId: user.id, totalMinor: 1_000 });
    await consume();
    expect(await chargeOf(invoiceId)).toMatchObject({ provider: "crypto", status: "pending" });
    await emitInvoiceVoided({ tenantId: tenant.id, userId: user.id, invoiceId });
    await consume();
    expect(await chargeOf(invoiceId)).toMatchObject({ status: "canceled" });
    expect(stripe.paymentIntents.size).toBe(0);

    await emitInvoiceVoided({ tenantId: tenant.id, userId: user.id, invoiceId: "inv_not_charged_yet" });
    expect(await consume()).toMatchObject({ processed: 0, retried: 1, parked: 0 });
    const second = await emitInvoiceFinalized(t, { tenantId: tenant.id, userId: user.id, totalMinor: 1_000 });
    await consume();
    await emitInvoiceVoided({ tenantId: tenant.id, userId: "mallory", invoiceId: second });
    expect(await consume()).toMatchObject({ parked: 1 });
    expect(await chargeOf(second)).toMatchObject({ status: "pending" });
  });
});
