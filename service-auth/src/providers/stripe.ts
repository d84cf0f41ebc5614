// StripeGateway (stripe-gateway.ts) on the official SDK.
import type Stripe from "stripe";
import { stripeSdk } from "./sdks.ts";
import {
  type StripeGateway,
  type StripePaymentIntentInfo,
  type StripeRefundInfo,
  type StripeRefundParams,
  StripeRefundRefused,
} from "./stripe-gateway.ts";
import {
  declined,
  disputeInfo,
  isMissing,
  LATEST_PAYMENT,
  paymentIntentInfo,
  paymentMethodInfo,
  refundInfo,
  sdkErrors,
  seconds,
  subscriptionInfo,
} from "./stripe-mapping.ts";

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

  async createPaymentIntent(params: Parameters<StripeGateway["createPaymentIntent"]>[0], idempotencyKey: string) {
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
