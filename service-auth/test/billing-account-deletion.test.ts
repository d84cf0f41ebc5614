// Deleting an account stops all charges (issue 17 §2): the Stripe subscription ends at once, no
// PaymentIntent of the customer stays confirmable, open charges are canceled (cloud-api voids
// their invoices), and no later invoice or dunning run charges the customer again.
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

type Json = Record<string, unknown>;
const CONFIRMABLE = ["requires_payment_method", "requires_confirmation", "requires_action"];
const consume = () =>
  (billingConsumer(t.deps, { listen: false }) as NonNullable<ReturnType<typeof billingConsumer>>).drain();
const subscribe = (auth: Record<string, string>) =>
  t.app.request("/billing/subscriptions", {
    method: "POST",
    headers: billingHeaders(auth),
    body: JSON.stringify({ planId: "pro" }),
  });
const deleteMe = (auth: Record<string, string>) => t.app.request("/auth/me", { method: "DELETE", headers: auth });
const liveAtStripe = (customer: string) =>
  [...stripe.subscriptions.values()].filter(
    (s) => s.customer === customer && !["canceled", "incomplete_expired"].includes(String(s.status)),
  );
const confirmableAtStripe = (customer: string) =>
  [...stripe.paymentIntents.values()].filter(
    (pi) => pi.customer === customer && CONFIRMABLE.includes(String(pi.status)),
  );

describe("DELETE /auth/me stops all charges", () => {
  it("ends the subscription at Stripe now, cancels the open charge and its PaymentIntent, and never charges again", async () => {
    const who = await customerWithCard(t, stripe);
    const customer = who.profile.stripeCustomerId;
    expect((await subscribe(who.auth)).status).toBe(200);
    // A renewal invoice whose charge failed: its PaymentIntent waits for dunning.
    (stripe.cards.get(who.pm) as { decline: string | null }).decline = "insufficient_funds";
    const failedInvoice = await emitInvoiceFinalized(t, {
      tenantId: who.tenant.id,
      userId: who.user.id,
      totalMinor: 700,
    });
    await consume();
    expect(confirmableAtStripe(customer)).toHaveLength(1);
    expect(liveAtStripe(customer)).toHaveLength(1);

    expect((await deleteMe(who.auth)).status).toBe(204);
    expect(liveAtStripe(customer)).toEqual([]);
    expect(stripe.subscriptionCancellations).toEqual([
      expect.objectContaining({ invoice_now: "false", prorate: "false" }),
    ]);
    expect(confirmableAtStripe(customer)).toEqual([]);
    expect(await t.deps.prisma.charge.findUniqueOrThrow({ where: { invoiceId: failedInvoice } })).toMatchObject({
      status: "canceled",
      failureCode: "account_deleted",
      nextAttemptAt: null,
    });
    expect(await t.deps.prisma.subscription.findFirstOrThrow()).toMatchObject({
      status: "canceled",
      stripeStatus: "canceled",
    });
    expect((await billingEvents(t, "subscription.canceled")).map((e) => e.payload)).toHaveLength(1);

    // Later: an invoice finalized for the deleted account, and dunning's schedule, charge nothing.
    const created = stripe.count("POST /v1/payment_intents");
    const later = await emitInvoiceFinalized(t, { tenantId: who.tenant.id, userId: who.user.id, totalMinor: 900 });
    await consume();
    t.clock.now = new Date(t.clock.now.getTime() + 10 * 86_400_000);
    expect(await runDunning(t.deps)).toMatchObject({ retried: 0, expired: 0 });
    expect(stripe.count("POST /v1/payment_intents")).toBe(created);
    expect(await t.deps.prisma.charge.findUniqueOrThrow({ where: { invoiceId: later } })).toMatchObject({
      status: "canceled",
      failureCode: "account_deleted",
    });
    // cloud-api is told to void both invoices.
    expect((await billingEvents(t, "charge.canceled")).map((e) => e.payload as Json)).toEqual([
      expect.objectContaining({ invoiceId: failedInvoice, reason: "account_deleted" }),
      expect.objectContaining({ invoiceId: later, reason: "account_deleted" }),
    ]);
  });

  it("an unpaid (incomplete) subscription's first payment can no longer be made", async () => {
    const who = await loginTestUser(t);
    const profile = (await (
      await t.app.request("/billing/customer", { method: "POST", headers: billingHeaders(who.auth) })
    ).json()) as { stripeCustomerId: string };
    expect(await (await subscribe(who.auth)).json()).toMatchObject({ status: "incomplete" });
    expect(confirmableAtStripe(profile.stripeCustomerId)).toHaveLength(1);
    expect((await deleteMe(who.auth)).status).toBe(204);
    expect(liveAtStripe(profile.stripeCustomerId)).toEqual([]);
    expect(confirmableAtStripe(profile.stripeCustomerId)).toEqual([]);
  });

  it("dunning never retries a charge of a deleted account, whatever raced the deletion", async () => {
    const who = await customerWithCard(t, stripe, { decline: "insufficient_funds" });
    const invoiceId = await emitInvoiceFinalized(t, { tenantId: who.tenant.id, userId: who.user.id, totalMinor: 500 });
    await consume();
    // The account is marked deleted while the failed charge is still scheduled (as if its charge
    // step had committed after the deletion's own cancellation ran).
    await t.deps.prisma.user.update({ where: { id: who.user.id }, data: { deletedAt: t.clock.now } });
    const confirms = stripe.requests.filter((r) => r.endsWith("/confirm")).length;
    t.clock.now = new Date(t.clock.now.getTime() + 2 * 86_400_000);
    await runDunning(t.deps);
    expect(stripe.requests.filter((r) => r.endsWith("/confirm")).length).toBe(confirms);
    expect(await t.deps.prisma.charge.findUniqueOrThrow({ where: { invoiceId } })).toMatchObject({
      status: "canceled",
      failureCode: "account_deleted",
    });
    expect((await billingEvents(t, "charge.canceled")).map((e) => e.payload as Json)).toEqual([
      expect.objectContaining({ invoiceId, reason: "account_deleted" }),
    ]);
  });

  it("Stripe down: 503 and nothing deleted (the subscription stays live and billed as before); the retry deletes", async () => {
    const who = await customerWithCard(t, stripe);
    await subscribe(who.auth);
    stripe.failWith = 503;
    const refused = await deleteMe(who.auth);
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).not.toBeNull();
    expect(await refused.json()).toMatchObject({ code: "SERVICE_UNAVAILABLE" });
    expect((await t.deps.prisma.user.findUniqueOrThrow({ where: { id: who.user.id } })).deletedAt).toBeNull();
    expect(await t.deps.prisma.subscription.findFirstOrThrow()).toMatchObject({ status: "active" });
    expect(await billingEvents(t, "subscription.canceled")).toEqual([]);
    stripe.failWith = null;
    expect((await deleteMe(who.auth)).status).toBe(204);
    expect(liveAtStripe(who.profile.stripeCustomerId)).toEqual([]);
    expect((await t.deps.prisma.user.findUniqueOrThrow({ where: { id: who.user.id } })).deletedAt).not.toBeNull();
  });
});
