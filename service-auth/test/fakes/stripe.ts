import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { publishableMayDo, routeClient } from "./stripe-client.ts";
import {
  applicationFeeError,
  chargeSucceeded,
  closeDispute,
  openDispute,
  routeRefundsAndDisputes,
} from "./stripe-refunds.ts";

type Json = Record<string, unknown>;

/** Parses Stripe's form encoding (`items[0][price]=x&metadata[k]=v`) into nested objects/arrays. */
export function parseStripeForm(body: string): Json {
  const root: Json = {};
  for (const pair of body.split("&").filter(Boolean)) {
    const [rawKey, rawValue = ""] = pair.split("=");
    const key = decodeURIComponent((rawKey ?? "").replace(/\+/g, " "));
    const value = decodeURIComponent(rawValue.replace(/\+/g, " "));
    const path = key.split(/\[|\]\[|\]/).filter((p) => p !== "");
    let node: Json | unknown[] = root;
    path.forEach((segment, i) => {
      const last = i === path.length - 1;
      const next = path[i + 1];
      const container = node as Record<string, unknown>;
      if (last) container[segment] = value;
      else {
        container[segment] ??= next !== undefined && /^\d+$/.test(next) ? [] : {};
        node = container[segment] as Json;
      }
    });
  }
  return root;
}

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString("hex")}`;

interface Card {
  brand: string;
  last4: string;
  /**
   * A decline code makes every charge on this card fail with it. `authentication_required` is the
   * SCA case: off-session confirmations fail, on-session ones ask for 3-D Secure (requires_action).
   */
  decline: string | null;
}

/** A recurring price as tests register it (`fake.prices.set("price_pro", {...})`). */
export interface FakePrice {
  unit_amount: number;
  currency: string;
  recurring: { interval: "month" | "year"; interval_count?: number };
}

/** The expansions of a subscription the peer knows (others are refused, like Stripe does). */
const SUBSCRIPTION_EXPANSIONS = new Set([
  "latest_invoice",
  "latest_invoice.confirmation_secret",
  "latest_invoice.payments",
  "latest_invoice.payments.data.payment.payment_intent",
]);
/** Stripe leaves an `incomplete` subscription this long for its first payment. */
const INCOMPLETE_WINDOW_SEC = 23 * 3_600;
const PERIOD_SEC = 30 * 86_400;

/**
 * Decline codes whose API error `code` is the decline itself rather than `card_declined`.
 * https://docs.stripe.com/error-codes (expired_card, incorrect_cvc, processing_error, incorrect_number)
 */
const OWN_ERROR_CODES = new Set(["expired_card", "incorrect_cvc", "processing_error", "incorrect_number"]);

/** An `invalid_request_error` answer (400 unless said otherwise). https://docs.stripe.com/api/errors */
const invalid = (message: string, extra: Json = {}, status = 400): [number, Json] => [
  status,
  { error: { type: "invalid_request_error", message, ...extra } },
];

/** Seconds an idempotency key is kept: "at least 24 hours old" keys are pruned. https://docs.stripe.com/api/idempotent_requests */
const IDEMPOTENCY_TTL_SEC = 24 * 3600;

/**
 * A local peer speaking the part of Stripe's HTTP API that Atlas uses, so the official SDK runs
 * for real (form encoding, auth, idempotency keys, error objects). Like Stripe, a repeated
 * `Idempotency-Key` replays the first response instead of acting twice.
 */
export class FakeStripe {
  /** The publishable key (Stripe.js's, in the browser) the peer accepts with a client secret. */
  static readonly publishableKey = "pk_test_atlaspeer";
  /** Every request: "METHOD /path". */
  readonly requests: string[] = [];
  readonly customers = new Map<string, Json>();
  readonly paymentMethods = new Map<string, Json & { customer: string | null }>();
  readonly cards = new Map<string, Card>();
  readonly setupIntents = new Map<string, Json>();
  readonly subscriptions = new Map<string, Json>();
  readonly paymentIntents = new Map<string, Json>();
  readonly accounts = new Map<string, Json>();
  readonly charges = new Map<string, Json>();
  readonly refunds = new Map<string, Json>();
  readonly disputes = new Map<string, Json>();
  /** Connect destination-charge side effects: transfers to connected accounts and platform fees. */
  readonly transfers = new Map<string, Json>();
  readonly applicationFees = new Map<string, Json>();
  /** Webhook events the peer produced (refunds, disputes), in order; tests deliver them. */
  readonly sentEvents: Json[] = [];
  /** Parameters of each subscription update, for proration assertions. */
  readonly subscriptionUpdates: Json[] = [];
  /** Parameters of each immediate cancellation (`invoice_now`, `prorate`). */
  readonly subscriptionCancellations: Json[] = [];
  /** The account's price catalogue (like Stripe's, it outlives `reset()`): register before subscribing. */
  readonly prices = new Map<string, FakePrice>();
  readonly invoices = new Map<string, Json>();
  /** Events the peer would have sent (subscriptions, invoices, PaymentIntents), oldest first. */
  readonly events: Json[] = [];
  /** Which PaymentIntent collects which invoice (the API shows it through `invoice.payments`). */
  private readonly invoicePaymentIntents = new Map<string, string>();
  /** Idempotency keys of requests being carried out now. */
  private readonly inFlight = new Set<string>();
  private readonly idempotent = new Map<
    string,
    { status: number; body: string; endpoint: string; params: string; createdSec: number }
  >();
  /** Unix seconds the fake uses for `created` and periods; tests may move it. */
  nowSec = Math.floor(Date.parse("2026-01-15T12:00:00Z") / 1000);
  /** Set to make the next requests fail with this status (provider outage). */
  failWith: number | null = null;
  /** Milliseconds every answer is held back (slow provider). */
  delayMs = 0;
  /** Called after a PaymentIntent was created and before the answer is sent (crash tests). */
  onPaymentIntentCreated: (() => void) | null = null;
  /** Payment methods that were detached: Stripe never lets them be used or attached again. */
  readonly detached = new Set<string>();
  /** Statuses to answer `failWith` only for matching requests ("METHOD /path" prefix), e.g. one poisoned call. */
  failWhen: ((request: string, params: Json) => number | null) | null = null;
  /** "METHOD /path" whose requests are carried out but whose answers are lost (connection reset). */
  dropAnswersTo: string | null = null;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeStripe> {
    let fake: FakeStripe | undefined;
    const server = createServer((req, res) => void fake?.handle(req, res));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    fake = new FakeStripe(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return fake;
  }

  count(request: string): number {
    return this.requests.filter((r) => r === request).length;
  }

  /** What Stripe Elements does after confirming a SetupIntent: a card attached to the customer. */
  attachCard(customer: string, card: Partial<Card> = {}): string {
    const pmId = id("pm");
    const c: Card = { brand: card.brand ?? "visa", last4: card.last4 ?? "4242", decline: card.decline ?? null };
    this.cards.set(pmId, c);
    this.paymentMethods.set(pmId, {
      id: pmId,
      object: "payment_method",
      type: "card",
      customer,
      card: { brand: c.brand, last4: c.last4, exp_month: 12, exp_year: 2030 },
      created: this.nowSec,
      livemode: false,
      metadata: {},
    });
    return pmId;
  }

  /**
   * What happens at the card's bank after it was attached: from now on every charge on it is
   * declined with `decline` (e.g. insufficient_funds), or, with null, goes through again.
   */
  setCardDecline(pmId: string, decline: string | null): void {
    const card = this.cards.get(pmId);
    if (!card) throw new Error(`no card ${pmId}`);
    card.decline = decline;
  }

  /** Stripe's side of finishing Connect onboarding. */
  completeOnboarding(accountId: string): Json {
    const a = this.accounts.get(accountId) as Json;
    Object.assign(a, { charges_enabled: true, payouts_enabled: true, details_submitted: true });
    return a;
  }

  /** The cardholder disputes a charge: funds withdrawn at once (see stripe-refunds.ts). */
  dispute(chargeId: string, amount: number, reason = "fraudulent"): Json {
    return openDispute(this, chargeId, amount, reason);
  }

  /** The bank decides a dispute: won (funds reinstated) or lost. */
  closeDispute(disputeId: string, outcome: "won" | "lost"): Json {
    return closeDispute(this, disputeId, outcome);
  }

  /** The events the peer produced since the last call (what Stripe would deliver), oldest first. */
  takeEvents(): Json[] {
    return this.sentEvents.splice(0);
  }

  /** A Stripe event envelope around an object, as webhooks deliver it. */
  event(type: string, object: Json, createdSec = this.nowSec): Json {
    return {
      id: id("evt"),
      object: "event",
      api_version: "2026-10-28.endive",
      created: createdSec,
      data: { object },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    };
  }

  reset(): void {
    for (const m of [
      this.customers,
      this.paymentMethods,
      this.cards,
      this.setupIntents,
      this.subscriptions,
      this.paymentIntents,
      this.accounts,
      this.idempotent,
      this.charges,
      this.refunds,
      this.disputes,
      this.transfers,
      this.applicationFees,
      this.invoices,
      this.invoicePaymentIntents,
    ])
      m.clear();
    this.sentEvents.length = 0;
    this.events.length = 0;
    this.requests.length = 0;
    this.subscriptionUpdates.length = 0;
    this.subscriptionCancellations.length = 0;
    this.failWith = null;
    this.delayMs = 0;
    this.onPaymentIntentCreated = null;
    this.detached.clear();
    this.failWhen = null;
    this.dropAnswersTo = null;
  }

  /**
   * What a cardholder does in the 3-D Secure window of an on-session payment: the PaymentIntent
   * in `requires_action` succeeds, or (`ok` false) fails authentication and asks for another
   * payment method. https://docs.stripe.com/payments/3d-secure
   */
  completeAuthentication(piId: string, ok = true): Json {
    const pi = this.paymentIntents.get(piId) as Json;
    if (pi.status !== "requires_action") throw new Error(`PaymentIntent ${piId} is ${String(pi.status)}`);
    if (ok) {
      Object.assign(pi, { status: "succeeded", next_action: null, last_payment_error: null });
      chargeSucceeded(this, pi);
      this.paymentSucceeded(pi);
    } else
      Object.assign(pi, {
        status: "requires_payment_method",
        next_action: null,
        payment_method: null,
        last_payment_error: {
          type: "invalid_request_error",
          code: "payment_intent_authentication_failure",
          message: "The provided PaymentMethod has failed authentication.",
        },
      });
    return pi;
  }

  /** What Stripe Elements does when the customer confirms a SetupIntent with a card: attached, succeeded. */
  confirmSetupIntent(setupIntentId: string, card: Partial<Card> = {}): string {
    const si = this.setupIntents.get(setupIntentId) as Json;
    const pm = this.attachCard(String(si.customer), card);
    Object.assign(si, { status: "succeeded", payment_method: pm });
    return pm;
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const url = new URL(req.url ?? "/", "http://stripe.test");
    const method = req.method ?? "GET";
    // Query parameters (GET, and DELETE as the SDK sends them) use the same encoding as bodies
    // (e.g. `expand[0]=latest_invoice`).
    const params = { ...parseStripeForm(url.search.slice(1)), ...parseStripeForm(raw) };
    this.requests.push(`${method} ${url.pathname}`);
    const key = req.headers["idempotency-key"];
    const flightKey = typeof key === "string" && method === "POST" ? key : null;
    let holdsKey = false;
    const send = (status: number, body: string) => {
      if (holdsKey && flightKey) this.inFlight.delete(flightKey);
      if (this.dropAnswersTo === `${method} ${url.pathname}`) return void req.socket.destroy();
      // Stripe.js calls the API from the customer's browser: any origin may read the answers.
      res.writeHead(status, {
        "content-type": "application/json",
        "request-id": id("req"),
        "access-control-allow-origin": "*",
      });
      res.end(body);
    };
    // Time-driven transitions (incomplete_expired, trial ends) happen whenever anyone looks.
    this.advance(0);
    if (req.headers.authorization !== "Bearer sk_test_atlas") {
      // A publishable key may only act on a PaymentIntent through its client secret (Stripe.js
      // confirming on-session). https://docs.stripe.com/keys, https://docs.stripe.com/api/payment_intents/object#payment_intent_object-client_secret
      // So may it create a card PaymentMethod and confirm a SetupIntent (stripe-client.ts).
      const publishable =
        req.headers.authorization === `Bearer ${FakeStripe.publishableKey}` || params.key === FakeStripe.publishableKey;
      if (!publishable || !publishableMayDo(this, method, url.pathname, params)) {
        return send(401, JSON.stringify({ error: { type: "invalid_request_error", message: "Invalid API Key" } }));
      }
    }
    // Stripe refuses a second request while one with the same key is still running; nothing is
    // stored for it. https://docs.stripe.com/api/idempotent_requests,
    // https://docs.stripe.com/error-codes#idempotency-key-in-use
    if (flightKey && this.inFlight.has(flightKey)) {
      return send(
        409,
        JSON.stringify({
          error: {
            type: "invalid_request_error",
            code: "idempotency_key_in_use",
            message:
              "There is currently another in-progress request using this Idempotency Key (that probably means you submitted twice, and the other request is still going through). Please try again later.",
          },
        }),
      );
    }
    if (flightKey) {
      this.inFlight.add(flightKey);
      holdsKey = true;
    }
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    const failure = this.failWith ?? this.failWhen?.(`${method} ${url.pathname}`, params) ?? null;
    if (failure) {
      return send(failure, JSON.stringify({ error: { type: "api_error", message: "fake outage" } }));
    }
    // Idempotency keys belong to the account, not to a path; they are pruned once 24 hours old;
    // a reused key must come with the same endpoint and parameters or it is an idempotency_error.
    // https://docs.stripe.com/api/idempotent_requests
    const replayKey = typeof key === "string" && method === "POST" ? key : null;
    const endpoint = `${method} ${url.pathname}`;
    const sameParams = JSON.stringify(params);
    let stored = replayKey ? this.idempotent.get(replayKey) : undefined;
    if (stored && this.nowSec - stored.createdSec >= IDEMPOTENCY_TTL_SEC) {
      this.idempotent.delete(replayKey as string);
      stored = undefined;
    }
    if (stored && (stored.endpoint !== endpoint || stored.params !== sameParams)) {
      const message =
        stored.endpoint !== endpoint
          ? `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${stored.endpoint}' vs '${endpoint}').`
          : `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${replayKey}' if you meant to execute a different request.`;
      return send(400, JSON.stringify({ error: { type: "idempotency_error", message } }));
    }
    if (stored) return send(stored.status, stored.body);
    const [status, body] = this.route(
      method,
      url.pathname,
      params,
      req.headers.authorization !== "Bearer sk_test_atlas",
    );
    const text = JSON.stringify(body);
    // Stripe stores the outcome of an idempotent request, errors (4xx) included.
    if (replayKey && status < 500) {
      this.idempotent.set(replayKey, { status, body: text, endpoint, params: sameParams, createdSec: this.nowSec });
    }
    if (method === "POST" && url.pathname === "/v1/payment_intents") this.onPaymentIntentCreated?.();
    send(status, text);
  }

  private notFound(what: string): [number, Json] {
    return [404, { error: { type: "invalid_request_error", code: "resource_missing", message: `No such ${what}` } }];
  }

  private route(method: string, path: string, p: Json, publishable = false): [number, Json] {
    const parts = path.split("/").filter(Boolean).slice(1); // drop "v1"
    const [resource, objectId, action] = parts;
    // Before the switch: `/v1/payment_intents/search` would otherwise read as a PaymentIntent id.
    if (method === "GET" && path === "/v1/payment_intents/search") return this.searchPaymentIntents(p);
    const client = routeClient(this, method, path, p, publishable);
    if (client) return client;
    switch (`${method} ${resource}${objectId ? "/:id" : ""}${action ? `/${action}` : ""}`) {
      case "POST customers": {
        const c = { id: id("cus"), object: "customer", email: p.email ?? null, metadata: p.metadata ?? {} };
        this.customers.set(c.id, { ...c, invoice_settings: { default_payment_method: null } });
        return [200, this.customers.get(c.id) as Json];
      }
      case "POST customers/:id": {
        const c = this.customers.get(objectId as string);
        if (!c) return this.notFound("customer");
        const settings = p.invoice_settings as Json | undefined;
        const wanted = settings?.default_payment_method ? String(settings.default_payment_method) : null;
        // The default must be a payment method attached to this customer.
        // https://docs.stripe.com/api/customers/update#update_customer-invoice_settings-default_payment_method
        if (wanted && this.paymentMethods.get(wanted)?.customer !== objectId) {
          return invalid(`No such PaymentMethod: '${wanted}'`, {
            code: "resource_missing",
            param: "invoice_settings[default_payment_method]",
          });
        }
        if (settings !== undefined) c.invoice_settings = { default_payment_method: wanted };
        return [200, c];
      }
      case "GET customers/:id": {
        const c = this.customers.get(objectId as string);
        return c ? [200, c] : this.notFound("customer");
      }
      case "GET customers/:id/payment_methods": {
        if (!this.customers.has(objectId as string)) return this.notFound("customer");
        const data = [...this.paymentMethods.values()].filter((pm) => pm.customer === objectId);
        return [200, { object: "list", data, has_more: false, url: path }];
      }
      case "POST setup_intents": {
        const si = { id: id("seti"), object: "setup_intent", customer: p.customer, status: "requires_payment_method" };
        this.setupIntents.set(si.id, { ...si, client_secret: `${si.id}_secret_${randomBytes(8).toString("hex")}` });
        return [200, this.setupIntents.get(si.id) as Json];
      }
      case "GET payment_methods/:id": {
        const pm = this.paymentMethods.get(objectId as string);
        return pm ? [200, pm] : this.notFound("payment_method");
      }
      case "POST payment_methods/:id/detach": {
        const pm = this.paymentMethods.get(objectId as string);
        if (!pm) return this.notFound("payment_method");
        if (!pm.customer) {
          return invalid("The payment method you provided is not attached to a customer so detachment is impossible.");
        }
        // A detached payment method can no longer be used for payments nor attached again, so it
        // stops being the customer's default. https://docs.stripe.com/api/payment_methods/detach
        const owner = this.customers.get(pm.customer);
        const settings = owner?.invoice_settings as Json | undefined;
        if (settings && settings.default_payment_method === pm.id) settings.default_payment_method = null;
        pm.customer = null;
        this.detached.add(pm.id as string);
        return [200, pm];
      }
      case "POST payment_methods/:id/attach": {
        // https://docs.stripe.com/api/payment_methods/attach
        const pm = this.paymentMethods.get(objectId as string);
        if (!pm) return this.notFound("payment_method");
        if (!this.customers.has(String(p.customer))) return this.notFound("customer");
        if (this.detached.has(pm.id as string) || (pm.customer && pm.customer !== p.customer)) {
          return invalid(
            "This PaymentMethod was previously used without being attached to a Customer or was detached from a Customer, and may not be used again.",
          );
        }
        pm.customer = String(p.customer);
        return [200, pm];
      }
      case "POST subscriptions":
        return this.createSubscription(p);
      case "GET subscriptions/:id": {
        const sub = this.subscriptions.get(objectId as string);
        return sub ? this.expandSubscription(sub, p) : this.notFound("subscription");
      }
      case "POST subscriptions/:id": {
        const sub = this.subscriptions.get(objectId as string);
        if (!sub) return this.notFound("subscription");
        const ended = this.refuseEnded(sub);
        if (ended) return ended;
        this.subscriptionUpdates.push({ id: objectId, ...p });
        if (p.cancel_at_period_end !== undefined) sub.cancel_at_period_end = p.cancel_at_period_end === "true";
        const items = p.items as Json[] | undefined;
        // https://docs.stripe.com/api/subscriptions/update: an unknown price is resource_missing.
        if (items?.[0] && this.prices.size > 0 && !this.prices.has(String(items[0].price))) {
          return this.missingPrice(String(items[0].price), "items[0][price]");
        }
        if (items?.[0]) {
          const current = (sub.items as { data: Json[] }).data[0] as Json;
          current.price = { id: String(items[0].price), object: "price", ...this.prices.get(String(items[0].price)) };
        }
        return [200, sub];
      }
      case "DELETE subscriptions/:id":
        return this.cancelSubscription(objectId as string, p);
      case "GET invoices/:id": {
        const invoice = this.invoices.get(objectId as string);
        return invoice
          ? [200, this.expandInvoice(invoice, p.expand as string[] | undefined)]
          : this.notFound("invoice");
      }
      case "POST payment_intents": {
        const feeError = applicationFeeError(this, p);
        if (feeError) return feeError;
        const piId = id("pi");
        const pi: Json = {
          id: piId,
          object: "payment_intent",
          amount: Number(p.amount),
          currency: p.currency,
          customer: p.customer,
          payment_method: p.payment_method ?? null,
          on_behalf_of: p.on_behalf_of ?? null,
          transfer_data: p.transfer_data ?? null,
          application_fee_amount: p.application_fee_amount === undefined ? null : Number(p.application_fee_amount),
          latest_charge: null,
          metadata: p.metadata ?? {},
          // Without a payment method a new PaymentIntent waits for one.
          // https://docs.stripe.com/payments/paymentintents/lifecycle
          status: p.payment_method ? "requires_confirmation" : "requires_payment_method",
          client_secret: `${piId}_secret_${randomBytes(12).toString("hex")}`,
          last_payment_error: null,
          next_action: null,
          canceled_at: null,
          cancellation_reason: null,
          created: this.nowSec,
        };
        this.paymentIntents.set(pi.id as string, pi);
        return p.confirm === "true" ? this.confirm(pi, p) : [200, pi];
      }
      case "GET payment_intents": {
        // https://docs.stripe.com/api/payment_intents/list
        const data = [...this.paymentIntents.values()]
          .filter((pi) => !p.customer || pi.customer === p.customer)
          .sort((a, b) => Number(b.created) - Number(a.created));
        return [200, { object: "list", data, has_more: false, url: path }];
      }
      case "POST payment_intents/:id/confirm": {
        const pi = this.paymentIntents.get(objectId as string);
        return pi ? this.confirm(pi, p) : this.notFound("payment_intent");
      }
      case "GET payment_intents/:id": {
        const pi = this.paymentIntents.get(objectId as string);
        return pi ? [200, pi] : this.notFound("payment_intent");
      }
      case "POST payment_intents/:id/cancel": {
        const pi = this.paymentIntents.get(objectId as string);
        return pi ? this.cancelPaymentIntent(pi, p) : this.notFound("payment_intent");
      }
      case "POST accounts": {
        const a: Json = {
          id: id("acct"),
          object: "account",
          type: p.type,
          email: p.email ?? null,
          metadata: p.metadata ?? {},
          charges_enabled: false,
          payouts_enabled: false,
          details_submitted: false,
        };
        this.accounts.set(a.id as string, a);
        return [200, a];
      }
      case "GET accounts/:id": {
        const a = this.accounts.get(objectId as string);
        return a ? [200, a] : this.notFound("account");
      }
      case "POST account_links": {
        if (!this.accounts.has(String(p.account))) return this.notFound("account");
        return [
          200,
          {
            object: "account_link",
            url: `https://connect.stripe.test/setup/${String(p.account)}`,
            created: this.nowSec,
            expires_at: this.nowSec + 300,
          },
        ];
      }
      // Charges, refunds and disputes: stripe-refunds.ts.
      case "POST refunds":
      case "GET refunds":
      case "GET refunds/:id":
      case "GET charges/:id":
      case "GET disputes/:id":
        return routeRefundsAndDisputes(this, method, resource, objectId, p) as [number, Json];
      default:
        return [
          404,
          { error: { type: "invalid_request_error", message: `Unrecognized request URL (${method} ${path})` } },
        ];
    }
  }

  /**
   * `GET /v1/payment_intents/search`, for the one query Atlas makes: `metadata['key']:'value'`
   * clauses joined by AND. https://docs.stripe.com/api/payment_intents/search
   */
  private searchPaymentIntents(p: Json): [number, Json] {
    const query = String(p.query ?? "");
    const clauses = query.split(" AND ");
    const wanted: [string, string][] = [];
    for (const clause of clauses) {
      // Search query language: `metadata['key']:'value'`, quotes inside a value escaped with `\`.
      // https://docs.stripe.com/search#search-query-language
      const m = /^metadata\['([^']+)'\]:'((?:[^'\\]|\\.)*)'$/.exec(clause.trim());
      if (!m) {
        return [400, { error: { type: "invalid_request_error", message: `Unsupported search query: ${query}` } }];
      }
      wanted.push([m[1] as string, (m[2] as string).replace(/\\(.)/g, "$1")]);
    }
    // limit: 1..100, default 10. https://docs.stripe.com/api/payment_intents/search
    const limit = p.limit === undefined ? 10 : Number(p.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      return [400, { error: { type: "invalid_request_error", param: "limit", message: "Invalid limit" } }];
    }
    // "Under normal operating conditions, data is searchable in less than a minute": a
    // PaymentIntent created within the last 60 s (the peer's clock) is not found yet.
    // https://docs.stripe.com/api/payment_intents/search
    const data = [...this.paymentIntents.values()]
      .filter((pi) => (pi.created as number) <= this.nowSec - 60)
      .filter((pi) => wanted.every(([k, v]) => (pi.metadata as Json | undefined)?.[k] === v))
      .slice(0, limit);
    return [
      200,
      { object: "search_result", url: "/v1/payment_intents/search", has_more: false, next_page: null, data },
    ];
  }

  /**
   * Confirms a PaymentIntent as Stripe does:
   * - only from requires_payment_method / requires_confirmation / requires_action; a succeeded
   *   or canceled one answers 400 payment_intent_unexpected_state
   *   (https://docs.stripe.com/error-codes#payment-intent-unexpected-state);
   * - the payment method is the one given now or set on the PaymentIntent: a PaymentIntent never
   *   falls back to the customer's invoice_settings.default_payment_method, which only invoices
   *   and subscriptions use (https://docs.stripe.com/api/customers/object#customer_object-invoice_settings-default_payment_method,
   *   https://docs.stripe.com/api/payment_intents/confirm); without one: 400;
   * - the payment method must be attached to the PaymentIntent's customer
   *   (https://docs.stripe.com/payments/save-and-reuse);
   * - a decline is a 402 card_error carrying the PaymentIntent, back in requires_payment_method
   *   with last_payment_error; final declines keep their own decline_code
   *   (https://docs.stripe.com/declines/codes);
   * - a card that needs authentication fails off-session with code authentication_required
   *   (PaymentIntent requires_payment_method), and on-session asks for 3-D Secure:
   *   requires_action (https://docs.stripe.com/payments/save-and-reuse#charge-saved-payment-method,
   *   https://docs.stripe.com/payments/3d-secure).
   */
  private confirm(pi: Json, p: Json): [number, Json] {
    if (!["requires_payment_method", "requires_confirmation", "requires_action"].includes(String(pi.status))) {
      const why =
        pi.status === "succeeded"
          ? "it has already succeeded after being previously confirmed"
          : `it has a status of ${String(pi.status)}`;
      return invalid(`You cannot confirm this PaymentIntent because ${why}.`, {
        code: "payment_intent_unexpected_state",
        payment_intent: pi,
      });
    }
    const pmId = (p.payment_method as string | undefined) ?? (pi.payment_method as string | null);
    if (!pmId) {
      return invalid(
        `You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the PaymentIntent with ${String(pi.customer)}, specify a payment method attached to this customer along with the customer ID.`,
        { code: "payment_intent_unexpected_state", payment_intent: pi },
      );
    }
    const pm = this.paymentMethods.get(pmId);
    if (!pm) return invalid(`No such PaymentMethod: '${pmId}'`, { code: "resource_missing", param: "payment_method" });
    if (pm.customer !== pi.customer) {
      return invalid(
        `The provided PaymentMethod ${pmId} is not attached to the customer ${String(pi.customer)}: attach it first, or use a payment method of that customer.`,
        { param: "payment_method", payment_intent: pi },
      );
    }
    pi.payment_method = pmId;
    const card = this.cards.get(pmId);
    const offSession = p.off_session === "true" || p.off_session === "one_off" || p.off_session === "recurring";
    if (card?.decline === "authentication_required" && !offSession) {
      Object.assign(pi, {
        status: "requires_action",
        next_action: { type: "use_stripe_sdk", use_stripe_sdk: { type: "three_d_secure_redirect" } },
        last_payment_error: null,
      });
      return [200, pi];
    }
    if (card && !card.decline) {
      Object.assign(pi, { status: "succeeded", last_payment_error: null, next_action: null });
      chargeSucceeded(this, pi);
      this.paymentSucceeded(pi);
      return [200, pi];
    }
    const decline = card?.decline ?? "generic_decline";
    const code =
      decline === "authentication_required"
        ? "authentication_required"
        : OWN_ERROR_CODES.has(decline)
          ? decline
          : "card_declined";
    const error = {
      type: "card_error",
      code,
      decline_code: decline,
      message: "Your card was declined.",
      payment_method: pm,
    };
    Object.assign(pi, { status: "requires_payment_method", payment_method: null, last_payment_error: error });
    return [402, { error: { ...error, payment_intent: pi } }];
  }

  // ─────────────── subscriptions, their invoices and the clock (b-subs) ───────────────

  /** Moves the peer's clock and applies what time does at Stripe (expiry, trial ends). */
  advance(sec: number): void {
    this.nowSec += sec;
    for (const sub of this.subscriptions.values()) {
      // https://docs.stripe.com/billing/subscriptions/overview#subscription-statuses: an
      // `incomplete` subscription whose first invoice is not paid within 23 hours becomes
      // `incomplete_expired` (terminal); its open invoice is voided.
      if (sub.status === "incomplete" && this.nowSec >= Number(sub.created) + INCOMPLETE_WINDOW_SEC) {
        this.expireIncomplete(sub);
      }
      // https://docs.stripe.com/billing/subscriptions/trials: at trial end the first real
      // invoice is created and charged to the default payment method.
      if (sub.status === "trialing" && this.nowSec >= Number(sub.trial_end)) this.endTrial(sub);
      // https://docs.stripe.com/billing/subscriptions/overview#subscription-lifecycle: at each
      // period's end an active (or past_due) subscription renews (a `subscription_cycle` invoice
      // charged to the default payment method), or ends if it was set to cancel at period end
      // (https://docs.stripe.com/billing/subscriptions/cancel#cancel-at-end-of-cycle). (b-year)
      while (
        (sub.status === "active" || sub.status === "past_due") &&
        this.nowSec >= Number(((sub.items as { data: Json[] }).data[0] as Json).current_period_end)
      ) {
        this.renew(sub);
      }
    }
  }

  /** One renewal of a subscription at its period's end (see advance). */
  private renew(sub: Json): void {
    const item = (sub.items as { data: Json[] }).data[0] as Json;
    const start = Number(item.current_period_end);
    if (sub.cancel_at_period_end === true) {
      const previous = { status: sub.status };
      Object.assign(sub, { status: "canceled", canceled_at: start, ended_at: start });
      this.emit("customer.subscription.deleted", sub, previous);
      return;
    }
    const price = item.price as Json & FakePrice;
    Object.assign(item, { current_period_start: start, current_period_end: start + PERIOD_SEC });
    const invoice = this.newInvoice(sub, price.unit_amount, price.currency, "subscription_cycle", [
      start,
      start + PERIOD_SEC,
    ]);
    this.emit("customer.subscription.updated", sub, { current_period_start: start - PERIOD_SEC });
    if (invoice.status !== "open") return;
    const pi = this.paymentIntents.get(this.invoicePaymentIntents.get(invoice.id as string) as string) as Json;
    const pm = this.defaultPaymentMethodOf(sub);
    const [status] = this.confirm(pi, pm ? { payment_method: pm, off_session: "true" } : { off_session: "true" });
    if (status === 200 && pi.status === "succeeded") return;
    invoice.attempted = true;
    invoice.attempt_count = Number(invoice.attempt_count) + 1;
    this.emit("invoice.payment_failed", invoice);
    if (sub.status !== "past_due") {
      sub.status = "past_due";
      this.emit("customer.subscription.updated", sub, { status: "active" });
    }
  }

  private emit(type: string, object: Json, previous?: Json): void {
    const event = this.event(type, JSON.parse(JSON.stringify(object)) as Json);
    if (previous) (event.data as Json).previous_attributes = previous;
    this.events.push(event);
  }

  private missingPrice(priceId: string, param: string): [number, Json] {
    // https://docs.stripe.com/error-codes#resource-missing
    return invalid(`No such price: '${priceId}'`, { code: "resource_missing", param });
  }

  /** https://docs.stripe.com/api/subscriptions/cancel: a canceled subscription cannot be updated. */
  private refuseEnded(sub: Json): [number, Json] | null {
    if (sub.status !== "canceled" && sub.status !== "incomplete_expired") return null;
    return invalid(`A canceled subscription can only update its cancellation_details and metadata.`);
  }

  /** https://docs.stripe.com/api/subscriptions/create */
  private createSubscription(p: Json): [number, Json] {
    const customer = this.customers.get(String(p.customer));
    if (!customer)
      return invalid(`No such customer: '${String(p.customer)}'`, { code: "resource_missing", param: "customer" });
    const items = (p.items as Json[] | undefined) ?? [];
    if (items.length !== 1) return invalid("This peer supports subscriptions of exactly one item", { param: "items" });
    const priceId = String((items[0] as Json).price);
    const price = this.prices.get(priceId);
    if (!price) return this.missingPrice(priceId, "items[0][price]");
    // https://docs.stripe.com/api/subscriptions/create#create_subscription-payment_behavior
    const behavior = String(p.payment_behavior ?? "allow_incomplete");
    if (!["allow_incomplete", "default_incomplete", "error_if_incomplete"].includes(behavior)) {
      return invalid(`Invalid payment_behavior: ${behavior}`, { param: "payment_behavior" });
    }
    // https://docs.stripe.com/api/subscriptions/create#create_subscription-trial_period_days
    let trialEnd: number | null = null;
    if (p.trial_period_days !== undefined) {
      const days = Number(p.trial_period_days);
      if (!Number.isInteger(days) || days < 0 || days > 730) {
        return invalid("trial_period_days must be an integer from 0 to 730", { param: "trial_period_days" });
      }
      if (days > 0) trialEnd = this.nowSec + days * 86_400;
    }
    if (p.trial_end !== undefined && p.trial_end !== "now") {
      const end = Number(p.trial_end);
      if (!Number.isInteger(end) || end <= this.nowSec) {
        return invalid("trial_end must be a timestamp in the future", { param: "trial_end" });
      }
      trialEnd = end;
    }
    const periodEnd = trialEnd ?? this.nowSec + PERIOD_SEC;
    const sub: Json = {
      id: id("sub"),
      object: "subscription",
      customer: customer.id,
      status: trialEnd ? "trialing" : "incomplete",
      created: this.nowSec,
      start_date: this.nowSec,
      billing_cycle_anchor: periodEnd,
      collection_method: "charge_automatically",
      cancel_at_period_end: false,
      canceled_at: null,
      ended_at: null,
      trial_start: trialEnd ? this.nowSec : null,
      trial_end: trialEnd,
      default_payment_method: null,
      metadata: p.metadata ?? {},
      items: {
        object: "list",
        data: [
          {
            id: id("si"),
            object: "subscription_item",
            price: { id: priceId, object: "price", ...price },
            quantity: 1,
            current_period_start: this.nowSec,
            current_period_end: periodEnd,
          },
        ],
      },
      latest_invoice: null,
    };
    this.subscriptions.set(sub.id as string, sub);
    // A trial's first invoice is of 0 and paid; otherwise the first period is invoiced now.
    const invoice = this.newInvoice(sub, trialEnd ? 0 : price.unit_amount, price.currency, "subscription_create", [
      this.nowSec,
      periodEnd,
    ]);
    this.emit("customer.subscription.created", sub);
    if (invoice.status === "open" && behavior !== "default_incomplete") {
      // allow_incomplete / error_if_incomplete: Stripe attempts the payment at once.
      const pi = this.paymentIntents.get(this.invoicePaymentIntents.get(invoice.id as string) as string) as Json;
      const pm = this.defaultPaymentMethodOf(sub);
      const [status, body] = this.confirm(pi, pm ? { payment_method: pm } : {});
      if (status !== 200 && behavior === "error_if_incomplete") {
        this.subscriptions.delete(sub.id as string);
        return [status, body];
      }
    }
    return this.expandSubscription(sub, p);
  }

  private defaultPaymentMethodOf(sub: Json): string | null {
    const customer = this.customers.get(String(sub.customer));
    return (
      (sub.default_payment_method as string | null) ??
      ((customer?.invoice_settings as Json | undefined)?.default_payment_method as string | null) ??
      null
    );
  }

  /**
   * A finalized invoice of the subscription; one of more than 0 gets its PaymentIntent, which
   * `payment_behavior=default_incomplete` leaves for the customer to confirm
   * (https://docs.stripe.com/billing/subscriptions/build-subscriptions#create-subscription).
   */
  private newInvoice(sub: Json, amount: number, currency: string, reason: string, period: [number, number]): Json {
    const invoice: Json = {
      id: id("in"),
      object: "invoice",
      customer: sub.customer,
      status: amount === 0 ? "paid" : "open",
      currency,
      amount_due: amount,
      amount_paid: 0,
      amount_remaining: amount,
      subtotal: amount,
      total: amount,
      billing_reason: reason,
      collection_method: "charge_automatically",
      auto_advance: amount > 0,
      attempt_count: 0,
      attempted: false,
      created: this.nowSec,
      period_start: period[0],
      period_end: period[1],
      // https://docs.stripe.com/changelog/basil/2025-03-31/adds-new-parent-field-to-invoicing-objects
      parent: {
        type: "subscription_details",
        subscription_details: { subscription: sub.id, metadata: sub.metadata },
      },
      status_transitions: { finalized_at: this.nowSec, paid_at: amount === 0 ? this.nowSec : null, voided_at: null },
      metadata: {},
    };
    this.invoices.set(invoice.id as string, invoice);
    sub.latest_invoice = invoice.id;
    this.emit("invoice.finalized", invoice);
    if (amount === 0) {
      this.emit("invoice.paid", invoice);
      return invoice;
    }
    const pm = this.defaultPaymentMethodOf(sub);
    const pi: Json = {
      id: id("pi"),
      object: "payment_intent",
      amount,
      currency,
      customer: sub.customer,
      payment_method: pm,
      on_behalf_of: null,
      transfer_data: null,
      metadata: {},
      status: pm ? "requires_confirmation" : "requires_payment_method",
      last_payment_error: null,
      created: this.nowSec,
    };
    pi.client_secret = `${pi.id as string}_secret_${randomBytes(12).toString("hex")}`;
    this.paymentIntents.set(pi.id as string, pi);
    this.invoicePaymentIntents.set(invoice.id as string, pi.id as string);
    return invoice;
  }

  /** A PaymentIntent succeeded: its invoice is paid, its subscription active. */
  private paymentSucceeded(pi: Json): void {
    this.emit("payment_intent.succeeded", pi);
    const invoiceId = [...this.invoicePaymentIntents].find(([, piId]) => piId === pi.id)?.[0];
    const invoice = invoiceId ? this.invoices.get(invoiceId) : undefined;
    if (invoice?.status !== "open") return;
    Object.assign(invoice, {
      status: "paid",
      amount_paid: invoice.amount_due,
      amount_remaining: 0,
      attempted: true,
      attempt_count: Number(invoice.attempt_count) + 1,
    });
    (invoice.status_transitions as Json).paid_at = this.nowSec;
    this.emit("invoice.paid", invoice);
    const subId = ((invoice.parent as Json).subscription_details as Json).subscription as string;
    const sub = this.subscriptions.get(subId);
    // https://docs.stripe.com/billing/subscriptions/overview#subscription-statuses: paying the
    // first invoice makes an incomplete subscription active; paying the open one, a past_due one.
    if (sub && (sub.status === "incomplete" || sub.status === "past_due")) {
      const previous = { status: sub.status };
      sub.status = "active";
      this.emit("customer.subscription.updated", sub, previous);
    }
  }

  private expireIncomplete(sub: Json): void {
    const invoice = this.invoices.get(String(sub.latest_invoice));
    if (invoice?.status === "open") {
      invoice.status = "void";
      (invoice.status_transitions as Json).voided_at = this.nowSec;
      const pi = this.paymentIntents.get(this.invoicePaymentIntents.get(invoice.id as string) ?? "");
      if (pi && pi.status !== "succeeded") Object.assign(pi, { status: "canceled", canceled_at: this.nowSec });
      this.emit("invoice.voided", invoice);
    }
    Object.assign(sub, { status: "incomplete_expired", ended_at: this.nowSec });
    this.emit("customer.subscription.updated", sub, { status: "incomplete" });
  }

  private endTrial(sub: Json): void {
    const item = (sub.items as { data: Json[] }).data[0] as Json;
    const price = item.price as Json & FakePrice;
    const start = Number(sub.trial_end);
    Object.assign(item, { current_period_start: start, current_period_end: start + PERIOD_SEC });
    const invoice = this.newInvoice(sub, price.unit_amount, price.currency, "subscription_cycle", [
      start,
      start + PERIOD_SEC,
    ]);
    if (invoice.status === "paid") {
      sub.status = "active";
      this.emit("customer.subscription.updated", sub, { status: "trialing" });
      return;
    }
    const pi = this.paymentIntents.get(this.invoicePaymentIntents.get(invoice.id as string) as string) as Json;
    const pm = this.defaultPaymentMethodOf(sub);
    // Off-session, on the default payment method; a failure leaves the invoice open (past_due).
    const [status] = this.confirm(pi, pm ? { payment_method: pm, off_session: "true" } : { off_session: "true" });
    if (status === 200 && pi.status === "succeeded") {
      if (sub.status === "trialing") {
        sub.status = "active";
        this.emit("customer.subscription.updated", sub, { status: "trialing" });
      }
      return;
    }
    invoice.attempted = true;
    invoice.attempt_count = Number(invoice.attempt_count) + 1;
    this.emit("invoice.payment_failed", invoice);
    sub.status = "past_due";
    this.emit("customer.subscription.updated", sub, { status: "trialing" });
  }

  /**
   * https://docs.stripe.com/api/subscriptions/cancel: ends the subscription now. `invoice_now`
   * and `prorate` are booleans; an incomplete subscription's open first invoice is voided, and
   * Stripe stops collecting the customer's finalized invoices.
   */
  private cancelSubscription(subId: string, p: Json): [number, Json] {
    const sub = this.subscriptions.get(subId);
    if (!sub) return this.notFound("subscription");
    for (const flag of ["invoice_now", "prorate"]) {
      if (p[flag] !== undefined && p[flag] !== "true" && p[flag] !== "false") {
        return invalid(`Invalid boolean: ${String(p[flag])}`, { param: flag });
      }
    }
    const ended = this.refuseEnded(sub);
    if (ended) return ended;
    this.subscriptionCancellations.push({ id: subId, invoice_now: p.invoice_now, prorate: p.prorate });
    for (const [invoiceId, piId] of this.invoicePaymentIntents) {
      const invoice = this.invoices.get(invoiceId) as Json;
      const ofThis = ((invoice.parent as Json).subscription_details as Json).subscription === subId;
      if (!ofThis || invoice.status !== "open") continue;
      invoice.auto_advance = false;
      if (sub.status === "incomplete") {
        invoice.status = "void";
        (invoice.status_transitions as Json).voided_at = this.nowSec;
        const pi = this.paymentIntents.get(piId);
        if (pi && pi.status !== "succeeded") Object.assign(pi, { status: "canceled", canceled_at: this.nowSec });
        this.emit("invoice.voided", invoice);
      }
    }
    const previous = { status: sub.status };
    Object.assign(sub, { status: "canceled", canceled_at: this.nowSec, ended_at: this.nowSec });
    this.emit("customer.subscription.deleted", sub, previous);
    return this.expandSubscription(sub, p);
  }

  /**
   * https://docs.stripe.com/api/payment_intents/cancel: only a PaymentIntent that has not
   * succeeded (or been canceled) can be canceled; one an invoice created is voided with its invoice.
   */
  private cancelPaymentIntent(pi: Json, p: Json): [number, Json] {
    const cancelable = [
      "requires_payment_method",
      "requires_capture",
      "requires_confirmation",
      "requires_action",
      "processing",
    ];
    if (!cancelable.includes(String(pi.status))) {
      return invalid(`You cannot cancel this PaymentIntent because it has a status of ${String(pi.status)}.`, {
        code: "payment_intent_unexpected_state",
      });
    }
    if ([...this.invoicePaymentIntents.values()].includes(pi.id as string)) {
      return invalid("This PaymentIntent is managed by an invoice: void the invoice instead.", {
        code: "payment_intent_unexpected_state",
        payment_intent: pi,
      });
    }
    Object.assign(pi, {
      status: "canceled",
      canceled_at: this.nowSec,
      cancellation_reason: p.cancellation_reason ?? null,
      next_action: null,
    });
    this.emit("payment_intent.canceled", pi);
    return [200, pi];
  }

  /** https://docs.stripe.com/expand: only expandable properties; anything else is refused. */
  private expandSubscription(sub: Json, p: Json): [number, Json] {
    const expand = Array.isArray(p.expand) ? (p.expand as string[]) : [];
    const unknown = expand.find((e) => !SUBSCRIPTION_EXPANSIONS.has(e));
    if (unknown) return invalid(`This property cannot be expanded (${unknown}).`, { param: "expand" });
    const out: Json = { ...sub };
    const invoice = sub.latest_invoice ? this.invoices.get(String(sub.latest_invoice)) : undefined;
    if (invoice && expand.length > 0) {
      out.latest_invoice = this.expandInvoice(
        invoice,
        expand.filter((e) => e.startsWith("latest_invoice.")).map((e) => e.slice("latest_invoice.".length)),
      );
    }
    return [200, out];
  }

  /**
   * The pinned API version (2026-10-28.endive) has no `invoice.payment_intent`: the client secret
   * is the includable `confirmation_secret`, the PaymentIntent is under the includable `payments`
   * (https://docs.stripe.com/changelog/basil/2025-03-31/add-support-for-multiple-partial-payments-on-invoices).
   */
  private expandInvoice(invoice: Json, expand: string[] = []): Json {
    const out: Json = { ...invoice };
    const pi = this.paymentIntents.get(this.invoicePaymentIntents.get(invoice.id as string) ?? "");
    if (expand.includes("confirmation_secret")) {
      out.confirmation_secret =
        pi && invoice.status === "open" ? { client_secret: pi.client_secret, type: "payment_intent" } : null;
    }
    if (expand.some((e) => e.startsWith("payments"))) {
      const full = expand.includes("payments.data.payment.payment_intent");
      out.payments = {
        object: "list",
        has_more: false,
        data: pi
          ? [
              {
                id: `inpay_${String(pi.id).slice(3)}`,
                object: "invoice_payment",
                invoice: invoice.id,
                is_default: true,
                status: invoice.status === "paid" ? "paid" : invoice.status === "void" ? "canceled" : "open",
                amount_requested: invoice.amount_due,
                amount_paid: invoice.status === "paid" ? invoice.amount_due : null,
                currency: invoice.currency,
                payment: { type: "payment_intent", payment_intent: full ? pi : pi.id },
              },
            ]
          : [],
      };
    }
    return out;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}
