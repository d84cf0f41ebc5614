import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

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
  /** A decline code makes every charge on this card fail with it. */
  decline: string | null;
}

/**
 * A local peer speaking the part of Stripe's HTTP API that Atlas uses, so the official SDK runs
 * for real (form encoding, auth, idempotency keys, error objects). Like Stripe, a repeated
 * `Idempotency-Key` replays the first response instead of acting twice.
 */
export class FakeStripe {
  /** Every request: "METHOD /path". */
  readonly requests: string[] = [];
  readonly customers = new Map<string, Json>();
  readonly paymentMethods = new Map<string, Json & { customer: string | null }>();
  readonly cards = new Map<string, Card>();
  readonly setupIntents = new Map<string, Json>();
  readonly subscriptions = new Map<string, Json>();
  readonly paymentIntents = new Map<string, Json>();
  readonly accounts = new Map<string, Json>();
  /** Parameters of each subscription update, for proration assertions. */
  readonly subscriptionUpdates: Json[] = [];
  private readonly idempotent = new Map<string, { status: number; body: string }>();
  /** Unix seconds the fake uses for `created` and periods; tests may move it. */
  nowSec = Math.floor(Date.parse("2026-01-15T12:00:00Z") / 1000);
  /** Set to make the next requests fail with this status (provider outage). */
  failWith: number | null = null;
  /** Milliseconds every answer is held back (slow provider). */
  delayMs = 0;
  /** Called after a PaymentIntent was created and before the answer is sent (crash tests). */
  onPaymentIntentCreated: (() => void) | null = null;

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

  /** Stripe's side of finishing Connect onboarding. */
  completeOnboarding(accountId: string): Json {
    const a = this.accounts.get(accountId) as Json;
    Object.assign(a, { charges_enabled: true, payouts_enabled: true, details_submitted: true });
    return a;
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
    ])
      m.clear();
    this.requests.length = 0;
    this.subscriptionUpdates.length = 0;
    this.failWith = null;
    this.delayMs = 0;
    this.onPaymentIntentCreated = null;
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const url = new URL(req.url ?? "/", "http://stripe.test");
    const method = req.method ?? "GET";
    const params = method === "GET" ? Object.fromEntries(url.searchParams) : parseStripeForm(raw);
    this.requests.push(`${method} ${url.pathname}`);
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    const key = req.headers["idempotency-key"];
    const send = (status: number, body: string) => {
      res.writeHead(status, { "content-type": "application/json", "request-id": id("req") });
      res.end(body);
    };
    if (req.headers.authorization !== "Bearer sk_test_atlas") {
      return send(401, JSON.stringify({ error: { type: "invalid_request_error", message: "Invalid API Key" } }));
    }
    if (this.failWith) {
      return send(this.failWith, JSON.stringify({ error: { type: "api_error", message: "fake outage" } }));
    }
    const replayKey = typeof key === "string" && method === "POST" ? `${url.pathname}|${key}` : null;
    const stored = replayKey ? this.idempotent.get(replayKey) : undefined;
    if (stored) return send(stored.status, stored.body);
    const [status, body] = this.route(method, url.pathname, params);
    const text = JSON.stringify(body);
    // Stripe stores the outcome of an idempotent request, errors (4xx) included.
    if (replayKey && status < 500) this.idempotent.set(replayKey, { status, body: text });
    if (method === "POST" && url.pathname === "/v1/payment_intents") this.onPaymentIntentCreated?.();
    send(status, text);
  }

  private notFound(what: string): [number, Json] {
    return [404, { error: { type: "invalid_request_error", code: "resource_missing", message: `No such ${what}` } }];
  }

  private route(method: string, path: string, p: Json): [number, Json] {
    const parts = path.split("/").filter(Boolean).slice(1); // drop "v1"
    const [resource, objectId, action] = parts;
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
        if (settings) c.invoice_settings = { default_payment_method: settings.default_payment_method ?? null };
        return [200, c];
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
        pm.customer = null;
        return [200, pm];
      }
      case "POST subscriptions": {
        const items = (p.items as Json[]) ?? [];
        const sub: Json = {
          id: id("sub"),
          object: "subscription",
          customer: p.customer,
          status: "active",
          start_date: this.nowSec,
          cancel_at_period_end: false,
          canceled_at: null,
          metadata: p.metadata ?? {},
          items: { object: "list", data: items.map((i) => this.item(String(i.price))) },
        };
        this.subscriptions.set(sub.id as string, sub);
        return [200, sub];
      }
      case "GET subscriptions/:id": {
        const sub = this.subscriptions.get(objectId as string);
        return sub ? [200, sub] : this.notFound("subscription");
      }
      case "POST subscriptions/:id": {
        const sub = this.subscriptions.get(objectId as string);
        if (!sub) return this.notFound("subscription");
        this.subscriptionUpdates.push({ id: objectId, ...p });
        if (p.cancel_at_period_end !== undefined) sub.cancel_at_period_end = p.cancel_at_period_end === "true";
        const items = p.items as Json[] | undefined;
        if (items?.[0]) {
          const current = (sub.items as { data: Json[] }).data[0] as Json;
          current.price = { id: String(items[0].price), object: "price" };
        }
        return [200, sub];
      }
      case "DELETE subscriptions/:id": {
        const sub = this.subscriptions.get(objectId as string);
        if (!sub) return this.notFound("subscription");
        Object.assign(sub, { status: "canceled", canceled_at: this.nowSec });
        return [200, sub];
      }
      case "POST payment_intents": {
        const pi: Json = {
          id: id("pi"),
          object: "payment_intent",
          amount: Number(p.amount),
          currency: p.currency,
          customer: p.customer,
          payment_method: p.payment_method ?? null,
          on_behalf_of: p.on_behalf_of ?? null,
          transfer_data: p.transfer_data ?? null,
          metadata: p.metadata ?? {},
          status: "requires_confirmation",
          last_payment_error: null,
          created: this.nowSec,
        };
        this.paymentIntents.set(pi.id as string, pi);
        return p.confirm === "true" ? this.confirm(pi, p) : [200, pi];
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
        if (!pi) return this.notFound("payment_intent");
        // https://docs.stripe.com/api/payment_intents/cancel: only requires_payment_method,
        // requires_capture, requires_confirmation, requires_action (and processing) can be canceled;
        // a succeeded or already canceled PaymentIntent answers payment_intent_unexpected_state.
        const cancelable = ["requires_payment_method", "requires_capture", "requires_confirmation", "requires_action"];
        if (!cancelable.includes(String(pi.status)) && pi.status !== "processing") {
          return [
            400,
            {
              error: {
                type: "invalid_request_error",
                code: "payment_intent_unexpected_state",
                message: `You cannot cancel this PaymentIntent because it has a status of ${String(pi.status)}.`,
                payment_intent: pi,
              },
            },
          ];
        }
        Object.assign(pi, {
          status: "canceled",
          canceled_at: this.nowSec,
          cancellation_reason: p.cancellation_reason ?? null,
        });
        return [200, pi];
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
      default:
        return [
          404,
          { error: { type: "invalid_request_error", message: `Unrecognized request URL (${method} ${path})` } },
        ];
    }
  }

  private item(price: string): Json {
    return {
      id: id("si"),
      object: "subscription_item",
      price: { id: price, object: "price" },
      current_period_start: this.nowSec,
      current_period_end: this.nowSec + 30 * 86_400,
    };
  }

  private confirm(pi: Json, p: Json): [number, Json] {
    if (p.payment_method) pi.payment_method = p.payment_method;
    const customer = this.customers.get(String(pi.customer));
    const pmId =
      (pi.payment_method as string | null) ??
      ((customer?.invoice_settings as Json | undefined)?.default_payment_method as string | null);
    const card = pmId ? this.cards.get(pmId) : undefined;
    if (card && !card.decline) {
      Object.assign(pi, { status: "succeeded", payment_method: pmId, last_payment_error: null });
      return [200, pi];
    }
    const code = card?.decline ?? "payment_method_missing";
    Object.assign(pi, {
      status: "requires_payment_method",
      last_payment_error: { type: "card_error", code: "card_declined", decline_code: code, message: "declined" },
    });
    return [
      402,
      {
        error: {
          type: "card_error",
          code: "card_declined",
          decline_code: code,
          message: "Your card was declined.",
          payment_intent: pi,
        },
      },
    ];
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}
