import type Stripe from "stripe";
import { stripeSdk } from "./sdks.ts";

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

const seconds = (s: number) => new Date(s * 1000);
/**
 * The SDK's error classes once it is loaded (at the first call of a {@link StripeSdkGateway}, not at
 * boot): before that, no error can be one of them.
 */
const sdkErrors = () => stripeSdk.loaded()?.errors;
const isMissing = (e: unknown) => {
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
const LATEST_PAYMENT = ["latest_invoice.confirmation_secret", "latest_invoice.payments"];

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

function paymentMethodInfo(pm: Stripe.PaymentMethod): StripePaymentMethodInfo {
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
function declined(error: unknown): StripePaymentIntentInfo | null {
  const errors = sdkErrors();
  if (errors !== undefined && error instanceof errors.StripeCardError && error.payment_intent) {
    const info = paymentIntentInfo(error.payment_intent);
    return { ...info, failureCode: info.failureCode ?? error.decline_code ?? error.code ?? "card_declined" };
  }
  return null;
}

/** {@link StripeGateway} on the official SDK. `baseUrl` points it elsewhere (tests, proxies). */
export class StripeSdkGateway implements StripeGateway {
  /** The SDK loads, and the client is made, at the first call, not at boot. */
  private stripe: Promise<Stripe> | null = null;

  constructor(
    private readonly secretKey: string,
    private readonly baseUrl?: string,
  ) {}

  private client(): Promise<Stripe> {
    this.stripe ??= stripeSdk().then((Sdk) => {
      const url = this.baseUrl ? new URL(this.baseUrl) : null;
      return new Sdk(this.secretKey, {
        maxNetworkRetries: 2,
        timeout: 20_000,
        ...(url && {
          host: url.hostname,
          port: url.port || (url.protocol === "https:" ? "443" : "80"),
          protocol: url.protocol === "https:" ? "https" : "http",
        }),
      });
    });
    return this.stripe;
  }

  async createCustomer(params: { email: string | null; metadata: Record<string, string> }, idempotencyKey: string) {
    const stripe = await this.client();
    const c = await stripe.customers.create(
      { ...(params.email && { email: params.email }), metadata: params.metadata },
      { idempotencyKey },
    );
    return { id: c.id };
  }

  async createSetupIntent(customerId: string, idempotencyKey: string) {
    const stripe = await this.client();
    const si = await stripe.setupIntents.create(
      { customer: customerId, usage: "off_session", automatic_payment_methods: { enabled: true } },
      { idempotencyKey },
    );
    if (!si.client_secret) throw new Error("Stripe returned a SetupIntent without client_secret");
    return { id: si.id, clientSecret: si.client_secret };
  }

  async listPaymentMethods(customerId: string) {
    const stripe = await this.client();
    const list = await stripe.customers.listPaymentMethods(customerId, { limit: 100 });
    return list.data.map(paymentMethodInfo);
  }

  async retrievePaymentMethod(id: string) {
    const stripe = await this.client();
    try {
      return paymentMethodInfo(await stripe.paymentMethods.retrieve(id));
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async detachPaymentMethod(id: string) {
    const stripe = await this.client();
    await stripe.paymentMethods.detach(id);
  }

  async setDefaultPaymentMethod(customerId: string, paymentMethodId: string) {
    const stripe = await this.client();
    await stripe.customers.update(customerId, {
      invoice_settings: { default_payment_method: paymentMethodId },
    });
  }

  async createSubscription(
    params: { customerId: string; priceId: string; metadata: Record<string, string>; trialDays?: number },
    idempotencyKey: string,
  ) {
    const stripe = await this.client();
    const s = await stripe.subscriptions.create(
      {
        customer: params.customerId,
        items: [{ price: params.priceId }],
        metadata: params.metadata,
        payment_behavior: "default_incomplete",
        payment_settings: { save_default_payment_method: "on_subscription" },
        ...(params.trialDays && { trial_period_days: params.trialDays }),
        expand: LATEST_PAYMENT,
      },
      { idempotencyKey },
    );
    return subscriptionInfo(s);
  }

  async retrieveSubscription(id: string) {
    const stripe = await this.client();
    try {
      return subscriptionInfo(await stripe.subscriptions.retrieve(id, { expand: LATEST_PAYMENT }));
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async changeSubscriptionPrice(id: string, priceId: string, idempotencyKey: string) {
    const stripe = await this.client();
    const current = await stripe.subscriptions.retrieve(id);
    const item = current.items.data[0];
    const s = await stripe.subscriptions.update(
      id,
      {
        items: [item ? { id: item.id, price: priceId } : { price: priceId }],
        proration_behavior: "create_prorations",
        cancel_at_period_end: false,
      },
      { idempotencyKey },
    );
    return subscriptionInfo(s);
  }

  async setCancelAtPeriodEnd(id: string, cancel: boolean, idempotencyKey: string) {
    const stripe = await this.client();
    const s = await stripe.subscriptions.update(id, { cancel_at_period_end: cancel }, { idempotencyKey });
    return subscriptionInfo(s);
  }

  async cancelSubscriptionNow(id: string, idempotencyKey: string) {
    const stripe = await this.client();
    const s = await stripe.subscriptions.cancel(id, { invoice_now: false, prorate: false }, { idempotencyKey });
    return subscriptionInfo(s);
  }

  async confirmPaymentIntentOnSession(id: string, paymentMethodId: string, idempotencyKey: string) {
    const stripe = await this.client();
    try {
      const pi = await stripe.paymentIntents.confirm(id, { payment_method: paymentMethodId }, { idempotencyKey });
      return paymentIntentInfo(pi);
    } catch (error) {
      const result = declined(error);
      if (result) return result;
      throw error;
    }
  }

  async createPaymentIntent(
    params: {
      amountMinor: number;
      currency: string;
      customerId: string;
      paymentMethodId: string | null;
      onBehalfOf: string | null;
      metadata: Record<string, string>;
      /** Connect: the platform's fee kept from a destination charge (minor units). */
      applicationFeeMinor?: number | null;
      confirm?: boolean;
    },
    idempotencyKey: string,
  ) {
    const stripe = await this.client();
    try {
      const pi = await stripe.paymentIntents.create(
        {
          amount: params.amountMinor,
          currency: params.currency,
          customer: params.customerId,
          ...(params.paymentMethodId && { payment_method: params.paymentMethodId }),
          ...(params.confirm !== false && { off_session: true, confirm: true }),
          metadata: params.metadata,
          ...(params.onBehalfOf && {
            on_behalf_of: params.onBehalfOf,
            transfer_data: { destination: params.onBehalfOf },
          }),
          ...(params.applicationFeeMinor && { application_fee_amount: params.applicationFeeMinor }),
        },
        { idempotencyKey },
      );
      return paymentIntentInfo(pi);
    } catch (error) {
      const result = declined(error);
      if (result) return result;
      throw error;
    }
  }

  async confirmPaymentIntent(id: string, paymentMethodId: string | null, idempotencyKey: string) {
    const stripe = await this.client();
    try {
      const pi = await stripe.paymentIntents.confirm(
        id,
        { off_session: true, ...(paymentMethodId && { payment_method: paymentMethodId }) },
        { idempotencyKey },
      );
      return paymentIntentInfo(pi);
    } catch (error) {
      const result = declined(error);
      if (result) return result;
      throw error;
    }
  }

  async retrievePaymentIntent(id: string) {
    const stripe = await this.client();
    try {
      return paymentIntentInfo(await stripe.paymentIntents.retrieve(id));
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async cancelPaymentIntent(id: string, idempotencyKey: string) {
    const stripe = await this.client();
    return paymentIntentInfo(await stripe.paymentIntents.cancel(id, {}, { idempotencyKey }));
  }

  async createRefund(params: StripeRefundParams, idempotencyKey: string) {
    const stripe = await this.client();
    const r = await stripe.refunds
      .create(
        {
          payment_intent: params.paymentIntentId,
          ...(params.amountMinor !== null && { amount: params.amountMinor }),
          reason: params.reason,
          metadata: params.metadata,
          ...(params.reverseTransfer && { reverse_transfer: true }),
          ...(params.refundApplicationFee && { refund_application_fee: true }),
        },
        { idempotencyKey },
      )
      .catch((error: unknown) => {
        const errors = sdkErrors();
        if (errors !== undefined && error instanceof errors.StripeInvalidRequestError) {
          throw new StripeRefundRefused(error.code ?? null, error.message);
        }
        throw error;
      });
    return refundInfo(r);
  }

  async listRefunds(paymentIntentId: string) {
    const stripe = await this.client();
    const refunds: StripeRefundInfo[] = [];
    for await (const r of stripe.refunds.list({ payment_intent: paymentIntentId, limit: 100 })) {
      refunds.push(refundInfo(r));
    }
    return refunds;
  }

  async retrieveDispute(id: string) {
    const stripe = await this.client();
    try {
      return disputeInfo(await stripe.disputes.retrieve(id));
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async createConnectedAccount(
    params: { email: string | null; metadata: Record<string, string> },
    idempotencyKey: string,
  ) {
    const stripe = await this.client();
    const a = await stripe.accounts.create(
      {
        type: "express",
        ...(params.email && { email: params.email }),
        metadata: params.metadata,
        capabilities: { card_payments: { requested: true }, transfers: { requested: true } },
      },
      { idempotencyKey },
    );
    return { id: a.id };
  }

  async createAccountLink(accountId: string, refreshUrl: string, returnUrl: string) {
    const stripe = await this.client();
    const link = await stripe.accountLinks.create({
      account: accountId,
      refresh_url: refreshUrl,
      return_url: returnUrl,
      type: "account_onboarding",
    });
    return { url: link.url, expiresAt: seconds(link.expires_at) };
  }

  async retrieveAccount(id: string) {
    const stripe = await this.client();
    try {
      const a = await stripe.accounts.retrieve(id);
      return {
        id: a.id,
        chargesEnabled: a.charges_enabled ?? false,
        payoutsEnabled: a.payouts_enabled ?? false,
        detailsSubmitted: a.details_submitted ?? false,
      };
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async verifyWebhook(rawBody: string, header: string, secrets: string[], toleranceSec: number, now: Date) {
    const stripe = await this.client();
    let last: unknown = new Error("no webhook secret configured");
    // receivedAt is in milliseconds: the SDK measures the timestamp's age against our clock.
    const receivedAt = now.getTime();
    for (const secret of secrets) {
      try {
        return stripe.webhooks.constructEvent(rawBody, header, secret, toleranceSec, undefined, receivedAt);
      } catch (error) {
        last = error;
      }
    }
    throw last;
  }

  async searchPaymentIntentsByInvoice(invoiceId: string) {
    const stripe = await this.client();
    // Search query language: a quoted value; a quote or backslash inside it is escaped.
    // https://docs.stripe.com/search#search-query-language
    const value = invoiceId.replace(/[\\']/g, (c) => `\\${c}`);
    const found: StripePaymentIntentInfo[] = [];
    for await (const pi of stripe.paymentIntents.search({
      query: `metadata['atlasInvoiceId']:'${value}'`,
      limit: 100,
    })) {
      found.push(paymentIntentInfo(pi));
    }
    return found;
  }
}
