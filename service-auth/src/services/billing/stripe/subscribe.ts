import { AppError } from "@atlas/errors";
import type { BillingProfile, Prisma } from "../../../../generated/prisma/client.ts";
import type { Deps } from "../../../ports.ts";
import type { StripeGateway, StripeSubscriptionInfo } from "../../../providers/stripe-gateway.ts";
import { sha256Hex } from "../../platform/crypto.ts";
import { ensureStripeCustomer, findBillingProfile } from "./customers.ts";
import { getActivePlan, stripePriceOf } from "./plans.ts";
import type { SubscriptionStatus } from "./subscription-status.ts";
import {
  applyStripeSubscription,
  currentSubscription,
  LIVE_STATUSES,
  type SubscriptionWithPlan,
} from "./subscriptions.ts";

/** What a plan change answers: the subscription, and the client secret of a first payment that needs the customer. */
export interface SubscribeResult {
  subscription: SubscriptionWithPlan;
  /** Set while the subscription is `incomplete`: the browser confirms this PaymentIntent. */
  clientSecret: string | null;
}

/** Stripe idempotency key of an API-driven change: the caller's Idempotency-Key, hashed. */
const stripeKey = (what: string, id: string, requestKey: string) =>
  `atlas:${what}:${id}:${sha256Hex(requestKey).slice(0, 32)}`;

/** Stripe calls run while the profile row is locked: give them their timeouts and retries. */
const SUBSCRIBE_TX = { maxWait: 30_000, timeout: 120_000 };

/**
 * Subscribes the caller to a plan, or moves the current subscription to it (Stripe prorates the
 * difference). Under a lock of the billing profile row (`FOR UPDATE`), so that concurrent calls
 * (two tabs, two Idempotency-Keys) see each other's subscription and make one, never two:
 * 1. a current paid subscription changes price; a current unpaid (`incomplete`) one of the same
 *    plan is answered again with its client secret, one of another plan is dropped at Stripe;
 * 2. otherwise Stripe creates the subscription (`default_incomplete`; a trial for a first
 *    subscription to a plan with trial days), and when the customer has a default card its
 *    first PaymentIntent is confirmed with it now (the customer is present);
 * 3. the local row and its event are written from Stripe's answer: an `incomplete` subscription
 *    is announced with the free plan's limits, and answered with the first payment's client
 *    secret for the browser to confirm. The webhooks that follow update the same row.
 */
export async function subscribe(
  deps: Deps,
  userId: string,
  planId: string,
  requestKey: string,
): Promise<SubscribeResult> {
  const plan = await getActivePlan(deps, planId);
  const priceId = stripePriceOf(deps, plan);
  if (plan.monthlyPriceMinor === 0 || !priceId) {
    throw new AppError("CONFLICT", {
      detail: "This plan has no subscription: cancel the current subscription to fall back to it",
    });
  }
  const { id: profileId } = await ensureStripeCustomer(deps, userId);
  const stripe = deps.stripe as StripeGateway;
  return deps.prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT "id" FROM "billing"."billing_profiles" WHERE "id" = ${profileId} FOR UPDATE`;
    const profile = (await tx.billingProfile.findUniqueOrThrow({ where: { id: profileId } })) as BillingProfile & {
      stripeCustomerId: string;
    };
    const current = await tx.subscription.findFirst({
      where: { billingProfileId: profile.id, status: { in: LIVE_STATUSES } },
      orderBy: { createdAt: "desc" },
      include: { plan: true },
    });
    const save = (info: StripeSubscriptionInfo, plan?: string) =>
      saveFromApi(deps, tx, info, profile, plan, requestKey);
    let live = current;
    if (live?.stripeSubscriptionId && live.status === "incomplete") {
      // Stripe may have moved on (the browser paid, the 23 hours ran out) before its webhook came.
      const pending = await stripe.retrieveSubscription(live.stripeSubscriptionId);
      if (pending) live = await save(pending);
      if (live.status === "incomplete") {
        if (live.planId === planId) {
          // Asked again (e.g. after adding a card): pay with the default card now if there is one.
          const paid = pending && (await payFirstInvoice(stripe, pending, profile, requestKey));
          if (paid) return { subscription: await save(paid), clientSecret: null };
          return { subscription: live, clientSecret: pending?.clientSecret ?? null };
        }
        // Another plan while the first payment is outstanding: that subscription never started.
        live = await save(
          await stripe.cancelSubscriptionNow(
            live.stripeSubscriptionId as string,
            stripeKey("subscription-drop", live.id, requestKey),
          ),
        );
      }
    }
    if (live?.stripeSubscriptionId && LIVE_STATUSES.includes(live.status as SubscriptionStatus)) {
      if (live.planId === planId && !live.cancelAtPeriodEnd) return { subscription: live, clientSecret: null };
      const info = await stripe.changeSubscriptionPrice(
        live.stripeSubscriptionId,
        priceId,
        stripeKey("subscription-change", live.id, requestKey),
      );
      return { subscription: await save(info, planId), clientSecret: null };
    }
    const before = await tx.subscription.count({ where: { billingProfileId: profile.id } });
    let info = await stripe.createSubscription(
      {
        customerId: profile.stripeCustomerId,
        priceId,
        metadata: { atlasBillingProfileId: profile.id, atlasPlanId: planId },
        // A trial is for a customer's first subscription only.
        ...(before === 0 && plan.trialDays > 0 && { trialDays: plan.trialDays }),
      },
      stripeKey("subscription-create", profile.id, requestKey),
    );
    info = (await payFirstInvoice(stripe, info, profile, requestKey)) ?? info;
    const subscription = await save(info, planId);
    return { subscription, clientSecret: subscription.status === "incomplete" ? (info.clientSecret ?? null) : null };
  }, SUBSCRIBE_TX);
}

/**
 * Confirms an incomplete subscription's first PaymentIntent with the customer's default card (the
 * customer is present: on-session, so 3-D Secure comes back as `requires_action` for the browser).
 * Stripe's subscription after the payment, or null when it was not paid (no card, declined, SCA).
 */
async function payFirstInvoice(
  stripe: StripeGateway,
  info: StripeSubscriptionInfo,
  profile: BillingProfile,
  requestKey: string,
): Promise<StripeSubscriptionInfo | null> {
  if (info.status !== "incomplete" || !info.paymentIntentId || !profile.defaultPaymentMethodId) return null;
  const pi = await stripe.confirmPaymentIntentOnSession(
    info.paymentIntentId,
    profile.defaultPaymentMethodId,
    stripeKey("subscription-first-payment", info.paymentIntentId, requestKey),
  );
  return pi.status === "succeeded" ? await stripe.retrieveSubscription(info.id) : null;
}

async function saveFromApi(
  deps: Deps,
  tx: Prisma.TransactionClient,
  info: StripeSubscriptionInfo,
  profile: BillingProfile,
  planId: string | undefined,
  requestKey: string,
): Promise<SubscriptionWithPlan> {
  const { subscription } = await applyStripeSubscription(deps, tx, info, profile, {
    dedupeKey: `api:${info.id}:${info.status}:${sha256Hex(requestKey).slice(0, 32)}`,
    ...(planId && { planId }),
  });
  if (!subscription) throw new AppError("CONFLICT", { detail: "The subscription's price belongs to no plan" });
  return tx.subscription.findUniqueOrThrow({ where: { id: subscription.id }, include: { plan: true } });
}

/** Cancels the current subscription at the end of its period (`resume` undoes it before then). */
export async function setCancelAtPeriodEnd(
  deps: Deps,
  userId: string,
  cancel: boolean,
  requestKey: string,
): Promise<SubscriptionWithPlan> {
  // Only an existing subscription is changed: no billing customer is made for a 404 (a refused
  // request changes nothing).
  const profile = await findBillingProfile(deps, userId);
  const current = profile ? await currentSubscription(deps, profile.id) : null;
  if (!profile || !current?.stripeSubscriptionId) {
    throw new AppError("NOT_FOUND", { detail: "No current subscription" });
  }
  if (current.cancelAtPeriodEnd === cancel) return current;
  const info = await (deps.stripe as StripeGateway).setCancelAtPeriodEnd(
    current.stripeSubscriptionId,
    cancel,
    stripeKey(cancel ? "subscription-cancel" : "subscription-resume", current.id, requestKey),
  );
  return deps.prisma.$transaction((tx) => saveFromApi(deps, tx, info, profile, undefined, requestKey));
}
