// Stripe SDK objects and errors → the gateway's shapes (stripe-gateway.ts).
import type Stripe from "stripe";
import { stripeSdk } from "./sdks.ts";
import type {
  StripeDisputeInfo,
  StripePaymentIntentInfo,
  StripePaymentMethodInfo,
  StripeRefundInfo,
  StripeSubscriptionInfo,
} from "./stripe-gateway.ts";

export const seconds = (s: number) => new Date(s * 1000);
/**
 * The SDK's error classes once it is loaded (at the first call of a StripeSdkGateway, not at
 * boot): before that, no error can be one of them.
 */
export const sdkErrors = () => stripeSdk.loaded()?.errors;
export const isMissing = (e: unknown) => {
  const errors = sdkErrors();
  return errors !== undefined && e instanceof errors.StripeInvalidRequestError && e.statusCode === 404;
};

export function subscriptionInfo(s: Stripe.Subscription): StripeSubscriptionInfo {
  const item = s.items.data[0];
  return {
    id: s.id,
    customerId: typeof s.customer === "string" ? s.customer : s.customer.id,
    status: s.status,
    priceId: item?.price.id ?? null,
    itemId: item?.id ?? null,
    currentPeriodStart: seconds(item?.current_period_start ?? s.start_date),
    currentPeriodEnd: seconds(item?.current_period_end ?? s.start_date),
    cancelAtPeriodEnd: s.cancel_at_period_end,
    canceledAt: s.canceled_at ? seconds(s.canceled_at) : null,
    ...latestPayment(s),
  };
}

/** Expansions that bring the latest invoice's payment along (this API version has no `invoice.payment_intent`). */
export const LATEST_PAYMENT = ["latest_invoice.confirmation_secret", "latest_invoice.payments"];

function latestPayment(s: Stripe.Subscription): Pick<StripeSubscriptionInfo, "paymentIntentId" | "clientSecret"> {
  const invoice = s.latest_invoice;
  if (!invoice || typeof invoice === "string") return {};
  const payment = invoice.payments?.data.find((p) => p.is_default) ?? invoice.payments?.data[0];
  const pi = payment?.payment.payment_intent;
  return {
    paymentIntentId: (typeof pi === "string" ? pi : pi?.id) ?? null,
    clientSecret: invoice.confirmation_secret?.client_secret ?? null,
  };
}

export function paymentMethodInfo(pm: Stripe.PaymentMethod): StripePaymentMethodInfo {
  return {
    id: pm.id,
    customerId: typeof pm.customer === "string" ? pm.customer : (pm.customer?.id ?? null),
    type: pm.type,
    brand: pm.card?.brand ?? null,
    last4: pm.card?.last4 ?? null,
    expMonth: pm.card?.exp_month ?? null,
    expYear: pm.card?.exp_year ?? null,
    createdAt: seconds(pm.created),
  };
}

export function paymentIntentInfo(pi: Stripe.PaymentIntent): StripePaymentIntentInfo {
  const error = pi.last_payment_error;
  return {
    id: pi.id,
    status: pi.status,
    failureCode: pi.status === "succeeded" ? null : (error?.decline_code ?? error?.code ?? null),
    metadata: { ...pi.metadata },
    amountMinor: pi.amount,
    currency: pi.currency,
    clientSecret: pi.client_secret ?? null,
  };
}

const idOf = (v: string | { id: string } | null | undefined) => (v ? (typeof v === "string" ? v : v.id) : null);

export function refundInfo(r: Stripe.Refund): StripeRefundInfo {
  return {
    id: r.id,
    paymentIntentId: idOf(r.payment_intent),
    amountMinor: r.amount,
    currency: r.currency,
    status: r.status ?? "pending",
    reason: r.reason ?? null,
  };
}

export function disputeInfo(d: Stripe.Dispute): StripeDisputeInfo {
  // The amounts of the dispute's balance transactions (zero, one or two: withdrawn, reinstated).
  const amounts = d.balance_transactions.map((t) => t.amount);
  return {
    id: d.id,
    paymentIntentId: idOf(d.payment_intent),
    amountMinor: d.amount,
    currency: d.currency,
    reason: d.reason,
    status: d.status,
    withdrawnMinor: -amounts.filter((a) => a < 0).reduce((a, b) => a + b, 0),
    reinstatedMinor: amounts.filter((a) => a > 0).reduce((a, b) => a + b, 0),
  };
}

/** Any error of the Stripe SDK (an answer, an outage, the network), as opposed to a bug of ours. */
export function isStripeError(error: unknown): boolean {
  const errors = sdkErrors();
  return errors !== undefined && error instanceof errors.StripeError;
}

/**
 * Stripe refusing a request as such (invalid request, idempotency misuse, missing object): a
 * permanent answer to record, never worth retrying as-is. Null for anything else (outages,
 * network, bugs), which may pass.
 */
export function stripeRefusal(error: unknown): { code: string; message: string } | null {
  const errors = sdkErrors();
  if (
    errors !== undefined &&
    (error instanceof errors.StripeInvalidRequestError || error instanceof errors.StripeIdempotencyError)
  ) {
    return { code: error.code ?? error.rawType ?? "invalid_request_error", message: error.message };
  }
  return null;
}

/** A decline comes back as a card error carrying the PaymentIntent: that is a result, not a failure. */
export function declined(error: unknown): StripePaymentIntentInfo | null {
  const errors = sdkErrors();
  if (errors !== undefined && error instanceof errors.StripeCardError && error.payment_intent) {
    const info = paymentIntentInfo(error.payment_intent);
    return { ...info, failureCode: info.failureCode ?? error.decline_code ?? error.code ?? "card_declined" };
  }
  return null;
}
