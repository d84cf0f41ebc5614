import { type BillingEventPayload, billingEventSchemas } from "@atlas/billing-events";
import { type OutboxHandler, type OutboxTransaction, PoisonEventError } from "@atlas/outbox";
import type Stripe from "stripe";
import type { Deps } from "../../../ports.ts";
import { isStripeError, paymentIntentInfo, stripeRefusal } from "../../../providers/stripe-mapping.ts";
import { cancelChargeOfDeletedAccount, ownerDeleted } from "../account-billing.ts";
import { invoicePaymentIntent, paymentIntentKey } from "../stripe/payment-intents.ts";
import { recordWebhookEvent, type WebhookOutcome } from "../stripe/webhook-ledger.ts";
import { applyPaymentIntent, chargeErrored, chargeFailed, chargePending, chargeSucceeded } from "./charge-outcomes.ts";
import { type ChargeRow, lockCharge, type ProfileRow, profileOf } from "./charge-rows.ts";
import { applyCredit } from "./credits.ts";

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
      [deps.random.uuid(), invoice.userId, invoice.tenantId, now],
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
      deps.random.uuid(),
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
    await chargeSucceeded(deps, tx, charge, `zero:${charge.invoiceId}`, now);
    return;
  }
  // Customer credit (over- and double payments) pays first; only the rest is charged.
  if ((await applyCredit(tx, charge, now)) === 0) {
    await chargeSucceeded(deps, tx, charge, `credit:${charge.invoiceId}`, now);
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
    if (intent.status === "succeeded") return void (await chargeSucceeded(deps, tx, settled, intent.id, now));
    const pm = owner.defaultPaymentMethodId;
    if (!pm) return void (await chargeFailed(deps, tx, settled, "no_payment_method", now));
    const pi = await deps.stripe.confirmPaymentIntent(
      intent.id,
      pm,
      `${paymentIntentKey(charge.invoiceId)}:attempt-${attempt.attempts}:${pm}`,
    );
    if (pi.status === "succeeded") await chargeSucceeded(deps, tx, settled, pi.id, now);
    else if (pi.status === "requires_payment_method" || pi.status === "canceled") {
      // Every failed attempt counts (a retry of a failed charge included): next retry, event.
      await chargeFailed(deps, tx, settled, pi.failureCode ?? "payment_failed", now);
    } else chargePending(deps, settled, pi.status);
  } catch (error) {
    const refusal = stripeRefusal(error);
    if (refusal && settled.stripePaymentIntentId && refusal.code === "payment_intent_unexpected_state") {
      // Paid meanwhile (Pay now, a webhook not seen yet): Stripe's state decides.
      const current = await deps.stripe.retrievePaymentIntent(settled.stripePaymentIntentId);
      if (current?.status === "succeeded") return void (await chargeSucceeded(deps, tx, settled, current.id, now));
    }
    if (refusal) return void (await chargeFailed(deps, tx, settled, refusal.code, now, refusal.message));
    if (!isStripeError(error)) throw error;
    await chargeErrored(deps, tx, charge, (error as Error).message, now);
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
    if (!(await recordWebhookEvent(q, event, deps.now()))) return null;
    const charge = await lockCharge(q, `"id"`, local.id);
    return charge ? applyPaymentIntent(deps, q, charge, current, deps.now()) : false;
  });
  return changed === null ? "duplicate" : changed ? "applied" : "unchanged";
}
