import type { BillingEventPayload } from "@atlas/billing-events";
import { AppError } from "@atlas/errors";
import type { Deps } from "../../deps.ts";
import type { BillingProfile, Plan, Prisma, Subscription } from "../../generated/prisma/client.ts";
import type { StripeSubscriptionInfo } from "../../providers/stripe.ts";
import { sha256Hex } from "../crypto.ts";
import { requireStripeCustomer } from "./customers.ts";
import { emitBillingEvent } from "./outbox.ts";
import { freePlan, getActivePlan, type PlanLimits, stripePriceOf } from "./plans.ts";

type SubscriptionStatus = BillingEventPayload<"subscription.updated">["status"];
/** Statuses of a subscription that is still the customer's current one. */
export const LIVE_STATUSES: SubscriptionStatus[] = ["incomplete", "trialing", "active", "past_due", "unpaid"];

/** Stripe's statuses folded onto the event contract's. */
export function mapStripeStatus(status: string): SubscriptionStatus {
  switch (status) {
    case "trialing":
    case "active":
    case "past_due":
    case "canceled":
    case "unpaid":
    case "incomplete":
      return status;
    case "incomplete_expired":
      return "canceled";
    default:
      // paused and anything newer: no service until Stripe says otherwise.
      return "unpaid";
  }
}

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
 * The `subscription.updated` payload. A subscription whose grace period ran out (`unpaid`) is
 * announced with the cheapest plan's limits: that is how entitlements are reduced.
 */
export async function subscriptionUpdatedPayload(
  deps: Deps,
  db: Prisma.TransactionClient,
  sub: Subscription,
  profile: Pick<BillingProfile, "tenantId" | "customerId">,
): Promise<BillingEventPayload<"subscription.updated">> {
  const plan =
    sub.status === "unpaid" ? await freePlan(deps) : await db.plan.findUniqueOrThrow({ where: { id: sub.planId } });
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
 * changed. An event older than the last one applied changes nothing (better-auth#3978). While
 * dunning runs, Stripe's `active` does not lift the local `past_due`/`unpaid`.
 */
export async function applyStripeSubscription(
  deps: Deps,
  tx: Prisma.TransactionClient,
  info: StripeSubscriptionInfo,
  profile: BillingProfile,
  options: { dedupeKey: string; eventCreatedAt?: Date; planId?: string },
): Promise<{ subscription: Subscription | null; changed: boolean }> {
  const now = deps.now();
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
  let status = mapStripeStatus(info.status);
  if ((status === "active" || status === "trialing") && existing && ["past_due", "unpaid"].includes(existing.status)) {
    const openDunning = await tx.charge.count({ where: { billingProfileId: profile.id, status: "failed" } });
    if (openDunning > 0) status = existing.status as SubscriptionStatus;
  }
  const data = {
    planId,
    status,
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
    existing.cancelAtPeriodEnd !== sub.cancelAtPeriodEnd ||
    existing.currentPeriodEnd.getTime() !== sub.currentPeriodEnd.getTime();
  if (!changed) return { subscription: sub, changed };
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

/** Stripe idempotency key of an API-driven change: the caller's Idempotency-Key, hashed. */
const stripeKey = (what: string, id: string, requestKey: string) =>
  `atlas:${what}:${id}:${sha256Hex(requestKey).slice(0, 32)}`;

/**
 * Subscribes the caller to a plan, or moves the current subscription to it (Stripe prorates the
 * difference). The local row and the event are written from Stripe's answer right away; the
 * webhooks that follow update the same row.
 */
export async function subscribe(
  deps: Deps,
  userId: string,
  planId: string,
  requestKey: string,
): Promise<SubscriptionWithPlan> {
  const plan = await getActivePlan(deps, planId);
  const priceId = stripePriceOf(deps, plan);
  if (plan.monthlyPriceMinor === 0 || !priceId) {
    throw new AppError("CONFLICT", {
      detail: "This plan has no subscription: cancel the current subscription to fall back to it",
    });
  }
  const profile = await requireStripeCustomer(deps, userId);
  const stripe = deps.stripe as NonNullable<Deps["stripe"]>;
  const current = await currentSubscription(deps, profile.id);
  let info: StripeSubscriptionInfo;
  if (current?.stripeSubscriptionId) {
    if (current.planId === planId && !current.cancelAtPeriodEnd) return current;
    info = await stripe.changeSubscriptionPrice(
      current.stripeSubscriptionId,
      priceId,
      stripeKey("subscription-change", current.id, requestKey),
    );
  } else {
    info = await stripe.createSubscription(
      {
        customerId: profile.stripeCustomerId,
        priceId,
        metadata: { atlasBillingProfileId: profile.id, atlasPlanId: planId },
      },
      stripeKey("subscription-create", profile.id, requestKey),
    );
  }
  return saveFromApi(deps, info, profile, planId, requestKey);
}

async function saveFromApi(
  deps: Deps,
  info: StripeSubscriptionInfo,
  profile: BillingProfile,
  planId: string | undefined,
  requestKey: string,
): Promise<SubscriptionWithPlan> {
  const sub = await deps.prisma.$transaction(
    async (tx) =>
      (
        await applyStripeSubscription(deps, tx, info, profile, {
          dedupeKey: `api:${info.id}:${sha256Hex(requestKey).slice(0, 32)}`,
          ...(planId && { planId }),
        })
      ).subscription,
  );
  if (!sub) throw new AppError("CONFLICT", { detail: "The subscription's price belongs to no plan" });
  return deps.prisma.subscription.findUniqueOrThrow({ where: { id: sub.id }, include: { plan: true } });
}

/** Cancels the current subscription at the end of its period (`resume` undoes it before then). */
export async function setCancelAtPeriodEnd(
  deps: Deps,
  userId: string,
  cancel: boolean,
  requestKey: string,
): Promise<SubscriptionWithPlan> {
  const profile = await requireStripeCustomer(deps, userId);
  const current = await currentSubscription(deps, profile.id);
  if (!current?.stripeSubscriptionId) throw new AppError("NOT_FOUND", { detail: "No current subscription" });
  if (current.cancelAtPeriodEnd === cancel) return current;
  const info = await (deps.stripe as NonNullable<Deps["stripe"]>).setCancelAtPeriodEnd(
    current.stripeSubscriptionId,
    cancel,
    stripeKey(cancel ? "subscription-cancel" : "subscription-resume", current.id, requestKey),
  );
  return saveFromApi(deps, info, profile, undefined, requestKey);
}
