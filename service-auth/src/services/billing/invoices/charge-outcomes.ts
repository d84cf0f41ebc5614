// What an attempt's outcome does to a charge and its customer's subscriptions: succeeded,
// failed (dunning, past_due), errored (retried after a backoff).
import type { BillingEventPayload } from "@atlas/billing-events";
import type { OutboxTransaction } from "@atlas/outbox";
import type { Deps } from "../../../ports.ts";
import type { StripePaymentIntentInfo } from "../../../providers/stripe-gateway.ts";
import { chargeOutcomes } from "../../platform/business-metrics.ts";
import { failureOutcome } from "../stripe/payment-intents.ts";
import { type DunningState, effectiveStatus, grantsPlan } from "../stripe/subscription-status.ts";
import { type ChargeRow, emitSql, type ProfileRow, profileOf } from "./charge-rows.ts";
import { creditDuplicateCard } from "./credits.ts";

/**
 * Subscription status changes driven by payments: `past_due` on a failure, `unpaid` (with the
 * cheapest plan's limits: entitlements reduced) when the grace period ends, `active` again once
 * paid. They set Atlas's dunning state only; the effective status is derived from it and Stripe's
 * status (`effectiveStatus`), under the row's lock, and each change of the effective status is
 * announced with `subscription.updated` in the same transaction.
 */
export async function setSubscriptionStatus(
  tx: OutboxTransaction,
  billingProfileId: string,
  from: string[],
  to: "past_due" | "unpaid" | "active",
  reason: string,
  now: Date,
): Promise<void> {
  const dunningState: DunningState = to === "active" ? "none" : to;
  const subs = await tx.query<{
    id: string;
    planId: string;
    status: string;
    stripeStatus: string | null;
    currentPeriodStart: Date;
    currentPeriodEnd: Date;
    cancelAtPeriodEnd: boolean;
    stripeSubscriptionId: string | null;
  }>(
    `SELECT "id", "planId", "status", "stripeStatus", "currentPeriodStart", "currentPeriodEnd", "cancelAtPeriodEnd",
            "stripeSubscriptionId"
       FROM "billing"."billing_subscriptions"
      WHERE "billingProfileId" = $1 AND "status" = ANY($2::text[]) FOR UPDATE`,
    [billingProfileId, from],
  );
  if (subs.length === 0) return;
  const profile = (await profileOf(tx, billingProfileId)) as ProfileRow;
  for (const sub of subs) {
    const status = effectiveStatus(sub.stripeStatus, dunningState);
    await tx.query(
      `UPDATE "billing"."billing_subscriptions" SET "dunningState" = $2, "status" = $3, "updatedAt" = $4 WHERE "id" = $1`,
      [sub.id, dunningState, status, now],
    );
    if (status === sub.status) continue;
    const [plan] = await tx.query<{ limits: BillingEventPayload<"subscription.updated">["limits"] }>(
      grantsPlan(status)
        ? `SELECT "limits" FROM "billing"."billing_plans" WHERE "id" = $1`
        : `SELECT "limits" FROM "billing"."billing_plans" WHERE "isActive" ORDER BY "monthlyPriceMinor", "sortOrder" LIMIT 1`,
      grantsPlan(status) ? [sub.planId] : [],
    );
    await emitSql(
      tx,
      "subscription.updated",
      {
        tenantId: profile.tenantId,
        userId: profile.customerId,
        subscriptionId: sub.id,
        planId: sub.planId,
        status,
        currentPeriodStart: sub.currentPeriodStart.toISOString(),
        currentPeriodEnd: sub.currentPeriodEnd.toISOString(),
        cancelAtPeriodEnd: sub.cancelAtPeriodEnd,
        limits: plan?.limits as BillingEventPayload<"subscription.updated">["limits"],
        collection: sub.stripeSubscriptionId ? "stripe_subscription" : "invoice",
      },
      `subscription.updated:${sub.id}:${to}:${reason}`,
      now,
      `subscription:${sub.id}`,
    );
  }
}

/** The bounded `provider` label of the charge metrics. */
const providerLabel = (charge: ChargeRow) => (charge.provider === "crypto" ? "crypto" : "stripe");

/** Records a pending outcome of an attempt (`requires_action`, `processing`): the webhook settles it later. */
export function chargePending(deps: Pick<Deps, "metrics">, charge: ChargeRow, status: string): void {
  const label = status === "requires_action" || status === "processing" ? status : "pending";
  chargeOutcomes(deps.metrics).inc({ provider: providerLabel(charge), status: label });
}

export async function chargeSucceeded(
  deps: Pick<Deps, "metrics">,
  tx: OutboxTransaction,
  charge: ChargeRow,
  reference: string,
  now: Date,
) {
  chargeOutcomes(deps.metrics).inc({ provider: providerLabel(charge), status: "succeeded" });
  await tx.query(
    `UPDATE "billing"."billing_charges" SET "status" = 'succeeded', "failureCode" = NULL, "nextAttemptAt" = NULL,
       "updatedAt" = $2 WHERE "id" = $1`,
    [charge.id, now],
  );
  await emitSql(
    tx,
    "payment.succeeded",
    {
      tenantId: charge.tenantId,
      userId: charge.userId,
      invoiceId: charge.invoiceId,
      amountMinor: charge.amountMinor,
      currency: charge.currency,
      provider: charge.provider === "crypto" ? "crypto" : "stripe",
      reference,
    },
    `payment.succeeded:${charge.invoiceId}`,
    now,
    `invoice:${charge.invoiceId}`,
  );
  const [open] = await tx.query<{ n: string }>(
    `SELECT count(*) AS n FROM "billing"."billing_charges"
      WHERE "billingProfileId" = $1 AND "status" IN ('failed', 'action_required')`,
    [charge.billingProfileId],
  );
  if (Number(open?.n) === 0) {
    await setSubscriptionStatus(tx, charge.billingProfileId, ["past_due", "unpaid"], "active", charge.invoiceId, now);
  }
}

/**
 * A failed attempt: the charge goes `failed` (or `action_required` when the customer must
 * authenticate) with its next dunning attempt scheduled (hours after the first failure,
 * DUNNING_RETRY_HOURS; none after a final decline or for action_required) and its grace period
 * set once; `payment.failed` is announced per attempt and the subscription goes `past_due`.
 * `lastError` keeps Stripe's words when it refused the request itself.
 */
export async function chargeFailed(
  deps: Deps,
  tx: OutboxTransaction,
  charge: ChargeRow,
  code: string,
  now: Date,
  lastError: string | null = null,
) {
  const outcome = failureOutcome(code);
  chargeOutcomes(deps.metrics).inc({ provider: providerLabel(charge), status: outcome.status });
  const graceMs = deps.config.DUNNING_GRACE_DAYS * 86_400_000;
  const graceEndsAt = charge.graceEndsAt ?? new Date(now.getTime() + graceMs);
  const firstFailure = graceEndsAt.getTime() - graceMs;
  const retryHours = outcome.retry ? deps.config.DUNNING_RETRY_HOURS[charge.attempts - 1] : undefined;
  const nextAttemptAt = retryHours === undefined ? null : new Date(firstFailure + retryHours * 3_600_000);
  await tx.query(
    `UPDATE "billing"."billing_charges" SET "status" = $6, "failureCode" = $2, "nextAttemptAt" = $3,
       "graceEndsAt" = $4, "updatedAt" = $5, "lastError" = $7 WHERE "id" = $1`,
    [charge.id, code.slice(0, 100), nextAttemptAt, graceEndsAt, now, outcome.status, lastError?.slice(0, 500) ?? null],
  );
  await emitSql(
    tx,
    "payment.failed",
    {
      tenantId: charge.tenantId,
      userId: charge.userId,
      invoiceId: charge.invoiceId,
      provider: "stripe",
      failureCode: code.slice(0, 100),
    },
    `payment.failed:${charge.invoiceId}:${charge.attempts}`,
    now,
    `invoice:${charge.invoiceId}`,
  );
  await setSubscriptionStatus(tx, charge.billingProfileId, ["active", "trialing"], "past_due", charge.invoiceId, now);
}

/** Applies a PaymentIntent's outcome to its charge (from the API answer or a webhook). */
export async function applyPaymentIntent(
  deps: Deps,
  tx: OutboxTransaction,
  charge: ChargeRow,
  pi: StripePaymentIntentInfo,
  now: Date,
): Promise<boolean> {
  if (charge.status === "succeeded") {
    // Crypto paid the invoice and the card went through as well: the card's money becomes credit.
    if (pi.status === "succeeded" && charge.provider === "crypto") return creditDuplicateCard(tx, charge, pi.id, now);
    return false;
  }
  if (pi.status === "succeeded") {
    await chargeSucceeded(deps, tx, charge, pi.id, now);
    return true;
  }
  // requires_payment_method is also where a PaymentIntent starts: only one carrying the error of
  // an attempt (last_payment_error) failed. One created unconfirmed is still waiting for its
  // confirmation. https://docs.stripe.com/payments/paymentintents/lifecycle
  const attemptFailed = pi.status === "requires_payment_method" && pi.failureCode !== null;
  if (attemptFailed || pi.status === "canceled") {
    if (charge.status === "failed" || charge.status === "action_required") return false;
    await chargeFailed(deps, tx, charge, pi.failureCode ?? "payment_failed", now);
    return true;
  }
  // processing / requires_action: the webhook finishes it.
  return false;
}

/**
 * An attempt that ended in an error rather than an answer (Stripe outage, network): not a
 * failed payment (no event, no dunning step used up); the charge keeps its status and is tried
 * again after its own backoff.
 */
export async function chargeErrored(
  deps: Pick<Deps, "metrics">,
  tx: OutboxTransaction,
  charge: ChargeRow,
  message: string,
  now: Date,
) {
  chargeOutcomes(deps.metrics).inc({ provider: providerLabel(charge), status: "errored" });
  // errorBackoffMs in SQL: "errorCount" on the right-hand side is the value before this error.
  await tx.query(
    `UPDATE "billing"."billing_charges" SET "attempts" = $2, "errorCount" = "errorCount" + 1, "lastError" = $3,
       "nextAttemptAt" = $4::timestamptz + LEAST(interval '1 day', interval '15 minutes' * power(2, LEAST("errorCount", 16))),
       "updatedAt" = $4 WHERE "id" = $1`,
    [charge.id, charge.attempts, message.slice(0, 500), now],
  );
}
