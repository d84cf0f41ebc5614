import { type BillingEventPayload, billingEventSchemas } from "@atlas/billing-events";
import { type OutboxHandler, type OutboxTransaction, PoisonEventError } from "@atlas/outbox";
import type { Deps } from "../../../ports.ts";
import { stripeSdk } from "../../../providers/sdks.ts";
import type { StripePaymentIntentInfo } from "../../../providers/stripe-gateway.ts";
import { recordAudit } from "../../audit/audit.service.ts";
import { applyPaymentIntent, setSubscriptionStatus } from "./charge-outcomes.ts";
import { lockCharge } from "./charge-rows.ts";

/** The Stripe idempotency key of canceling an invoice's PaymentIntent. */
export const cancelPaymentIntentKey = (invoiceId: string) => `atlas:invoice:${invoiceId}:cancel`;

export type VoidOutcome = "canceled" | "already_canceled" | "paid_before_void";

/** Stripe refuses to cancel a PaymentIntent that succeeded or was canceled already. */
const unexpectedState = (error: unknown) => {
  // Loaded by the gateway's first call, which this error came from (if it is Stripe's at all).
  const errors = stripeSdk.loaded()?.errors;
  return (
    errors !== undefined &&
    error instanceof errors.StripeInvalidRequestError &&
    error.code === "payment_intent_unexpected_state"
  );
};

/**
 * `invoice.voided` (cloud → auth): nothing is owed on the invoice any more, inside the consumer's
 * transaction:
 * 1. lock its charge (it exists: `invoice.finalized` comes first in the invoice's aggregate; if
 *    that event is not applied yet, this one fails and is retried);
 * 2. a canceled charge is left alone (a redelivery); a succeeded one stays succeeded (the money
 *    came in before the void: a refund is the operator's next step, audited as such);
 * 3. its open PaymentIntent is canceled at Stripe (idempotency key per invoice), so no dunning
 *    retry, Pay now or late confirmation can charge it; a PaymentIntent that succeeded meanwhile
 *    settles the charge as paid instead;
 * 4. the charge goes `canceled` (dunning and the grace period only look at `failed` ones) and,
 *    when no failed charge is left, a past-due subscription is active again.
 */
export async function applyInvoiceVoided(
  deps: Deps,
  tx: OutboxTransaction,
  p: BillingEventPayload<"invoice.voided">,
): Promise<VoidOutcome> {
  const now = deps.now();
  const charge = await lockCharge(tx, `"invoiceId"`, p.invoiceId);
  if (!charge) throw new Error(`invoice.voided before the charge of invoice ${p.invoiceId} exists`);
  if (charge.tenantId !== p.tenantId || charge.userId !== p.userId) {
    throw new PoisonEventError("invoice.voided names another customer than the charge");
  }
  if (charge.status === "canceled") return "already_canceled";
  let outcome: VoidOutcome = "canceled";
  if (charge.status !== "succeeded" && charge.stripePaymentIntentId) {
    if (!deps.stripe) throw new Error("Stripe is not configured: the PaymentIntent cannot be canceled");
    let pi: StripePaymentIntentInfo | null;
    try {
      pi = await deps.stripe.cancelPaymentIntent(charge.stripePaymentIntentId, cancelPaymentIntentKey(p.invoiceId));
    } catch (error) {
      if (!unexpectedState(error)) throw error;
      pi = await deps.stripe.retrievePaymentIntent(charge.stripePaymentIntentId);
    }
    if (pi?.status === "succeeded") {
      await applyPaymentIntent(deps, tx, charge, pi, now);
      outcome = "paid_before_void";
    }
  } else if (charge.status === "succeeded") {
    outcome = "paid_before_void";
  }
  if (outcome === "canceled") {
    await tx.query(
      `UPDATE "billing"."billing_charges" SET "status" = 'canceled', "nextAttemptAt" = NULL, "updatedAt" = $2
        WHERE "id" = $1`,
      [charge.id, now],
    );
    const [open] = await tx.query<{ n: string }>(
      `SELECT count(*) AS n FROM "billing"."billing_charges" WHERE "billingProfileId" = $1 AND "status" = 'failed'`,
      [charge.billingProfileId],
    );
    if (Number(open?.n) === 0) {
      await setSubscriptionStatus(
        tx,
        charge.billingProfileId,
        ["past_due", "unpaid"],
        "active",
        `${p.invoiceId}:void`,
        now,
      );
    }
  }
  // Committed with the change it records (the consumer's transaction).
  await recordAudit(
    tx,
    {
      eventType: "billing_action",
      tenantId: p.tenantId,
      userId: p.userId,
      details: {
        action: outcome === "canceled" ? "charge_canceled_invoice_voided" : "voided_invoice_was_paid",
        invoiceId: p.invoiceId,
        chargeId: charge.id,
        paymentIntentId: charge.stripePaymentIntentId,
      },
    },
    now,
  );
  return outcome;
}

/** The outbox handler of `invoice.voided`. */
export function invoiceVoidedHandler(deps: Deps): OutboxHandler {
  return async (event, tx) => {
    const parsed = billingEventSchemas["invoice.voided"].safeParse(event.payload);
    if (!parsed.success) throw new PoisonEventError("payload breaks the invoice.voided schema");
    await applyInvoiceVoided(deps, tx, parsed.data);
  };
}
