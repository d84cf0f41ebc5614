// What deleting an account does to billing: Stripe stops first (the subscription ends now, open
// PaymentIntents are canceled), then the deletion's transaction cancels the open charges and
// announces `charge.canceled`, and no later path (charge saga, dunning) charges the account again.
import { AppError } from "@atlas/errors";
import type { OutboxTransaction } from "@atlas/outbox";
import type { Prisma } from "../../../generated/prisma/client.ts";
import type { Deps } from "../../ports.ts";
import type { StripeGateway } from "../../providers/stripe-gateway.ts";
import { emitSql } from "./invoices/charge-rows.ts";
import { emitBillingEvent } from "./outbox.ts";
import { LIVE_STATUSES } from "./stripe/subscriptions.ts";

/** Charges that may still be collected: deletion cancels them. */
const OPEN_CHARGES = ["pending", "failed"];
/** PaymentIntent statuses in which it can still be confirmed (https://docs.stripe.com/api/payment_intents/cancel). */
const CANCELABLE_PI = ["requires_payment_method", "requires_confirmation", "requires_action", "requires_capture"];

/** The Stripe objects already stopped, so the pass after the transaction handles only latecomers. */
export interface StoppedAtStripe {
  subscriptions: Set<string>;
  paymentIntents: Set<string>;
}

async function stopSubscription(stripe: StripeGateway, stripeSubscriptionId: string, localId: string) {
  const info = await stripe.retrieveSubscription(stripeSubscriptionId);
  if (!info || info.status === "canceled" || info.status === "incomplete_expired") return;
  await stripe.cancelSubscriptionNow(stripeSubscriptionId, `atlas:account-deletion:subscription:${localId}`);
}

async function stopPaymentIntent(stripe: StripeGateway, paymentIntentId: string) {
  const pi = await stripe.retrievePaymentIntent(paymentIntentId);
  if (!pi || !CANCELABLE_PI.includes(pi.status)) return;
  await stripe.cancelPaymentIntent(paymentIntentId, `atlas:account-deletion:payment-intent:${paymentIntentId}`);
}

/**
 * Ends the user's billing at Stripe, before anything is deleted: every live subscription is
 * canceled now (no final invoice, no proration) and every open charge's PaymentIntent canceled,
 * each with an idempotency key of what it does. Stripe unreachable: 503 and nothing is deleted,
 * so the deletion never leaves a live subscription behind silently; the user (or client) retries.
 */
export async function stopStripeBilling(
  deps: Pick<Deps, "prisma" | "stripe" | "logger">,
  userId: string,
  stopped: StoppedAtStripe = { subscriptions: new Set(), paymentIntents: new Set() },
): Promise<StoppedAtStripe> {
  const stripe = deps.stripe;
  const profile = await deps.prisma.billingProfile.findUnique({ where: { customerId: userId } });
  if (!stripe || !profile) return stopped;
  const subs = await deps.prisma.subscription.findMany({
    where: { billingProfileId: profile.id, status: { in: LIVE_STATUSES }, stripeSubscriptionId: { not: null } },
  });
  const charges = await deps.prisma.charge.findMany({
    where: { billingProfileId: profile.id, status: { in: OPEN_CHARGES }, stripePaymentIntentId: { not: null } },
  });
  try {
    for (const sub of subs) {
      const stripeId = sub.stripeSubscriptionId as string;
      if (stopped.subscriptions.has(stripeId)) continue;
      await stopSubscription(stripe, stripeId, sub.id);
      stopped.subscriptions.add(stripeId);
    }
    for (const charge of charges) {
      const piId = charge.stripePaymentIntentId as string;
      if (stopped.paymentIntents.has(piId)) continue;
      await stopPaymentIntent(stripe, piId);
      stopped.paymentIntents.add(piId);
    }
  } catch (error) {
    deps.logger.warn({ err: (error as Error).message, userId }, "account deletion: Stripe could not stop billing");
    throw new AppError("SERVICE_UNAVAILABLE", {
      detail: "The payment provider could not be reached, so the account was not deleted: try again shortly",
      headers: { "Retry-After": "30" },
    });
  }
  return stopped;
}

/**
 * Inside the deletion's transaction: live subscriptions end (`subscription.canceled`) and open
 * charges become `canceled` (failureCode `account_deleted`) with `charge.canceled`, so cloud-api
 * voids their invoices. Returns the number of subscriptions ended.
 */
export async function cancelBillingInTransaction(
  tx: Prisma.TransactionClient,
  input: { tenantId: string; userId: string; now: Date },
): Promise<number> {
  const profile = await tx.billingProfile.findUnique({ where: { customerId: input.userId } });
  if (!profile) return 0;
  const live = await tx.subscription.findMany({
    where: { billingProfileId: profile.id, status: { in: LIVE_STATUSES } },
  });
  for (const sub of live) {
    await tx.subscription.update({
      where: { id: sub.id },
      data: {
        status: "canceled",
        ...(sub.stripeSubscriptionId && { stripeStatus: "canceled" }),
        canceledAt: input.now,
        cancelAtPeriodEnd: false,
      },
    });
    await emitBillingEvent(
      tx,
      "subscription.canceled",
      {
        tenantId: input.tenantId,
        userId: input.userId,
        subscriptionId: sub.id,
        planId: sub.planId,
        canceledAt: input.now.toISOString(),
      },
      `subscription.canceled:${sub.id}:account_deleted`,
      input.now,
      `subscription:${sub.id}`,
    );
  }
  const open = await tx.charge.findMany({ where: { billingProfileId: profile.id, status: { in: OPEN_CHARGES } } });
  for (const charge of open) {
    await tx.charge.update({
      where: { id: charge.id },
      data: { status: "canceled", failureCode: "account_deleted", nextAttemptAt: null },
    });
    await emitBillingEvent(
      tx,
      "charge.canceled",
      {
        tenantId: charge.tenantId ?? input.tenantId,
        userId: input.userId,
        invoiceId: charge.invoiceId,
        reason: "account_deleted",
      },
      `charge.canceled:${charge.invoiceId}`,
      input.now,
      `invoice:${charge.invoiceId}`,
    );
  }
  return live.length;
}

/**
 * Whether the owner of a billing profile deleted their account. The user row is read `FOR SHARE`:
 * a deletion running now (it holds the row `FOR UPDATE`) is waited for, and none can start until
 * this charge step commits, so a charge is either canceled by the deletion or refused here.
 */
export async function ownerDeleted(tx: OutboxTransaction, billingProfileId: string): Promise<boolean> {
  const rows = await tx.query<{ deletedAt: Date | null }>(
    `SELECT u."deletedAt" FROM "auth"."auth_users" u
       JOIN "billing"."billing_profiles" p ON p."customerId" = u."id"
      WHERE p."id" = $1 FOR SHARE OF u`,
    [billingProfileId],
  );
  return rows[0]?.deletedAt != null;
}

/** A charge of a deleted account: `canceled` (account_deleted), announced so its invoice is voided. */
export async function cancelChargeOfDeletedAccount(
  tx: OutboxTransaction,
  charge: { id: string; invoiceId: string; tenantId: string; userId: string },
  now: Date,
): Promise<void> {
  await tx.query(
    `UPDATE "billing"."billing_charges" SET "status" = 'canceled', "failureCode" = 'account_deleted',
       "nextAttemptAt" = NULL, "updatedAt" = $2 WHERE "id" = $1`,
    [charge.id, now],
  );
  await emitSql(
    tx,
    "charge.canceled",
    { tenantId: charge.tenantId, userId: charge.userId, invoiceId: charge.invoiceId, reason: "account_deleted" },
    `charge.canceled:${charge.invoiceId}`,
    now,
    `invoice:${charge.invoiceId}`,
  );
}
