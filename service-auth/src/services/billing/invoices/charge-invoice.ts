import { randomUUID } from "node:crypto";
import { type BillingEventPayload, type BillingEventType, billingEventSchemas, outboxRow } from "@atlas/billing-events";
import { enqueueOutboxEvent, type OutboxHandler, type OutboxTransaction, PoisonEventError } from "@atlas/outbox";
import type Stripe from "stripe";
import type { Deps } from "../../../ports.ts";
import type { StripePaymentIntentInfo } from "../../../providers/stripe-gateway.ts";
import { isStripeError, paymentIntentInfo, stripeRefusal } from "../../../providers/stripe-mapping.ts";
import { cancelChargeOfDeletedAccount, ownerDeleted } from "../account-billing.ts";
import { failureOutcome, invoicePaymentIntent, paymentIntentKey } from "../stripe/payment-intents.ts";
import { recordWebhookSql, type WebhookOutcome } from "../stripe/stripe-webhooks.ts";
import { type DunningState, effectiveStatus, grantsPlan } from "../stripe/subscription-status.ts";
import { applyCredit, creditDuplicateCard } from "./credits.ts";

/** A charge row as the saga reads it (raw SQL: it runs in the outbox consumer's transaction). */
export interface ChargeRow {
  id: string;
  invoiceId: string;
  billingProfileId: string;
  amountMinor: number;
  currency: string;
  provider: string;
  stripePaymentIntentId: string | null;
  status: string;
  attempts: number;
  tenantId: string;
  userId: string;
  onBehalfOf: string | null;
  graceEndsAt: Date | null;
}

interface ProfileRow {
  id: string;
  tenantId: string;
  customerId: string;
  stripeCustomerId: string | null;
  preferredProvider: string;
  defaultPaymentMethodId: string | null;
}

export { paymentIntentKey };

/** Emits a billing event through raw SQL in the saga's transaction. */
export async function emitSql<T extends BillingEventType>(
  tx: OutboxTransaction,
  eventType: T,
  payload: BillingEventPayload<T>,
  dedupeKey: string,
  now: Date,
  aggregateKey: string,
): Promise<boolean> {
  const row = outboxRow(eventType, payload, "service-auth", dedupeKey);
  return enqueueOutboxEvent(tx, { ...row, aggregateKey }, now);
}

const CHARGE_COLUMNS = `"id", "invoiceId", "billingProfileId", "amountMinor", "currency", "provider",
  "stripePaymentIntentId", "status", "attempts", "tenantId", "userId", "onBehalfOf", "graceEndsAt"`;

export async function lockCharge(tx: OutboxTransaction, where: string, value: unknown): Promise<ChargeRow | null> {
  const rows = await tx.query<ChargeRow>(
    `SELECT ${CHARGE_COLUMNS} FROM "billing"."billing_charges" WHERE ${where} = $1 FOR UPDATE`,
    [value],
  );
  return rows[0] ?? null;
}

async function profileOf(tx: OutboxTransaction, id: string): Promise<ProfileRow | null> {
  const rows = await tx.query<ProfileRow>(
    `SELECT "id", "tenantId", "customerId", "stripeCustomerId", "preferredProvider", "defaultPaymentMethodId"
       FROM "billing"."billing_profiles" WHERE "id" = $1 OR "customerId" = $1`,
    [id],
  );
  return rows[0] ?? null;
}

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

export async function chargeSucceeded(tx: OutboxTransaction, charge: ChargeRow, reference: string, now: Date) {
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
async function chargeFailed(
  deps: Deps,
  tx: OutboxTransaction,
  charge: ChargeRow,
  code: string,
  now: Date,
  lastError: string | null = null,
) {
  const outcome = failureOutcome(code);
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
    await chargeSucceeded(tx, charge, pi.id, now);
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
 * The charge step of the saga, for one `invoice.finalized` event, inside the consumer's
 * transaction:
 * 1. one charge row per invoice (`invoiceId` unique), locked;
 * 2. a charge that already has an outcome is left alone;
 * 3. crypto customers get a pending charge that `POST /billing/crypto/confirm` settles;
 * 4. otherwise one PaymentIntent, created with an idempotency key derived from the invoice id:
 *    a re-run after a crash (the transaction rolled back, the PaymentIntent exists) gets the same
 *    PaymentIntent back from Stripe, never a second charge;
 * 5. its outcome: `payment.succeeded`, or `payment.failed` and dunning.
 */
export async function chargeInvoice(
  deps: Deps,
  tx: OutboxTransaction,
  invoice: BillingEventPayload<"invoice.finalized">,
): Promise<void> {
  const now = deps.now();
  let profile = await profileOf(tx, invoice.userId);
  if (!profile) {
    // A user who never opened billing still owes the invoice: give them a profile (dunning will
    // ask for a card). An invoice of no user at all can never be charged: parked.
    const users = await tx.query(`SELECT 1 FROM "auth"."auth_users" WHERE "id" = $1 AND "tenantId" = $2`, [
      invoice.userId,
      invoice.tenantId,
    ]);
    if (users.length === 0) throw new PoisonEventError("invoice of an unknown user");
    await tx.query(
      `INSERT INTO "billing"."billing_profiles" ("id", "customerId", "tenantId", "createdAt", "updatedAt")
       VALUES ($1, $2, $3, $4, $4) ON CONFLICT ("customerId") DO NOTHING`,
      [randomUUID(), invoice.userId, invoice.tenantId, now],
    );
    profile = (await profileOf(tx, invoice.userId)) as ProfileRow;
  }
  const [destination] = await tx.query<{ stripeAccountId: string }>(
    `SELECT "stripeAccountId" FROM "billing"."billing_connected_accounts" WHERE "tenantId" = $1 AND "chargesEnabled"`,
    [invoice.tenantId],
  );
  const provider = profile.preferredProvider === "crypto" ? "crypto" : "stripe";
  await tx.query(
    `INSERT INTO "billing"."billing_charges" ("id", "invoiceId", "billingProfileId", "amountMinor", "currency",
       "provider", "status", "tenantId", "userId", "onBehalfOf", "createdAt", "updatedAt", "dueAt")
     VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, $9, $10, $10, $11)
     ON CONFLICT ("invoiceId") DO NOTHING`,
    [
      randomUUID(),
      invoice.invoiceId,
      profile.id,
      // The plan fee a Stripe subscription collects is listed on the invoice but not charged again.
      invoice.amountDueMinor ?? invoice.totalMinor,
      invoice.currency,
      provider,
      invoice.tenantId,
      invoice.userId,
      destination?.stripeAccountId ?? null,
      now,
      invoice.dueAt ? new Date(invoice.dueAt) : new Date(now.getTime() + deps.config.INVOICE_DUE_DAYS * 86_400_000),
    ],
  );
  const charge = (await lockCharge(tx, `"invoiceId"`, invoice.invoiceId)) as ChargeRow;
  if (charge.status !== "pending" || charge.stripePaymentIntentId) return;
  // A deleted account is never charged again (DELETE /auth/me): its invoice is voided instead.
  if (await ownerDeleted(tx, charge.billingProfileId)) {
    await cancelChargeOfDeletedAccount(tx, { ...charge, tenantId: invoice.tenantId, userId: invoice.userId }, now);
    return;
  }
  if (charge.amountMinor === 0) {
    await chargeSucceeded(tx, charge, `zero:${charge.invoiceId}`, now);
    return;
  }
  // Customer credit (over- and double payments) pays first; only the rest is charged.
  if ((await applyCredit(tx, charge, now)) === 0) {
    await chargeSucceeded(tx, charge, `credit:${charge.invoiceId}`, now);
    return;
  }
  if (charge.provider === "crypto") return;
  await attemptStripeCharge(deps, tx, charge, profile, now);
}

/** What a charge still asks for: its amount less the customer credit applied to it. */
async function chargeableMinor(tx: OutboxTransaction, charge: ChargeRow): Promise<number> {
  const [row] = await tx.query<{ applied: number }>(
    `SELECT "creditAppliedMinor" AS applied FROM "billing"."billing_charges" WHERE "id" = $1`,
    [charge.id],
  );
  return charge.amountMinor - (row?.applied ?? 0);
}

/**
 * An attempt that ended in an error rather than an answer (Stripe outage, network): not a
 * failed payment (no event, no dunning step used up); the charge keeps its status and is tried
 * again after its own backoff.
 */
export async function chargeErrored(tx: OutboxTransaction, charge: ChargeRow, message: string, now: Date) {
  // errorBackoffMs in SQL: "errorCount" on the right-hand side is the value before this error.
  await tx.query(
    `UPDATE "billing"."billing_charges" SET "attempts" = $2, "errorCount" = "errorCount" + 1, "lastError" = $3,
       "nextAttemptAt" = $4::timestamptz + LEAST(interval '1 day', interval '15 minutes' * power(2, LEAST("errorCount", 16))),
       "updatedAt" = $4 WHERE "id" = $1`,
    [charge.id, charge.attempts, message.slice(0, 500), now],
  );
}

/**
 * One Stripe attempt on a locked charge: the invoice's one PaymentIntent (created once, its id
 * committed before it is confirmed: see invoicePaymentIntent), confirmed off-session with the
 * customer's default payment method named explicitly (a PaymentIntent never falls back to the
 * customer's invoice default). Stripe refusing the request (no or a detached payment method, a
 * PaymentIntent in another state) is a failed attempt that enters dunning; an outage is
 * recorded with its own backoff; neither throws into the outbox consumer.
 */
export async function attemptStripeCharge(
  deps: Deps,
  tx: OutboxTransaction,
  charge: ChargeRow,
  profile: ProfileRow | null,
  now: Date,
): Promise<void> {
  if (await ownerDeleted(tx, charge.billingProfileId)) {
    await cancelChargeOfDeletedAccount(tx, charge, now);
    return;
  }
  const owner = profile ?? (await profileOf(tx, charge.billingProfileId));
  const attempt = { ...charge, attempts: charge.attempts + 1 };
  await tx.query(`UPDATE "billing"."billing_charges" SET "attempts" = $2 WHERE "id" = $1`, [
    charge.id,
    attempt.attempts,
  ]);
  if (!deps.stripe || !owner?.stripeCustomerId) {
    await chargeFailed(deps, tx, attempt, "no_payment_method", now);
    return;
  }
  let settled = attempt;
  try {
    // The PaymentIntent asks for what is left after the customer credit applied to the charge.
    const intent = await invoicePaymentIntent(
      deps,
      { ...charge, amountMinor: await chargeableMinor(tx, charge) },
      owner.stripeCustomerId,
    );
    settled = { ...attempt, stripePaymentIntentId: intent.id };
    await tx.query(`UPDATE "billing"."billing_charges" SET "stripePaymentIntentId" = $2 WHERE "id" = $1`, [
      charge.id,
      intent.id,
    ]);
    if (intent.status === "succeeded") return void (await chargeSucceeded(tx, settled, intent.id, now));
    const pm = owner.defaultPaymentMethodId;
    if (!pm) return void (await chargeFailed(deps, tx, settled, "no_payment_method", now));
    const pi = await deps.stripe.confirmPaymentIntent(
      intent.id,
      pm,
      `${paymentIntentKey(charge.invoiceId)}:attempt-${attempt.attempts}:${pm}`,
    );
    if (pi.status === "succeeded") await chargeSucceeded(tx, settled, pi.id, now);
    else if (pi.status === "requires_payment_method" || pi.status === "canceled") {
      // Every failed attempt counts (a retry of a failed charge included): next retry, event.
      await chargeFailed(deps, tx, settled, pi.failureCode ?? "payment_failed", now);
    }
  } catch (error) {
    const refusal = stripeRefusal(error);
    if (refusal && settled.stripePaymentIntentId && refusal.code === "payment_intent_unexpected_state") {
      // Paid meanwhile (Pay now, a webhook not seen yet): Stripe's state decides.
      const current = await deps.stripe.retrievePaymentIntent(settled.stripePaymentIntentId);
      if (current?.status === "succeeded") return void (await chargeSucceeded(tx, settled, current.id, now));
    }
    if (refusal) return void (await chargeFailed(deps, tx, settled, refusal.code, now, refusal.message));
    if (!isStripeError(error)) throw error;
    await chargeErrored(tx, charge, (error as Error).message, now);
  }
}

/** The outbox handler of `invoice.finalized` (cloud-api → auth: charge it). */
export function invoiceFinalizedHandler(deps: Deps): OutboxHandler {
  return async (event, tx) => {
    const parsed = billingEventSchemas["invoice.finalized"].safeParse(event.payload);
    if (!parsed.success) throw new PoisonEventError("payload breaks the invoice.finalized schema");
    await chargeInvoice(deps, tx, parsed.data);
  };
}

/**
 * `payment_intent.succeeded` / `payment_intent.payment_failed`: settles a charge whose outcome
 * was not known when it was made (processing, 3-D Secure). Re-reads the PaymentIntent: the
 * event's snapshot may be older than its state.
 */
export async function applyPaymentIntentUpdate(deps: Deps, event: Stripe.Event): Promise<WebhookOutcome> {
  const snapshot = event.data.object as Stripe.PaymentIntent;
  const local = await deps.prisma.charge.findUnique({ where: { stripePaymentIntentId: snapshot.id } });
  if (!local) return "ignored";
  const current = (await deps.stripe?.retrievePaymentIntent(snapshot.id)) ?? paymentIntentInfo(snapshot);
  const changed = await deps.database.transaction(async (q) => {
    // The ledger row and the effect commit together (raw SQL: the saga's code runs on pg).
    if (!(await recordWebhookSql(q, event, deps.now()))) return null;
    const charge = await lockCharge(q, `"id"`, local.id);
    return charge ? applyPaymentIntent(deps, q, charge, current, deps.now()) : false;
  });
  return changed === null ? "duplicate" : changed ? "applied" : "unchanged";
}
