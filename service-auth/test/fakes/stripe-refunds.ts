import { randomBytes } from "node:crypto";

// The peer's charges, refunds and disputes (and the Connect side effects of destination charges),
// kept apart from the PaymentIntent rules in stripe.ts. Every rule cites the Stripe page it follows.

type Json = Record<string, unknown>;

const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString("hex")}`;

/** The parts of the peer this module reads and writes. */
export interface RefundsPeer {
  readonly paymentIntents: Map<string, Json>;
  readonly accounts: Map<string, Json>;
  readonly charges: Map<string, Json>;
  readonly refunds: Map<string, Json>;
  readonly disputes: Map<string, Json>;
  readonly transfers: Map<string, Json>;
  readonly applicationFees: Map<string, Json>;
  readonly sentEvents: Json[];
  nowSec: number;
  event(type: string, object: Json, createdSec?: number): Json;
}

type Answer = [number, Json];

const invalid = (message: string, extra: Json = {}): Answer => [
  400,
  { error: { type: "invalid_request_error", message, ...extra } },
];

/** What Stripe would send to a webhook endpoint now: a copy, so later changes do not leak into it. */
function send(peer: RefundsPeer, type: string, object: Json): void {
  peer.sentEvents.push(peer.event(type, structuredClone(object)));
}

/**
 * `application_fee_amount` is only accepted on a destination charge (or a direct charge made with
 * the Stripe-Account header, which Atlas does not use), and never above the amount.
 * https://docs.stripe.com/connect/destination-charges#collect-fees
 * https://docs.stripe.com/api/payment_intents/create#create_payment_intent-application_fee_amount
 */
export function applicationFeeError(peer: RefundsPeer, p: Json): Answer | null {
  if (p.application_fee_amount === undefined) return null;
  const destination = (p.transfer_data as Json | undefined)?.destination;
  if (typeof destination !== "string") {
    return invalid(
      "Can only apply an application_fee_amount when the PaymentIntent is attempting a direct payment (using an OAuth key or Stripe-Account header) or destination payment (using `transfer_data[destination]`).",
      { param: "application_fee_amount" },
    );
  }
  // https://docs.stripe.com/api/payment_intents/create#create_payment_intent-transfer_data-destination
  if (!peer.accounts.has(destination)) {
    return [
      400,
      {
        error: {
          type: "invalid_request_error",
          code: "resource_missing",
          message: `No such destination: '${destination}'`,
          param: "transfer_data[destination]",
        },
      },
    ];
  }
  const fee = Number(p.application_fee_amount);
  if (!Number.isInteger(fee) || fee < 0 || fee > Number(p.amount)) {
    return invalid("application_fee_amount must be an integer between 0 and the amount.", {
      param: "application_fee_amount",
    });
  }
  return null;
}

/**
 * A PaymentIntent that succeeds has a Charge (`latest_charge`). A destination charge transfers the
 * amount less the application fee to the connected account and books the fee on the platform.
 * https://docs.stripe.com/api/payment_intents/object#payment_intent_object-latest_charge
 * https://docs.stripe.com/connect/destination-charges#flow-of-funds-with-fees
 */
export function chargeSucceeded(peer: RefundsPeer, pi: Json): Json {
  const existing = pi.latest_charge ? peer.charges.get(String(pi.latest_charge)) : undefined;
  if (existing?.status === "succeeded") return existing;
  const amount = Number(pi.amount);
  const destination = (pi.transfer_data as Json | null)?.destination as string | undefined;
  const fee =
    pi.application_fee_amount === null || pi.application_fee_amount === undefined
      ? null
      : Number(pi.application_fee_amount);
  const charge: Json = {
    id: newId("ch"),
    object: "charge",
    amount,
    amount_captured: amount,
    amount_refunded: 0,
    refunded: false,
    disputed: false,
    captured: true,
    paid: true,
    status: "succeeded",
    currency: pi.currency,
    customer: pi.customer,
    payment_intent: pi.id,
    payment_method: pi.payment_method,
    on_behalf_of: pi.on_behalf_of ?? null,
    transfer_data: pi.transfer_data ?? null,
    application_fee_amount: fee,
    application_fee: null,
    transfer: null,
    metadata: pi.metadata ?? {},
    created: peer.nowSec,
    livemode: false,
  };
  if (destination) {
    const transfer: Json = {
      id: newId("tr"),
      object: "transfer",
      amount: amount - (fee ?? 0),
      amount_reversed: 0,
      reversed: false,
      destination,
      source_transaction: charge.id,
      created: peer.nowSec,
    };
    peer.transfers.set(transfer.id as string, transfer);
    charge.transfer = transfer.id;
  }
  if (destination && fee) {
    const applicationFee: Json = {
      id: newId("fee"),
      object: "application_fee",
      amount: fee,
      amount_refunded: 0,
      refunded: false,
      account: destination,
      charge: charge.id,
      created: peer.nowSec,
    };
    peer.applicationFees.set(applicationFee.id as string, applicationFee);
    charge.application_fee = applicationFee.id;
  }
  peer.charges.set(charge.id as string, charge);
  pi.latest_charge = charge.id;
  return charge;
}

/** A share of `total` proportional to `part / whole`, the remainder on the last part (no cent lost). */
const proportional = (total: number, part: number, whole: number, isLast: boolean, already: number) =>
  isLast ? total - already : Math.min(total - already, Math.floor((total * part) / whole));

const REFUND_REASONS = ["duplicate", "fraudulent", "requested_by_customer"];

/** https://docs.stripe.com/api/refunds/create */
function createRefund(peer: RefundsPeer, p: Json): Answer {
  if ((p.charge === undefined) === (p.payment_intent === undefined)) {
    return invalid("You must pass either `charge` or `payment_intent`, not both or neither.");
  }
  let charge: Json | undefined;
  if (p.payment_intent !== undefined) {
    const pi = peer.paymentIntents.get(String(p.payment_intent));
    if (!pi) {
      return [
        404,
        {
          error: {
            type: "invalid_request_error",
            code: "resource_missing",
            message: "No such payment_intent",
            param: "payment_intent",
          },
        },
      ];
    }
    charge = pi.latest_charge ? peer.charges.get(String(pi.latest_charge)) : undefined;
    // Only a successful charge can be refunded.
    if (pi.status !== "succeeded" || !charge) {
      return invalid(`This PaymentIntent (${String(pi.id)}) does not have a successful charge to refund.`, {
        param: "payment_intent",
      });
    }
  } else {
    charge = peer.charges.get(String(p.charge));
    if (!charge) {
      return [
        404,
        {
          error: {
            type: "invalid_request_error",
            code: "resource_missing",
            message: "No such charge",
            param: "charge",
          },
        },
      ];
    }
  }
  if (p.reason !== undefined && !REFUND_REASONS.includes(String(p.reason))) {
    return invalid(`Invalid reason: must be one of ${REFUND_REASONS.join(", ")}`, { param: "reason" });
  }
  // A charged-back payment cannot also be refunded (unless the dispute is an inquiry).
  // https://docs.stripe.com/error-codes#charge-disputed, https://docs.stripe.com/api/disputes/object#dispute_object-is_charge_refundable
  const dispute = [...peer.disputes.values()].find((d) => d.charge === charge.id);
  if (dispute && dispute.is_charge_refundable === false) {
    return invalid(`Charge ${String(charge.id)} has been charged back; cannot issue a refund.`, {
      code: "charge_disputed",
    });
  }
  const total = Number(charge.amount);
  const remaining = total - Number(charge.amount_refunded);
  // https://docs.stripe.com/error-codes#charge-already-refunded
  if (remaining === 0) {
    return invalid(`Charge ${String(charge.id)} has already been refunded.`, { code: "charge_already_refunded" });
  }
  const amount = p.amount === undefined ? remaining : Number(p.amount);
  if (!Number.isInteger(amount) || amount < 1) {
    return invalid("Invalid positive integer", { param: "amount" });
  }
  // https://docs.stripe.com/refunds#issuing: refunds can't exceed what is left of the charge.
  if (amount > remaining) {
    return invalid(`Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining})`, {
      param: "amount",
    });
  }
  const isLast = amount === remaining;
  const refund: Json = {
    id: newId("re"),
    object: "refund",
    amount,
    charge: charge.id,
    payment_intent: charge.payment_intent,
    currency: charge.currency,
    // Card refunds succeed at once in test mode. https://docs.stripe.com/refunds#refund-statuses
    status: "succeeded",
    reason: p.reason ?? null,
    metadata: p.metadata ?? {},
    transfer_reversal: null,
    created: peer.nowSec,
  };
  // https://docs.stripe.com/api/refunds/create#create_refund-reverse_transfer: proportional reversal.
  const transfer = charge.transfer ? peer.transfers.get(String(charge.transfer)) : undefined;
  if (p.reverse_transfer === "true" && transfer) {
    const reversal = proportional(Number(transfer.amount), amount, total, isLast, Number(transfer.amount_reversed));
    transfer.amount_reversed = Number(transfer.amount_reversed) + reversal;
    transfer.reversed = transfer.amount_reversed === transfer.amount;
    refund.transfer_reversal = newId("trr");
  }
  // https://docs.stripe.com/api/refunds/create#create_refund-refund_application_fee: proportional.
  const fee = charge.application_fee ? peer.applicationFees.get(String(charge.application_fee)) : undefined;
  if (p.refund_application_fee === "true" && fee) {
    fee.amount_refunded =
      Number(fee.amount_refunded) +
      proportional(Number(fee.amount), amount, total, isLast, Number(fee.amount_refunded));
    fee.refunded = fee.amount_refunded === fee.amount;
  }
  peer.refunds.set(refund.id as string, refund);
  charge.amount_refunded = total - remaining + amount;
  charge.refunded = charge.amount_refunded === total;
  // https://docs.stripe.com/api/events/types#event_types-charge.refunded (partial refunds too),
  // https://docs.stripe.com/api/events/types#event_types-refund.created
  send(peer, "charge.refunded", charge);
  send(peer, "refund.created", refund);
  return [200, refund];
}

/** `/v1/refunds`, `/v1/charges`, `/v1/disputes`: null when the request is none of these. */
export function routeRefundsAndDisputes(
  peer: RefundsPeer,
  method: string,
  resource: string | undefined,
  objectId: string | undefined,
  p: Json,
): Answer | null {
  const missing = (what: string): Answer => [
    404,
    { error: { type: "invalid_request_error", code: "resource_missing", message: `No such ${what}: '${objectId}'` } },
  ];
  if (method === "POST" && resource === "refunds" && !objectId) return createRefund(peer, p);
  if (method === "GET" && resource === "refunds" && objectId)
    return peer.refunds.get(objectId) ? [200, peer.refunds.get(objectId) as Json] : missing("refund");
  if (method === "GET" && resource === "refunds") {
    // https://docs.stripe.com/api/refunds/list: filter by charge or payment_intent, newest first.
    const data = [...peer.refunds.values()]
      .filter(
        (r) =>
          (p.charge === undefined || r.charge === p.charge) &&
          (p.payment_intent === undefined || r.payment_intent === p.payment_intent),
      )
      .reverse();
    return [200, { object: "list", data, has_more: false, url: "/v1/refunds" }];
  }
  if (method === "GET" && resource === "charges" && objectId)
    return peer.charges.get(objectId) ? [200, peer.charges.get(objectId) as Json] : missing("charge");
  if (method === "GET" && resource === "disputes" && objectId)
    return peer.disputes.get(objectId) ? [200, peer.disputes.get(objectId) as Json] : missing("dispute");
  return null;
}

const DISPUTE_FEE = 1_500;

/**
 * The cardholder's bank disputes a charge (a chargeback): Stripe withdraws the disputed amount
 * (and a dispute fee) at once, with one balance transaction, and marks the charge disputed.
 * Events: `charge.dispute.created`, then `charge.dispute.funds_withdrawn`.
 * https://docs.stripe.com/disputes/how-disputes-work, https://docs.stripe.com/api/disputes/object
 */
export function openDispute(peer: RefundsPeer, chargeId: string, amount: number, reason: string): Json {
  const charge = peer.charges.get(chargeId);
  if (!charge) throw new Error(`no charge ${chargeId}`);
  if (amount < 1 || amount > Number(charge.amount)) throw new Error("a dispute is for at most the charge's amount");
  const dispute: Json = {
    id: newId("du"),
    object: "dispute",
    amount,
    charge: chargeId,
    payment_intent: charge.payment_intent,
    currency: charge.currency,
    reason,
    status: "needs_response",
    is_charge_refundable: false,
    balance_transactions: [
      {
        id: newId("txn"),
        object: "balance_transaction",
        amount: -amount,
        fee: DISPUTE_FEE,
        reporting_category: "dispute",
      },
    ],
    created: peer.nowSec,
    livemode: false,
    metadata: {},
  };
  peer.disputes.set(dispute.id as string, dispute);
  charge.disputed = true;
  send(peer, "charge.dispute.created", dispute);
  send(peer, "charge.dispute.funds_withdrawn", dispute);
  return dispute;
}

/**
 * The bank decides. Won: the disputed amount (and fee) comes back in a second balance transaction,
 * `charge.dispute.closed` then `charge.dispute.funds_reinstated`. Lost: closed, the money stays gone.
 * https://docs.stripe.com/disputes/how-disputes-work#dispute-outcomes,
 * https://docs.stripe.com/api/events/types#event_types-charge.dispute.funds_reinstated
 */
export function closeDispute(peer: RefundsPeer, disputeId: string, outcome: "won" | "lost"): Json {
  const dispute = peer.disputes.get(disputeId);
  if (!dispute) throw new Error(`no dispute ${disputeId}`);
  if (dispute.status === "won" || dispute.status === "lost") throw new Error("the dispute is already closed");
  dispute.status = outcome;
  if (outcome === "won") {
    (dispute.balance_transactions as Json[]).push({
      id: newId("txn"),
      object: "balance_transaction",
      amount: Number(dispute.amount),
      fee: -DISPUTE_FEE,
      reporting_category: "dispute_reversal",
    });
  }
  send(peer, "charge.dispute.closed", dispute);
  if (outcome === "won") send(peer, "charge.dispute.funds_reinstated", dispute);
  return dispute;
}
