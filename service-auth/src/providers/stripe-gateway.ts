// The port of Stripe: what billing needs of it, in Atlas's own shapes. Types only (and the one
// error the gateway throws), so importing it never loads the Stripe SDK; the SDK adapter is
// stripe.ts, the mapping of SDK objects stripe-mapping.ts.
import type Stripe from "stripe";

/** A Stripe subscription as billing needs it. */
export interface StripeSubscriptionInfo {
  id: string;
  customerId: string;
  /** Stripe's status: incomplete, incomplete_expired, trialing, active, past_due, canceled, unpaid, paused. */
  status: string;
  priceId: string | null;
  itemId: string | null;
  currentPeriodStart: Date;
  currentPeriodEnd: Date;
  cancelAtPeriodEnd: boolean;
  canceledAt: Date | null;
  /** The latest invoice's PaymentIntent and its client secret, when Stripe's answer expanded them. */
  paymentIntentId?: string | null;
  clientSecret?: string | null;
}

export interface StripePaymentMethodInfo {
  id: string;
  customerId: string | null;
  type: string;
  brand: string | null;
  last4: string | null;
  expMonth: number | null;
  expYear: number | null;
  /** When it was created (attached with a SetupIntent): the first card becomes the default. */
  createdAt?: Date;
}

export interface StripePaymentIntentInfo {
  id: string;
  /** succeeded, processing, requires_payment_method, requires_action, canceled ... */
  status: string;
  /** Decline or error code of the last failed attempt. */
  failureCode: string | null;
  metadata: Record<string, string>;
  /** What Stripe charges, in minor units, and its currency (lower case): reconciliation compares them. */
  amountMinor: number;
  currency: string;
  /** What Stripe.js confirms the PaymentIntent with, on-session (Pay now). */
  clientSecret?: string | null;
}

export interface StripeRefundParams {
  paymentIntentId: string;
  /** Null: what is left of the charge. */
  amountMinor: number | null;
  reason: "duplicate" | "fraudulent" | "requested_by_customer";
  /** Destination charges: take the transferred share back from the connected account. */
  reverseTransfer: boolean;
  /** Destination charges: give the platform's application fee back proportionally. */
  refundApplicationFee: boolean;
  metadata: Record<string, string>;
}

export interface StripeRefundInfo {
  id: string;
  paymentIntentId: string | null;
  amountMinor: number;
  currency: string;
  /** pending, requires_action, succeeded, failed, canceled */
  status: string;
  reason: string | null;
}

export interface StripeDisputeInfo {
  id: string;
  paymentIntentId: string | null;
  amountMinor: number;
  currency: string;
  reason: string;
  /** warning_needs_response, needs_response, under_review, won, lost, ... */
  status: string;
  /** Money taken from the balance by the dispute (its negative balance transactions). */
  withdrawnMinor: number;
  /** Money given back (won: the positive balance transaction). */
  reinstatedMinor: number;
}

export interface StripeAccountInfo {
  id: string;
  chargesEnabled: boolean;
  payoutsEnabled: boolean;
  detailsSubmitted: boolean;
}

/**
 * The part of Stripe that billing uses. Every creating call takes an idempotency key derived
 * from what it does (e.g. the invoice id), so a retried step never creates a second object.
 */
export interface StripeGateway {
  createCustomer(
    params: { email: string | null; metadata: Record<string, string> },
    idempotencyKey: string,
  ): Promise<{ id: string }>;
  createSetupIntent(customerId: string, idempotencyKey: string): Promise<{ id: string; clientSecret: string }>;
  listPaymentMethods(customerId: string): Promise<StripePaymentMethodInfo[]>;
  retrievePaymentMethod(id: string): Promise<StripePaymentMethodInfo | null>;
  detachPaymentMethod(id: string): Promise<void>;
  setDefaultPaymentMethod(customerId: string, paymentMethodId: string): Promise<void>;
  /**
   * Creates a subscription whose first payment waits for the customer (`default_incomplete`),
   * or that starts with `trialDays` of trial; the answer carries the first PaymentIntent.
   */
  createSubscription(
    params: { customerId: string; priceId: string; metadata: Record<string, string>; trialDays?: number },
    idempotencyKey: string,
  ): Promise<StripeSubscriptionInfo>;
  retrieveSubscription(id: string): Promise<StripeSubscriptionInfo | null>;
  /** Moves the subscription to another price, prorating the difference. */
  changeSubscriptionPrice(id: string, priceId: string, idempotencyKey: string): Promise<StripeSubscriptionInfo>;
  setCancelAtPeriodEnd(id: string, cancel: boolean, idempotencyKey: string): Promise<StripeSubscriptionInfo>;
  /** Ends the subscription now: no final invoice, no proration (account deletion). */
  cancelSubscriptionNow(id: string, idempotencyKey: string): Promise<StripeSubscriptionInfo>;
  /** Confirms a PaymentIntent while the customer is present (a subscription's first payment). */
  confirmPaymentIntentOnSession(
    id: string,
    paymentMethodId: string,
    idempotencyKey: string,
  ): Promise<StripePaymentIntentInfo>;
  /** Creates and confirms an off-session PaymentIntent; a decline resolves (status, failureCode). */
  createPaymentIntent(
    params: {
      amountMinor: number;
      currency: string;
      customerId: string;
      paymentMethodId: string | null;
      onBehalfOf: string | null;
      metadata: Record<string, string>;
      /** Connect: the platform's fee kept from a destination charge (minor units). */
      applicationFeeMinor?: number | null;
      /** false: create only (requires_payment_method), to be confirmed once its id is stored. */
      confirm?: boolean;
    },
    idempotencyKey: string,
  ): Promise<StripePaymentIntentInfo>;
  /** Confirms an existing PaymentIntent again (dunning retry). */
  confirmPaymentIntent(
    id: string,
    paymentMethodId: string | null,
    idempotencyKey: string,
  ): Promise<StripePaymentIntentInfo>;
  retrievePaymentIntent(id: string): Promise<StripePaymentIntentInfo | null>;
  /** Cancels a PaymentIntent that has not succeeded (no later confirmation can charge it). */
  cancelPaymentIntent(id: string, idempotencyKey: string): Promise<StripePaymentIntentInfo>;
  /** Refunds (part of) a PaymentIntent's charge; Connect charges also reverse transfer and fee. */
  createRefund(params: StripeRefundParams, idempotencyKey: string): Promise<StripeRefundInfo>;
  /** Every refund of a PaymentIntent's charge (charge.refunded no longer lists them). */
  listRefunds(paymentIntentId: string): Promise<StripeRefundInfo[]>;
  retrieveDispute(id: string): Promise<StripeDisputeInfo | null>;
  createConnectedAccount(
    params: { email: string | null; metadata: Record<string, string> },
    idempotencyKey: string,
  ): Promise<{ id: string }>;
  createAccountLink(
    accountId: string,
    refreshUrl: string,
    returnUrl: string,
  ): Promise<{ url: string; expiresAt: Date }>;
  retrieveAccount(id: string): Promise<StripeAccountInfo | null>;
  /**
   * Verifies a webhook delivery on its raw body: any `v1` signature of the header made with any
   * of `secrets` (rotation), timestamp within `toleranceSec` of `now`. Throws when it does not.
   */
  verifyWebhook(
    rawBody: string,
    header: string,
    secrets: string[],
    toleranceSec: number,
    now: Date,
  ): Promise<Stripe.Event>;
  /**
   * The PaymentIntents Stripe holds for an invoice (`metadata.atlasInvoiceId`), through the search
   * API. Search is eventually consistent (about a minute behind): never use it right after a create.
   */
  searchPaymentIntentsByInvoice(invoiceId: string): Promise<StripePaymentIntentInfo[]>;
}

/** Stripe refused a refund (already refunded, charged back, more than is left): a 4xx answer. */
export class StripeRefundRefused extends Error {
  constructor(
    readonly stripeCode: string | null,
    message: string,
  ) {
    super(message);
    this.name = "StripeRefundRefused";
  }
}
