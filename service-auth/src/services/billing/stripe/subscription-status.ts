import type { BillingEventPayload } from "@atlas/billing-events";

export type SubscriptionStatus = BillingEventPayload<"subscription.updated">["status"];
/** Atlas's own dunning state of a subscription, from the charges it makes. */
export type DunningState = "none" | "past_due" | "unpaid";

/** Stripe's statuses folded onto the event contract's. */
export function mapStripeStatus(status: string): SubscriptionStatus {
  switch (status) {
    case "trialing":
    case "active":
    case "past_due":
    case "canceled":
    case "unpaid":
    case "incomplete":
      return status;
    case "incomplete_expired":
      return "canceled";
    default:
      // paused and anything newer: no service until Stripe says otherwise.
      return "unpaid";
  }
}

/**
 * The one place the effective status comes from: Stripe's status of the subscription (null for a
 * subscription Stripe does not run) and Atlas's dunning state. An ended or not yet paid
 * subscription is that whatever dunning says; otherwise the worse of the two wins, so Stripe's
 * `active` never lifts an open dunning and a cleared dunning never hides Stripe's `past_due`.
 */
export function effectiveStatus(stripeStatus: string | null, dunningState: string): SubscriptionStatus {
  const stripe = mapStripeStatus(stripeStatus ?? "active");
  if (stripe === "canceled" || stripe === "incomplete") return stripe;
  if (stripe === "unpaid" || dunningState === "unpaid") return "unpaid";
  if (stripe === "past_due" || dunningState === "past_due") return "past_due";
  return stripe;
}

/** Whether a status grants the subscribed plan's limits (paid, in its trial, or in its grace). */
export const grantsPlan = (status: string) => status === "active" || status === "trialing" || status === "past_due";
