import { AppError } from "@atlas/errors";
import type { BillingProfile } from "../../../../generated/prisma/client.ts";
import type { Deps } from "../../../ports.ts";
import { emitBillingEvent } from "../outbox.ts";

export interface BillingCustomer {
  userId: string;
  tenantId: string;
}

/** The caller's billing profile, created on first use (one per user: customerId is unique). */
export async function ensureBillingProfile(deps: Deps, who: BillingCustomer): Promise<BillingProfile> {
  // INSERT … ON CONFLICT DO NOTHING: concurrent first calls race safely (an upsert would not).
  await deps.prisma.billingProfile.createMany({
    data: [{ customerId: who.userId, tenantId: who.tenantId }],
    skipDuplicates: true,
  });
  return deps.prisma.billingProfile.findUniqueOrThrow({ where: { customerId: who.userId } });
}

export async function findBillingProfile(deps: Deps, userId: string): Promise<BillingProfile | null> {
  return deps.prisma.billingProfile.findUnique({ where: { customerId: userId } });
}

/**
 * Creates the Stripe customer of the caller once, whatever is retried or raced:
 * 1. the profile row is unique per user;
 * 2. Stripe's idempotency key is derived from the profile id, so concurrent calls get one customer;
 * 3. the id is stored only where none is yet, and `customer.created` is emitted in that same
 *    transaction (its dedupe key is per profile, so it is announced once).
 * Without Stripe configured, the profile alone is the customer (stripeCustomerId null).
 */
export async function createCustomer(
  deps: Deps,
  who: BillingCustomer,
): Promise<{ profile: BillingProfile; created: boolean }> {
  const profile = await ensureBillingProfile(deps, who);
  if (profile.stripeCustomerId) return { profile, created: false };
  const user = await deps.prisma.user.findUnique({ where: { id: who.userId } });
  if (!user) throw new AppError("NOT_FOUND", { detail: "No such user" });
  const stripeCustomerId = deps.stripe
    ? (
        await deps.stripe.createCustomer(
          {
            email: user.email,
            metadata: { atlasUserId: who.userId, atlasTenantId: who.tenantId, atlasBillingProfileId: profile.id },
          },
          `atlas:customer:${profile.id}`,
        )
      ).id
    : null;
  const now = deps.now();
  return deps.prisma.$transaction(async (tx) => {
    if (stripeCustomerId) {
      await tx.billingProfile.updateMany({
        where: { id: profile.id, stripeCustomerId: null },
        data: { stripeCustomerId },
      });
    }
    const created = await emitBillingEvent(
      tx,
      "customer.created",
      { tenantId: who.tenantId, userId: who.userId, billingProfileId: profile.id, stripeCustomerId },
      `customer.created:${profile.id}`,
      now,
      `customer:${profile.id}`,
    );
    const current = await tx.billingProfile.findUniqueOrThrow({ where: { id: profile.id } });
    return { profile: current, created };
  });
}

/** The profile with a Stripe customer, or 409 when the caller has not created one yet. */
export async function requireStripeCustomer(
  deps: Deps,
  userId: string,
): Promise<BillingProfile & { stripeCustomerId: string }> {
  if (!deps.stripe) throw new AppError("NOT_FOUND", { detail: "Stripe billing is not configured" });
  const profile = await findBillingProfile(deps, userId);
  if (!profile?.stripeCustomerId) {
    throw new AppError("CONFLICT", { detail: "Create the billing customer first (POST /billing/customer)" });
  }
  return profile as BillingProfile & { stripeCustomerId: string };
}

/** Chooses how future invoices are paid; crypto needs a configured recipient. */
export async function setPreferredProvider(
  deps: Deps,
  userId: string,
  provider: "stripe" | "crypto",
): Promise<BillingProfile> {
  const profile = await findBillingProfile(deps, userId);
  if (!profile) throw new AppError("NOT_FOUND", { detail: "Create the billing customer first" });
  if (provider === "crypto" && !deps.config.CRYPTO_DEPOSIT_XPUB) {
    throw new AppError("CONFLICT", { detail: "Crypto payments are not configured here" });
  }
  return deps.prisma.billingProfile.update({
    where: { id: profile.id },
    data: { preferredProvider: provider, cryptoEnabled: provider === "crypto" },
  });
}
