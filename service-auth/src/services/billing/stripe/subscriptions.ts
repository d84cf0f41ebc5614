import type { BillingEventPayload } from "@atlas/billing-events";
import type { BillingProfile, Plan, Prisma, Subscription } from "../../../../generated/prisma/client.ts";
import type { Deps } from "../../../ports.ts";
import type { StripeSubscriptionInfo } from "../../../providers/stripe-gateway.ts";
import { emitBillingEvent } from "../outbox.ts";
import { freePlan, type PlanLimits } from "./plans.ts";
import { effectiveStatus, grantsPlan, type SubscriptionStatus } from "./subscription-status.ts";

/** Statuses of a subscription that is still the customer's current one. */
export const LIVE_STATUSES: SubscriptionStatus[] = ["incomplete", "trialing", "active", "past_due", "unpaid"];

export { mapStripeStatus } from "./subscription-status.ts";

export type SubscriptionWithPlan = Subscription & { plan: Plan };

export async function currentSubscription(deps: Deps, billingProfileId: string): Promise<SubscriptionWithPlan | null> {
  return deps.prisma.subscription.findFirst({
    where: { billingProfileId, status: { in: LIVE_STATUSES } },
    orderBy: { createdAt: "desc" },
    include: { plan: true },
  });
}

/** The plan a Stripe price belongs to (configuration first, then the plans' own column). */
export async function planForPrice(
  deps: Pick<Deps, "config">,
  db: Prisma.TransactionClient,
  priceId: string | null,
): Promise<Plan | null> {
  if (!priceId) return null;
  for (const [planId, price] of deps.config.STRIPE_PRICE_IDS) {
    if (price === priceId) return db.plan.findUnique({ where: { id: planId } });
  }
  return db.plan.findUnique({ where: { stripePriceId: priceId } });
}

/**
 * The `subscription.updated` payload. Only a subscription that is paid, trialing or in its grace
 * period is announced with its plan's limits; one not paid yet (`incomplete`) or whose grace ran
 * out (`unpaid`) carries the cheapest plan's: that is how entitlements are withheld or reduced.
 */
export async function subscriptionUpdatedPayload(
  deps: Deps,
  db: Prisma.TransactionClient,
  sub: Subscription,
  profile: Pick<BillingProfile, "tenantId" | "customerId">,
): Promise<BillingEventPayload<"subscription.updated">> {
  const plan = grantsPlan(sub.status)
    ? await db.plan.findUniqueOrThrow({ where: { id: sub.planId } })
    : await freePlan(deps);
  return {
    tenantId: profile.tenantId,
    userId: profile.customerId,
    subscriptionId: sub.id,
    planId: sub.planId,
    status: sub.status as SubscriptionStatus,
    currentPeriodStart: sub.currentPeriodStart.toISOString(),
    currentPeriodEnd: sub.currentPeriodEnd.toISOString(),
    cancelAtPeriodEnd: sub.cancelAtPeriodEnd,
    limits: plan.limits as unknown as PlanLimits,
    // cloud-api lists the plan fee on its invoice as prepaid when Stripe collects it.
    collection: sub.stripeSubscriptionId ? "stripe_subscription" : "invoice",
  };
}

/**
 * Writes Stripe's view of a subscription into the local row keyed by its unique Stripe id (the
 * API answer and every webhook upsert the same row: never two rows, better-auth#7239), and emits
 * `subscription.updated` / `subscription.canceled` in the same transaction when something
 * changed. The row is locked first (`FOR UPDATE`), so concurrent deliveries and dunning apply one
 * after the other. An event older than the last one applied changes nothing (better-auth#3978).
 * Stripe's status is recorded as such; the effective status also weighs Atlas's dunning state,
 * so Stripe's `active` does not lift an open dunning.
 */
export async function applyStripeSubscription(
  deps: Deps,
  tx: Prisma.TransactionClient,
  info: StripeSubscriptionInfo,
  profile: BillingProfile,
  options: { dedupeKey: string; eventCreatedAt?: Date; planId?: string },
): Promise<{ subscription: Subscription | null; changed: boolean }> {
  const now = deps.now();
  await tx.$queryRaw`SELECT "id" FROM "billing"."billing_subscriptions" WHERE "stripeSubscriptionId" = ${info.id} FOR UPDATE`;
  const existing = await tx.subscription.findUnique({ where: { stripeSubscriptionId: info.id } });
  if (
    existing?.stripeEventCreatedAt &&
    options.eventCreatedAt &&
    options.eventCreatedAt < existing.stripeEventCreatedAt
  ) {
    return { subscription: existing, changed: false };
  }
  const planId = options.planId ?? (await planForPrice(deps, tx, info.priceId))?.id ?? existing?.planId;
  if (!planId) return { subscription: null, changed: false };
  const status = effectiveStatus(info.status, existing?.dunningState ?? "none");
  const data = {
    planId,
    status,
    stripeStatus: info.status,
    currentPeriodStart: info.currentPeriodStart,
    currentPeriodEnd: info.currentPeriodEnd,
    cancelAtPeriodEnd: info.cancelAtPeriodEnd,
    canceledAt: status === "canceled" ? (info.canceledAt ?? now) : null,
    ...(options.eventCreatedAt && { stripeEventCreatedAt: options.eventCreatedAt }),
  };
  const sub = await tx.subscription.upsert({
    where: { stripeSubscriptionId: info.id },
    create: { ...data, billingProfileId: profile.id, stripeSubscriptionId: info.id },
    update: data,
  });
  const changed =
    !existing ||
    existing.planId !== sub.planId ||
    existing.status !== sub.status ||
    existing.stripeStatus !== sub.stripeStatus ||
    existing.cancelAtPeriodEnd !== sub.cancelAtPeriodEnd ||
    existing.currentPeriodEnd.getTime() !== sub.currentPeriodEnd.getTime();
  if (!changed) return { subscription: sub, changed };
  // Stripe's status alone (e.g. `active` under open dunning) changes nothing cloud-api sees.
  const announced =
    !existing ||
    existing.planId !== sub.planId ||
    existing.status !== sub.status ||
    existing.cancelAtPeriodEnd !== sub.cancelAtPeriodEnd ||
    existing.currentPeriodEnd.getTime() !== sub.currentPeriodEnd.getTime();
  if (!announced) return { subscription: sub, changed };
  const aggregate = `subscription:${sub.id}`;
  if (sub.status === "canceled") {
    await emitBillingEvent(
      tx,
      "subscription.canceled",
      {
        tenantId: profile.tenantId,
        userId: profile.customerId,
        subscriptionId: sub.id,
        planId: sub.planId,
        canceledAt: (sub.canceledAt ?? now).toISOString(),
      },
      `subscription.canceled:${sub.id}`,
      now,
      aggregate,
    );
  } else {
    await emitBillingEvent(
      tx,
      "subscription.updated",
      await subscriptionUpdatedPayload(deps, tx, sub, profile),
      `subscription.updated:${options.dedupeKey}`,
      now,
      aggregate,
    );
  }
  return { subscription: sub, changed };
}
