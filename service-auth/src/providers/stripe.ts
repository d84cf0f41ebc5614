import Stripe from "stripe";

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
}

export interface StripePaymentIntentInfo {
  id: string;
  /** succeeded, processing, requires_payment_method, requires_action, canceled ... */
  status: string;
  /** Decline or error code of the last failed attempt. */
  failureCode: string | null;
  metadata: Record<string, string>;
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
  cancelPaymentIntent(id: string, idempotencyKey: string): Promise<StripePaymentIntentInfo>;
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
  verifyWebhook(rawBody: string, header: string, secrets: string[], toleranceSec: number, now: Date): Stripe.Event;
}

const seconds = (s: number) => new Date(s * 1000);
const isMissing = (e: unknown) => e instanceof Stripe.errors.StripeInvalidRequestError && e.statusCode === 404;

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
  };
}

export function paymentIntentInfo(pi: Stripe.PaymentIntent): StripePaymentIntentInfo {
  const error = pi.last_payment_error;
  return {
    id: pi.id,
    status: pi.status,
    failureCode: pi.status === "succeeded" ? null : (error?.decline_code ?? error?.code ?? null),
    metadata: { ...pi.metadata },
  };
}

/** A decline comes back as a card error carrying the PaymentIntent: that is a result, not a failure. */
function declined(error: unknown): StripePaymentIntentInfo | null {
  if (error instanceof Stripe.errors.StripeCardError && error.payment_intent) {
    const info = paymentIntentInfo(error.payment_intent);
    return { ...info, failureCode: info.failureCode ?? error.decline_code ?? error.code ?? "card_declined" };
  }
  return null;
}

/** {@link StripeGateway} on the official SDK. `baseUrl` points it elsewhere (tests, proxies). */
export class StripeSdkGateway implements StripeGateway {
  private readonly stripe: Stripe;

  constructor(secretKey: string, baseUrl?: string) {
    const url = baseUrl ? new URL(baseUrl) : null;
    this.stripe = new Stripe(secretKey, {
      maxNetworkRetries: 2,
      timeout: 20_000,
      ...(url && {
        host: url.hostname,
        port: url.port || (url.protocol === "https:" ? "443" : "80"),
        protocol: url.protocol === "https:" ? "https" : "http",
      }),
    });
  }

  async createCustomer(params: { email: string | null; metadata: Record<string, string> }, idempotencyKey: string) {
    const c = await this.stripe.customers.create(
      { ...(params.email && { email: params.email }), metadata: params.metadata },
      { idempotencyKey },
    );
    return { id: c.id };
  }

  async createSetupIntent(customerId: string, idempotencyKey: string) {
    const si = await this.stripe.setupIntents.create(
      { customer: customerId, usage: "off_session", automatic_payment_methods: { enabled: true } },
      { idempotencyKey },
    );
    if (!si.client_secret) throw new Error("Stripe returned a SetupIntent without client_secret");
    return { id: si.id, clientSecret: si.client_secret };
  }

  async listPaymentMethods(customerId: string) {
    const list = await this.stripe.customers.listPaymentMethods(customerId, { limit: 100 });
    return list.data.map(paymentMethodInfo);
  }

  async retrievePaymentMethod(id: string) {
    try {
      return paymentMethodInfo(await this.stripe.paymentMethods.retrieve(id));
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async detachPaymentMethod(id: string) {
    await this.stripe.paymentMethods.detach(id);
  }

  async setDefaultPaymentMethod(customerId: string, paymentMethodId: string) {
    await this.stripe.customers.update(customerId, {
      invoice_settings: { default_payment_method: paymentMethodId },
    });
  }

  async createSubscription(
    params: { customerId: string; priceId: string; metadata: Record<string, string>; trialDays?: number },
    idempotencyKey: string,
  ) {
    const s = await this.stripe.subscriptions.create(
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
    try {
      return subscriptionInfo(await this.stripe.subscriptions.retrieve(id, { expand: LATEST_PAYMENT }));
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async changeSubscriptionPrice(id: string, priceId: string, idempotencyKey: string) {
    const current = await this.stripe.subscriptions.retrieve(id);
    const item = current.items.data[0];
    const s = await this.stripe.subscriptions.update(
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
    const s = await this.stripe.subscriptions.update(id, { cancel_at_period_end: cancel }, { idempotencyKey });
    return subscriptionInfo(s);
  }

  async cancelSubscriptionNow(id: string, idempotencyKey: string) {
    const s = await this.stripe.subscriptions.cancel(id, { invoice_now: false, prorate: false }, { idempotencyKey });
    return subscriptionInfo(s);
  }

  async confirmPaymentIntentOnSession(id: string, paymentMethodId: string, idempotencyKey: string) {
    try {
      const pi = await this.stripe.paymentIntents.confirm(id, { payment_method: paymentMethodId }, { idempotencyKey });
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
    },
    idempotencyKey: string,
  ) {
    try {
      const pi = await this.stripe.paymentIntents.create(
        {
          amount: params.amountMinor,
          currency: params.currency,
          customer: params.customerId,
          ...(params.paymentMethodId && { payment_method: params.paymentMethodId }),
          off_session: true,
          confirm: true,
          metadata: params.metadata,
          ...(params.onBehalfOf && {
            on_behalf_of: params.onBehalfOf,
            transfer_data: { destination: params.onBehalfOf },
          }),
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
    try {
      const pi = await this.stripe.paymentIntents.confirm(
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
    try {
      return paymentIntentInfo(await this.stripe.paymentIntents.retrieve(id));
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async cancelPaymentIntent(id: string, idempotencyKey: string) {
    return paymentIntentInfo(await this.stripe.paymentIntents.cancel(id, {}, { idempotencyKey }));
  }

  async createConnectedAccount(
    params: { email: string | null; metadata: Record<string, string> },
    idempotencyKey: string,
  ) {
    const a = await this.stripe.accounts.create(
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
    const link = await this.stripe.accountLinks.create({
      account: accountId,
      refresh_url: refreshUrl,
      return_url: returnUrl,
      type: "account_onboarding",
    });
    return { url: link.url, expiresAt: seconds(link.expires_at) };
  }

  async retrieveAccount(id: string) {
    try {
      const a = await this.stripe.accounts.retrieve(id);
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

  verifyWebhook(rawBody: string, header: string, secrets: string[], toleranceSec: number, now: Date): Stripe.Event {
    let last: unknown = new Error("no webhook secret configured");
    // receivedAt is in milliseconds: the SDK measures the timestamp's age against our clock.
    const receivedAt = now.getTime();
    for (const secret of secrets) {
      try {
        return this.stripe.webhooks.constructEvent(rawBody, header, secret, toleranceSec, undefined, receivedAt);
      } catch (error) {
        last = error;
      }
    }
    throw last;
  }
}
