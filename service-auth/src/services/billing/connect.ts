import { AppError } from "@atlas/errors";
import type Stripe from "stripe";
import type { Deps } from "../../deps.ts";
import type { ConnectedAccount } from "../../generated/prisma/client.ts";
import { recordAudit } from "../audit.service.ts";
import type { RequestContext } from "../request-context.ts";
import { type WebhookOutcome, withWebhookLedger } from "./stripe-webhooks.ts";

function requireStripe(deps: Deps): NonNullable<Deps["stripe"]> {
  if (!deps.stripe) throw new AppError("NOT_FOUND", { detail: "Stripe billing is not configured" });
  return deps.stripe;
}

/**
 * The tenant's Stripe Connect account, created once: the tenant id is unique locally and is the
 * Stripe idempotency key, so concurrent calls make one account.
 */
export async function ensureConnectedAccount(
  deps: Deps,
  tenantId: string,
  userId: string,
  context: RequestContext,
): Promise<{ account: ConnectedAccount; created: boolean }> {
  const stripe = requireStripe(deps);
  const existing = await deps.prisma.connectedAccount.findUnique({ where: { tenantId } });
  if (existing) return { account: existing, created: false };
  const tenant = await deps.prisma.tenant.findUniqueOrThrow({ where: { id: tenantId } });
  const { id } = await stripe.createConnectedAccount(
    { email: null, metadata: { atlasTenantId: tenantId, atlasTenantSlug: tenant.slug } },
    `atlas:connect-account:${tenantId}`,
  );
  const created = await deps.prisma.connectedAccount.createMany({
    data: [{ tenantId, stripeAccountId: id }],
    skipDuplicates: true,
  });
  await deps.prisma.billingProfile.updateMany({ where: { tenantId }, data: { connectedAccountId: id } });
  if (created.count === 1) {
    await recordAudit(
      deps.prisma,
      { eventType: "connect_account_created", tenantId, userId, context, details: { connectedAccount: id } },
      deps.now(),
    );
  }
  return {
    account: await deps.prisma.connectedAccount.findUniqueOrThrow({ where: { tenantId } }),
    created: created.count === 1,
  };
}

/** A fresh onboarding link for the tenant's account (links are short-lived, single use). */
export async function onboardingLink(deps: Deps, tenantId: string): Promise<{ url: string; expiresAt: Date }> {
  const stripe = requireStripe(deps);
  const account = await deps.prisma.connectedAccount.findUnique({ where: { tenantId } });
  if (!account) throw new AppError("NOT_FOUND", { detail: "The tenant has no connected account yet" });
  return stripe.createAccountLink(
    account.stripeAccountId,
    deps.config.STRIPE_CONNECT_REFRESH_URL,
    deps.config.STRIPE_CONNECT_RETURN_URL,
  );
}

export async function getConnectedAccount(deps: Deps, tenantId: string): Promise<ConnectedAccount> {
  const account = await deps.prisma.connectedAccount.findUnique({ where: { tenantId } });
  if (!account) throw new AppError("NOT_FOUND", { detail: "The tenant has no connected account" });
  return account;
}

/** The account charges of this tenant are made on behalf of: only once it can take charges. */
export async function chargeDestination(deps: Pick<Deps, "prisma">, tenantId: string): Promise<string | null> {
  const account = await deps.prisma.connectedAccount.findUnique({ where: { tenantId } });
  return account?.chargesEnabled ? account.stripeAccountId : null;
}

/** `account.updated`: the onboarding status, re-read from Stripe (deliveries come out of order). */
export async function applyAccountUpdate(deps: Deps, event: Stripe.Event): Promise<WebhookOutcome> {
  const snapshot = event.data.object as Stripe.Account;
  const local = await deps.prisma.connectedAccount.findUnique({ where: { stripeAccountId: snapshot.id } });
  if (!local) return "ignored";
  const current = (await deps.stripe?.retrieveAccount(snapshot.id)) ?? {
    chargesEnabled: snapshot.charges_enabled ?? false,
    payoutsEnabled: snapshot.payouts_enabled ?? false,
    detailsSubmitted: snapshot.details_submitted ?? false,
  };
  return withWebhookLedger(deps, event, async (tx) => {
    await tx.connectedAccount.update({
      where: { id: local.id },
      data: {
        chargesEnabled: current.chargesEnabled,
        payoutsEnabled: current.payoutsEnabled,
        detailsSubmitted: current.detailsSubmitted,
      },
    });
    return "applied";
  });
}
