import { AppError } from "@atlas/errors";
import type { OutboxTransaction } from "@atlas/outbox";
import type Stripe from "stripe";
import type { Deps } from "../../../ports.ts";
import {
  type StripeDisputeInfo,
  type StripeRefundInfo,
  type StripeRefundParams,
  StripeRefundRefused,
} from "../../../providers/stripe-gateway.ts";
import { disputeInfo } from "../../../providers/stripe-mapping.ts";
import { recordAudit } from "../../audit/audit.service.ts";
import type { RequestContext } from "../../login/request-context.ts";
import { sha256Hex } from "../../platform/crypto.ts";
import { recordWebhookEvent, type WebhookOutcome } from "../stripe/webhook-ledger.ts";
import { type ChargeRow, emitSql, lockCharge } from "./charge-rows.ts";

// Money going back on a Stripe charge. What moves money, and what cloud-api is told:
// - a refund that succeeded: the customer has the amount back → `payment.refunded` → a credit note;
// - a dispute whose funds were withdrawn (a chargeback; Stripe takes the amount at once) →
//   `payment.disputed` → a credit note, as for a refund: the customer has the money back;
// - a won dispute whose funds were reinstated: the money is the merchant's again →
//   `dispute.funds_reinstated` → that credit note is reversed (the invoice is paid again);
// - a lost dispute, or an inquiry (no withdrawal): nothing moves, nothing is announced.
// Each is recorded in `billing_refunds` under its Stripe id and announced under a dedupe key of
// that id, so the admin call's answer and any number of webhook deliveries announce it once.

type RefundReason = StripeRefundParams["reason"];

/** Records one Stripe refund of a locked charge; announces it once it has succeeded. */
async function recordRefund(tx: OutboxTransaction, charge: ChargeRow, refund: StripeRefundInfo, now: Date) {
  const rows = await tx.query(
    `INSERT INTO "billing"."billing_refunds" ("id", "stripeId", "kind", "chargeId", "invoiceId", "tenantId", "userId",
       "amountMinor", "currency", "reason", "status", "createdAt", "updatedAt")
     VALUES (gen_random_uuid()::text, $1, 'refund', $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
     ON CONFLICT ("stripeId") DO UPDATE SET "status" = EXCLUDED."status", "updatedAt" = EXCLUDED."updatedAt"
       WHERE "billing_refunds"."status" IS DISTINCT FROM EXCLUDED."status"
     RETURNING "id"`,
    [
      refund.id,
      charge.id,
      charge.invoiceId,
      charge.tenantId,
      charge.userId,
      refund.amountMinor,
      refund.currency,
      refund.reason,
      refund.status,
      now,
    ],
  );
  // Pending refunds are announced when they succeed (refund.updated / charge.refund.updated).
  if (refund.status !== "succeeded") return rows.length > 0;
  const announced = await emitSql(
    tx,
    "payment.refunded",
    {
      tenantId: charge.tenantId,
      userId: charge.userId,
      invoiceId: charge.invoiceId,
      amountMinor: refund.amountMinor,
      currency: refund.currency,
      reason: refund.reason,
      reference: refund.id,
    },
    `payment.refunded:${refund.id}`,
    now,
    `invoice:${charge.invoiceId}`,
  );
  return rows.length > 0 || announced;
}

/**
 * Records a dispute of a locked charge from Stripe's current state, and announces the money it
 * moved since last time: withdrawn (a credit note) and reinstated (the credit note reversed).
 */
async function recordDispute(tx: OutboxTransaction, charge: ChargeRow, dispute: StripeDisputeInfo, now: Date) {
  await tx.query(
    `INSERT INTO "billing"."billing_refunds" ("id", "stripeId", "kind", "chargeId", "invoiceId", "tenantId", "userId",
       "amountMinor", "currency", "reason", "status", "createdAt", "updatedAt")
     VALUES (gen_random_uuid()::text, $1, 'dispute', $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) ON CONFLICT ("stripeId") DO NOTHING`,
    [
      dispute.id,
      charge.id,
      charge.invoiceId,
      charge.tenantId,
      charge.userId,
      dispute.amountMinor,
      dispute.currency,
      dispute.reason,
      dispute.status,
      now,
    ],
  );
  const [known] = await tx.query<{ status: string; withdrawnMinor: number; reinstatedMinor: number }>(
    `SELECT "status", "withdrawnMinor", "reinstatedMinor" FROM "billing"."billing_refunds" WHERE "stripeId" = $1`,
    [dispute.id],
  );
  const before = known as { status: string; withdrawnMinor: number; reinstatedMinor: number };
  const base = {
    tenantId: charge.tenantId,
    userId: charge.userId,
    invoiceId: charge.invoiceId,
    currency: dispute.currency,
  };
  const aggregate = `invoice:${charge.invoiceId}`;
  if (dispute.withdrawnMinor > before.withdrawnMinor) {
    await emitSql(
      tx,
      "payment.disputed",
      { ...base, amountMinor: dispute.withdrawnMinor, reason: dispute.reason, reference: dispute.id },
      `payment.disputed:${dispute.id}`,
      now,
      aggregate,
    );
  }
  if (dispute.reinstatedMinor > before.reinstatedMinor) {
    await emitSql(
      tx,
      "dispute.funds_reinstated",
      { ...base, amountMinor: dispute.reinstatedMinor, reference: dispute.id },
      `dispute.funds_reinstated:${dispute.id}`,
      now,
      aggregate,
    );
  }
  const changed =
    before.status !== dispute.status ||
    before.withdrawnMinor !== dispute.withdrawnMinor ||
    before.reinstatedMinor !== dispute.reinstatedMinor;
  if (changed) {
    await tx.query(
      `UPDATE "billing"."billing_refunds" SET "status" = $2, "withdrawnMinor" = $3, "reinstatedMinor" = $4, "updatedAt" = $5
        WHERE "stripeId" = $1`,
      [dispute.id, dispute.status, dispute.withdrawnMinor, dispute.reinstatedMinor, now],
    );
  }
  return changed;
}

const piOf = (v: string | { id: string } | null | undefined) => (v ? (typeof v === "string" ? v : v.id) : null);

/** The effect of one event on the charge of `paymentIntentId`, with its ledger row, once. */
async function onCharge(
  deps: Deps,
  event: Stripe.Event,
  paymentIntentId: string | null,
  apply: (tx: OutboxTransaction, charge: ChargeRow, now: Date) => Promise<boolean>,
): Promise<WebhookOutcome> {
  if (!paymentIntentId) return "ignored";
  const local = await deps.prisma.charge.findUnique({ where: { stripePaymentIntentId: paymentIntentId } });
  if (!local) return "ignored";
  const changed = await deps.database.transaction(async (q) => {
    if (!(await recordWebhookEvent(q, event, deps.now()))) return null;
    const charge = await lockCharge(q, `"id"`, local.id);
    return charge ? apply(q, charge, deps.now()) : false;
  });
  return changed === null ? "duplicate" : changed ? "applied" : "unchanged";
}

/**
 * `charge.refunded`, `refund.created`, `refund.updated`, `charge.refund.updated`: re-reads every
 * refund of the PaymentIntent from Stripe (`charge.refunded` no longer lists them, and deliveries
 * come out of order) and records each once.
 */
export async function applyRefundEvent(deps: Deps, event: Stripe.Event): Promise<WebhookOutcome> {
  const stripe = deps.stripe;
  if (!stripe) return "ignored";
  const object = event.data.object as Stripe.Charge | Stripe.Refund;
  const paymentIntentId = piOf(object.payment_intent);
  const refunds = paymentIntentId ? await stripe.listRefunds(paymentIntentId) : [];
  return onCharge(deps, event, paymentIntentId, async (tx, charge, now) => {
    let changed = false;
    for (const refund of refunds) changed = (await recordRefund(tx, charge, refund, now)) || changed;
    return changed;
  });
}

/** `charge.dispute.*`: the dispute as Stripe has it now, recorded and announced by what moved. */
export async function applyDisputeEvent(deps: Deps, event: Stripe.Event): Promise<WebhookOutcome> {
  const snapshot = event.data.object as Stripe.Dispute;
  const current = (await deps.stripe?.retrieveDispute(snapshot.id)) ?? disputeInfo(snapshot);
  return onCharge(deps, event, current.paymentIntentId, (tx, charge, now) => recordDispute(tx, charge, current, now));
}

export interface RefundRequest {
  invoiceId: string;
  /** Absent: all that is left of the charge. */
  amountMinor?: number;
  reason: RefundReason;
  /** The caller's Idempotency-Key: the Stripe key is derived from it. */
  requestKey: string;
  actor: { userId: string; tenantId: string; context: RequestContext };
}

/**
 * A platform admin refunds (part of) an invoice's card payment:
 * 1. the invoice's charge must be a Stripe charge that succeeded (crypto: refunded by hand, 409);
 * 2. the amount must fit what is left after earlier refunds and disputes (409);
 * 3. Stripe refunds it under a key derived from the request's Idempotency-Key (a retried request
 *    never refunds twice); Connect charges reverse the transfer and the application fee pro rata;
 * 4. the refund is recorded and announced once (the webhook may have been first);
 * 5. audited as `billing_refund_issued`.
 */
export async function refundInvoice(deps: Deps, request: RefundRequest) {
  const charge = await deps.prisma.charge.findUnique({ where: { invoiceId: request.invoiceId } });
  if (!charge) throw new AppError("NOT_FOUND", { detail: "No payment for this invoice" });
  if (charge.provider === "crypto") {
    throw new AppError("CONFLICT", {
      detail: "Crypto payments are not refunded through Stripe: send the amount back on chain by hand",
    });
  }
  if (charge.status !== "succeeded" || !charge.stripePaymentIntentId) {
    throw new AppError("CONFLICT", { detail: "The invoice has no successful card payment to refund" });
  }
  if (!deps.stripe) throw new AppError("NOT_FOUND", { detail: "Stripe billing is not configured" });
  const returned = await deps.prisma.refund.findMany({ where: { chargeId: charge.id } });
  const taken = returned.reduce(
    (sum, r) =>
      sum +
      (r.kind === "dispute"
        ? r.withdrawnMinor - r.reinstatedMinor
        : ["failed", "canceled"].includes(r.status)
          ? 0
          : r.amountMinor),
    0,
  );
  const left = charge.amountMinor - taken;
  if (left <= 0 || (request.amountMinor ?? left) > left) {
    throw new AppError("CONFLICT", {
      detail: `At most ${Math.max(left, 0)} (minor units) of this payment can still be refunded`,
    });
  }
  const connect = charge.onBehalfOf !== null;
  let refund: StripeRefundInfo;
  try {
    refund = await deps.stripe.createRefund(
      {
        paymentIntentId: charge.stripePaymentIntentId,
        amountMinor: request.amountMinor ?? null,
        reason: request.reason,
        reverseTransfer: connect,
        refundApplicationFee: connect,
        metadata: { atlasInvoiceId: charge.invoiceId, atlasRefundedBy: request.actor.userId },
      },
      `atlas:refund:${charge.invoiceId}:${sha256Hex(`${request.actor.userId}\n${request.requestKey}`)}`,
    );
  } catch (error) {
    // Stripe knows of refunds or disputes Atlas has not heard of yet.
    if (error instanceof StripeRefundRefused) {
      throw new AppError("CONFLICT", { detail: `Stripe refused the refund: ${error.message}`, cause: error });
    }
    throw new AppError("PROVIDER_UNAVAILABLE", {
      detail: "Stripe could not be reached: retry with the same Idempotency-Key",
      headers: { "Retry-After": "5" },
      cause: error,
    });
  }
  await deps.database.transaction(async (q) => {
    const locked = await lockCharge(q, `"id"`, charge.id);
    if (locked) await recordRefund(q, locked, refund, deps.now());
  });
  await recordAudit(
    deps.prisma,
    {
      eventType: "billing_refund_issued",
      tenantId: request.actor.tenantId,
      userId: request.actor.userId,
      context: request.actor.context,
      details: {
        invoiceId: charge.invoiceId,
        customerTenantId: charge.tenantId,
        customerUserId: charge.userId,
        refundId: refund.id,
        amountMinor: refund.amountMinor,
        currency: refund.currency,
        reason: request.reason,
        reverseTransfer: connect,
      },
    },
    deps.now(),
  );
  return {
    id: refund.id,
    invoiceId: charge.invoiceId,
    amountMinor: refund.amountMinor,
    currency: refund.currency,
    status: refund.status,
    reason: request.reason,
    reversedTransfer: connect,
  };
}
