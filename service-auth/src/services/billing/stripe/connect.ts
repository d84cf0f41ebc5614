import { AppError } from "@atlas/errors";
import type { OutboxTransaction } from "@atlas/outbox";
import type Stripe from "stripe";
import type { ConnectedAccount } from "../../../../generated/prisma/client.ts";
import type { Deps } from "../../../ports.ts";
import { recordAudit } from "../../audit/audit.service.ts";
import type { RequestContext } from "../../login/request-context.ts";
import { type WebhookOutcome, withWebhookLedger } from "./webhook-ledger.ts";

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

/**
 * The platform's fee on a charge made on behalf of a connected account: floor(amount × bps /
 * 10 000), integer math. Rounding down never takes more than the configured share, and keeps the
 * fee within the amount as Stripe requires. Null for charges without a destination or fee.
 */
export async function applicationFeeMinor(
  tx: OutboxTransaction,
  charge: { onBehalfOf: string | null; amountMinor: number },
): Promise<number | null> {
  if (!charge.onBehalfOf) return null;
  const [account] = await tx.query<{ applicationFeeBps: number }>(
    `SELECT "applicationFeeBps" FROM "billing"."billing_connected_accounts" WHERE "stripeAccountId" = $1`,
    [charge.onBehalfOf],
  );
  const fee = Math.floor((charge.amountMinor * (account?.applicationFeeBps ?? 0)) / 10_000);
  return fee > 0 ? fee : null;
}

/** Platform admins set a tenant's application fee (basis points); audited with the old value. */
export async function setApplicationFee(
  deps: Deps,
  tenantId: string,
  applicationFeeBps: number,
  actor: { userId: string; tenantId: string; context: RequestContext },
): Promise<ConnectedAccount> {
  const account = await getConnectedAccount(deps, tenantId);
  const updated = await deps.prisma.connectedAccount.update({ where: { id: account.id }, data: { applicationFeeBps } });
  if (account.applicationFeeBps !== applicationFeeBps) {
    await recordAudit(
      deps.prisma,
      {
        eventType: "connect_application_fee_set",
        tenantId: actor.tenantId,
        userId: actor.userId,
        context: actor.context,
        details: { connectedTenantId: tenantId, from: account.applicationFeeBps, to: applicationFeeBps },
      },
      deps.now(),
    );
  }
  return updated;
}
