// Applies verified Stripe webhook events: each type to its handler, each effect with its ledger
// row (webhook-ledger.ts).
import type Stripe from "stripe";
import type { Deps } from "../../../ports.ts";
import { subscriptionInfo } from "../../../providers/stripe-mapping.ts";
import { applyPaymentIntentUpdate } from "../invoices/charge-invoice.ts";
import { applyDisputeEvent, applyRefundEvent } from "../invoices/refunds.ts";
import { applyAccountUpdate } from "./connect.ts";
import { syncCustomerPaymentMethods } from "./payment-methods.ts";
import { applyStripeSubscription } from "./subscriptions.ts";
import { type WebhookOutcome, withWebhookLedger } from "./webhook-ledger.ts";

async function onSubscription(deps: Deps, event: Stripe.Event): Promise<WebhookOutcome> {
  const snapshot = event.data.object as Stripe.Subscription;
  const customerId = typeof snapshot.customer === "string" ? snapshot.customer : snapshot.customer.id;
  const profile = await deps.prisma.billingProfile.findUnique({ where: { stripeCustomerId: customerId } });
  // A subscription of a customer Atlas did not create: acknowledged, ignored.
  if (!profile) return "ignored";
  // Deliveries arrive out of order: apply Stripe's current state, not the event's snapshot.
  const current = (await deps.stripe?.retrieveSubscription(snapshot.id)) ?? subscriptionInfo(snapshot);
  return withWebhookLedger(deps, event, async (tx) => {
    const result = await applyStripeSubscription(deps, tx, current, profile, {
      dedupeKey: `stripe:${event.id}`,
      eventCreatedAt: new Date(event.created * 1000),
    });
    return result.changed ? "applied" : "unchanged";
  });
}

async function onCustomerCards(deps: Deps, event: Stripe.Event): Promise<WebhookOutcome> {
  const object = event.data.object as Stripe.PaymentMethod | Stripe.SetupIntent;
  const customer = typeof object.customer === "string" ? object.customer : (object.customer?.id ?? null);
  // The sync reads Stripe's current cards (not the snapshot) and is idempotent: run, then record.
  if (!customer || !(await syncCustomerPaymentMethods(deps, customer))) return "ignored";
  return withWebhookLedger(deps, event, async () => "applied");
}

/**
 * Applies one verified Stripe event. Types Atlas does not handle are acknowledged and ignored;
 * a failure throws, so the endpoint answers non-2xx and Stripe delivers again.
 */
export async function handleStripeEvent(deps: Deps, event: Stripe.Event): Promise<WebhookOutcome> {
  const seen = await deps.prisma.processedWebhookEvent.findUnique({
    where: { provider_eventId: { provider: "stripe", eventId: event.id } },
  });
  if (seen) return "duplicate";
  switch (event.type) {
    case "customer.subscription.created":
    case "customer.subscription.updated":
    case "customer.subscription.deleted":
      return onSubscription(deps, event);
    case "account.updated":
      return applyAccountUpdate(deps, event);
    // Only PaymentIntent events drive charges: charge.succeeded announces the same payment
    // (handling both double-counts it, lago-api #3228).
    case "payment_intent.succeeded":
    case "payment_intent.payment_failed":
      return applyPaymentIntentUpdate(deps, event);
    // Refunds and disputes: matched to the charge by PaymentIntent, re-read from Stripe (refunds.ts).
    case "charge.refunded":
    case "charge.refund.updated":
    case "refund.created":
    case "refund.updated":
      return applyRefundEvent(deps, event);
    case "charge.dispute.created":
    case "charge.dispute.updated":
    case "charge.dispute.closed":
    case "charge.dispute.funds_withdrawn":
    case "charge.dispute.funds_reinstated":
      return applyDisputeEvent(deps, event);
    // A card added with Stripe Elements: mirror it and make the first card the default.
    case "payment_method.attached":
    case "setup_intent.succeeded":
      return onCustomerCards(deps, event);
    default:
      return "ignored";
  }
}
