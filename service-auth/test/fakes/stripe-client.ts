import { randomBytes } from "node:crypto";

// The part of the Stripe peer that Stripe.js uses from the customer's browser with the
// publishable key: card PaymentMethods, confirming SetupIntents and PaymentIntents with their
// client secret, and the 3-D Secure challenge. Kept apart from the server-side API in stripe.ts.
// Every rule cites the Stripe page it follows.

type Json = Record<string, unknown>;
type Answer = [number, Json];

/** The card behaviours the peer knows (stripe.ts's Card). */
export interface ClientCard {
  brand: string;
  last4: string;
  decline: string | null;
}

/** The parts of the peer this module reads and writes. */
export interface ClientPeer {
  readonly paymentMethods: Map<string, Json & { customer: string | null }>;
  readonly cards: Map<string, ClientCard>;
  readonly setupIntents: Map<string, Json>;
  readonly paymentIntents: Map<string, Json>;
  readonly detached: Set<string>;
  readonly events: Json[];
  nowSec: number;
  event(type: string, object: Json, createdSec?: number): Json;
  completeAuthentication(piId: string, ok?: boolean): Json;
}

const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString("hex")}`;

const invalid = (message: string, extra: Json = {}): Answer => [
  400,
  { error: { type: "invalid_request_error", message, ...extra } },
];

/**
 * Stripe's test card numbers and what they do. https://docs.stripe.com/testing#cards,
 * https://docs.stripe.com/testing#regulatory-cards (4000 0027 6000 3184: authentication is always
 * required, on-session it asks for 3-D Secure and off-session it fails),
 * https://docs.stripe.com/testing#declined-payments.
 */
const TEST_CARDS: Record<string, { brand: string; decline: string | null }> = {
  "4242424242424242": { brand: "visa", decline: null },
  "5555555555554444": { brand: "mastercard", decline: null },
  "4000002760003184": { brand: "visa", decline: "authentication_required" },
  "4000000000009995": { brand: "visa", decline: "insufficient_funds" },
  "4000000000000002": { brand: "visa", decline: "generic_decline" },
};

/** A `card_error` (402), as Stripe answers a card it will not take. https://docs.stripe.com/api/errors */
const cardError = (code: string, message: string, param: string, extra: Json = {}): Answer => [
  402,
  { error: { type: "card_error", code, message, param, ...extra } },
];

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** Which requests the publishable key may make: creating a card, and acting on an intent through its client secret. */
export function publishableMayDo(peer: ClientPeer, method: string, path: string, params: Json): boolean {
  // https://docs.stripe.com/keys#obtain-api-keys: a publishable key only identifies the account
  // to Stripe.js; https://docs.stripe.com/api/payment_methods/create is the one creation it makes.
  if (method === "POST" && path === "/v1/payment_methods") return true;
  const match =
    /^\/v1\/(payment_intents|setup_intents|three_d_secure_peer)\/([^/]+)(?:\/(confirm|complete|fail))?$/.exec(path);
  if (!match) return false;
  const [, resource, intentId = "", action] = match;
  if (resource === "three_d_secure_peer" ? !action || action === "confirm" : action && action !== "confirm") {
    return false;
  }
  if (method !== (action ? "POST" : "GET")) return false;
  const intent = (intentId.startsWith("seti_") ? peer.setupIntents : peer.paymentIntents).get(intentId);
  // https://docs.stripe.com/api/payment_intents/object#payment_intent_object-client_secret
  return !!intent && typeof params.client_secret === "string" && params.client_secret === intent.client_secret;
}

/** The client-side endpoints; null for any other request. */
export function routeClient(
  peer: ClientPeer,
  method: string,
  path: string,
  params: Json,
  publishable: boolean,
): Answer | null {
  if (method === "POST" && path === "/v1/payment_methods") return createCardPaymentMethod(peer, params, publishable);
  const si = /^\/v1\/setup_intents\/([^/]+)(\/confirm)?$/.exec(path);
  if (si) {
    const intent = peer.setupIntents.get(si[1] ?? "");
    if (!intent)
      return [
        404,
        { error: { type: "invalid_request_error", code: "resource_missing", message: "No such setupintent" } },
      ];
    if (method === "GET" && !si[2]) return [200, withDefaults(intent)];
    if (method === "POST" && si[2]) return confirmSetupIntent(peer, withDefaults(intent), params);
  }
  const challenge = /^\/v1\/three_d_secure_peer\/([^/]+)\/(complete|fail)$/.exec(path);
  if (challenge && method === "POST") return authenticate(peer, challenge[1] ?? "", challenge[2] === "complete");
  return null;
}

function withDefaults(si: Json): Json {
  si.payment_method ??= null;
  si.last_setup_error ??= null;
  si.next_action ??= null;
  si.usage ??= "off_session";
  return si;
}

/**
 * https://docs.stripe.com/api/payment_methods/create with `type=card` and raw card details, as
 * Stripe.js sends them from its card field: Luhn-checked number, a future expiry, a 3–4 digit
 * CVC; in test mode only test numbers are accepted. A secret key may not send raw card numbers
 * (https://docs.stripe.com/security/guide#validating-pci-compliance).
 */
function createCardPaymentMethod(peer: ClientPeer, p: Json, publishable: boolean): Answer {
  if (p.type !== "card") return invalid("Invalid type: must be one of card", { param: "type" });
  const card = (p.card ?? {}) as Json;
  if (!publishable) {
    return invalid(
      "Sending credit card numbers directly to the Stripe API is generally unsafe. Use Stripe.js to collect card details.",
    );
  }
  const number = String(card.number ?? "").replace(/\s+/g, "");
  if (!/^\d{12,19}$/.test(number) || !luhn(number)) {
    return cardError("incorrect_number", "Your card number is incorrect.", "card[number]");
  }
  const month = Number(card.exp_month);
  let year = Number(card.exp_year);
  if (year < 100) year += 2000;
  if (!Number.isInteger(month) || month < 1 || month > 12) {
    return cardError("invalid_expiry_month", "Your card's expiration month is invalid.", "card[exp_month]");
  }
  const now = new Date(peer.nowSec * 1000);
  const expired = year < now.getUTCFullYear() || (year === now.getUTCFullYear() && month < now.getUTCMonth() + 1);
  if (!Number.isInteger(year) || expired || year > now.getUTCFullYear() + 50) {
    return cardError("invalid_expiry_year", "Your card's expiration year is invalid.", "card[exp_year]");
  }
  if (!/^\d{3,4}$/.test(String(card.cvc ?? ""))) {
    return cardError("invalid_cvc", "Your card's security code is invalid.", "card[cvc]");
  }
  const known = TEST_CARDS[number];
  if (!known) {
    return cardError(
      "card_declined",
      "Your card was declined. Your request was in test mode, but used a non test (live) card. For a list of valid test cards, visit: https://stripe.com/docs/testing.",
      "card[number]",
      { decline_code: "live_mode_test_card" },
    );
  }
  const id = newId("pm");
  peer.cards.set(id, { brand: known.brand, last4: number.slice(-4), decline: known.decline });
  const pm = {
    id,
    object: "payment_method",
    type: "card",
    customer: null,
    card: { brand: known.brand, last4: number.slice(-4), exp_month: month, exp_year: year },
    created: peer.nowSec,
    livemode: false,
    metadata: {},
  };
  peer.paymentMethods.set(id, pm);
  return [200, pm];
}

/**
 * https://docs.stripe.com/api/setup_intents/confirm and the SetupIntent status machine
 * (https://docs.stripe.com/payments/setupintents/lifecycle): requires_payment_method →
 * requires_action (3-D Secure) → succeeded, the card then attached to the intent's customer; a
 * declined card leaves it in requires_payment_method with last_setup_error; a succeeded or
 * canceled one cannot be confirmed again (setup_intent_unexpected_state).
 */
function confirmSetupIntent(peer: ClientPeer, si: Json, p: Json): Answer {
  if (!["requires_payment_method", "requires_confirmation", "requires_action"].includes(String(si.status))) {
    return invalid(`You cannot confirm this SetupIntent because it has a status of ${String(si.status)}.`, {
      code: "setup_intent_unexpected_state",
      setup_intent: si,
    });
  }
  const pmId = (p.payment_method as string | undefined) ?? (si.payment_method as string | null);
  if (!pmId) {
    return invalid("You cannot confirm this SetupIntent because it's missing a payment method.", {
      code: "setup_intent_unexpected_state",
      setup_intent: si,
    });
  }
  const pm = peer.paymentMethods.get(pmId);
  if (!pm) return invalid(`No such PaymentMethod: '${pmId}'`, { code: "resource_missing", param: "payment_method" });
  if (peer.detached.has(pmId) || (pm.customer && pm.customer !== si.customer)) {
    return invalid(
      "This PaymentMethod was previously used without being attached to a Customer or was detached from a Customer, and may not be used again.",
      { param: "payment_method", setup_intent: si },
    );
  }
  si.payment_method = pmId;
  const card = peer.cards.get(pmId);
  if (card?.decline === "authentication_required") {
    Object.assign(si, {
      status: "requires_action",
      next_action: { type: "use_stripe_sdk", use_stripe_sdk: { type: "three_d_secure_redirect" } },
      last_setup_error: null,
    });
    return [200, si];
  }
  if (card?.decline === "generic_decline") {
    const error = {
      type: "card_error",
      code: "card_declined",
      decline_code: "generic_decline",
      message: "Your card was declined.",
    };
    Object.assign(si, { status: "requires_payment_method", payment_method: null, last_setup_error: error });
    return [402, { error: { ...error, setup_intent: si } }];
  }
  return [200, setupSucceeded(peer, si, pm)];
}

/** A SetupIntent succeeded: the card is the customer's (https://docs.stripe.com/api/setup_intents/object). */
function setupSucceeded(peer: ClientPeer, si: Json, pm: Json & { customer: string | null }): Json {
  pm.customer = String(si.customer);
  Object.assign(si, { status: "succeeded", next_action: null, last_setup_error: null });
  peer.events.push(peer.event("payment_method.attached", structuredClone(pm)));
  peer.events.push(peer.event("setup_intent.succeeded", structuredClone(si)));
  return si;
}

/**
 * The cardholder's answer in the bank's 3-D Secure window (Stripe's test page offers "Complete"
 * and "Fail"; https://docs.stripe.com/testing#regulatory-cards): the peer's stand-in for the
 * hooks.stripe.com page Stripe.js opens, reached with the intent's client secret.
 */
function authenticate(peer: ClientPeer, intentId: string, ok: boolean): Answer {
  if (intentId.startsWith("pi_")) {
    const pi = peer.paymentIntents.get(intentId) as Json;
    if (pi.status !== "requires_action") return invalid(`This PaymentIntent is ${String(pi.status)}.`);
    return [200, peer.completeAuthentication(intentId, ok)];
  }
  const si = peer.setupIntents.get(intentId) as Json;
  if (si.status !== "requires_action") return invalid(`This SetupIntent is ${String(si.status)}.`);
  if (ok)
    return [
      200,
      setupSucceeded(
        peer,
        si,
        peer.paymentMethods.get(String(si.payment_method)) as Json & { customer: string | null },
      ),
    ];
  Object.assign(si, {
    status: "requires_payment_method",
    payment_method: null,
    next_action: null,
    last_setup_error: {
      type: "invalid_request_error",
      code: "setup_intent_authentication_failure",
      message:
        "The latest attempt to set up the payment method has failed because authentication failed. Please provide a new payment method.",
    },
  });
  return [200, si];
}
