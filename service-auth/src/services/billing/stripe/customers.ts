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

/** Row lock and time budget of the one-time customer creation (one Stripe call inside). */
const CUSTOMER_TX = { maxWait: 30_000, timeout: 60_000 };

/**
 * Creates the Stripe customer of the caller once, whatever is retried or raced:
 * 1. the profile row is unique per user, and is locked (`FOR UPDATE`) while the customer is made,
 *    so concurrent first calls wait for the first and then find its customer;
 * 2. Stripe's idempotency key is derived from the profile id, so a retry after a lost answer (or
 *    a crash between Stripe and the database) gets the same customer back;
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
  return deps.prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT "id" FROM "billing"."billing_profiles" WHERE "id" = ${profile.id} FOR UPDATE`;
    const locked = await tx.billingProfile.findUniqueOrThrow({ where: { id: profile.id } });
    // Another request made it while this one waited for the lock.
    if (locked.stripeCustomerId) return { profile: locked, created: false };
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
      deps.now(),
      `customer:${profile.id}`,
    );
    const current = await tx.billingProfile.findUniqueOrThrow({ where: { id: profile.id } });
    return { profile: current, created };
  }, CUSTOMER_TX);
}

/**
 * The caller's profile with its Stripe customer, which is created here the first time a billing
 * action needs it (subscribing, adding a card, paying an invoice): nobody has to call
 * `POST /billing/customer` first. 404 when Stripe is not configured on this deployment.
 */
export async function ensureStripeCustomer(
  deps: Deps,
  userId: string,
): Promise<BillingProfile & { stripeCustomerId: string }> {
  if (!deps.stripe) throw new AppError("NOT_FOUND", { detail: "Stripe billing is not configured" });
  let profile = await findBillingProfile(deps, userId);
  if (!profile?.stripeCustomerId) {
    const user = await deps.prisma.user.findUnique({ where: { id: userId }, select: { tenantId: true } });
    if (!user) throw new AppError("NOT_FOUND", { detail: "No such user" });
    profile = (await createCustomer(deps, { userId, tenantId: user.tenantId })).profile;
  }
  return profile as BillingProfile & { stripeCustomerId: string };
}

/** Chooses how future invoices are paid; crypto needs a configured recipient. */
export async function setPreferredProvider(
  deps: Deps,
  who: BillingCustomer,
  provider: "stripe" | "crypto",
): Promise<BillingProfile> {
  // Checked first: a refused request changes nothing (not even the implicit profile).
  if (provider === "crypto" && !deps.config.CRYPTO_DEPOSIT_XPUB) {
    throw new AppError("CONFLICT", { detail: "Crypto payments are not configured here" });
  }
  // The billing profile is made on first use, like the Stripe customer (nothing to call first).
  const profile = await ensureBillingProfile(deps, who);
  return deps.prisma.billingProfile.update({
    where: { id: profile.id },
    data: { preferredProvider: provider, cryptoEnabled: provider === "crypto" },
  });
}
