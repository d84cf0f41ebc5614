import type { Deps } from "../../../ports.ts";
import type { StripePaymentIntentInfo } from "../../../providers/stripe-gateway.ts";
import { applicationFeeMinor } from "./connect.ts";

/** The Stripe idempotency key of an invoice's one PaymentIntent. */
export const paymentIntentKey = (invoiceId: string) => `atlas:invoice:${invoiceId}:payment-intent`;

/**
 * Decline codes after which retrying the same card can never succeed (the card is reported lost
 * or stolen, the issuer suspects fraud, or it refuses this kind of payment): dunning stops
 * retrying, the grace period runs on, and only the customer (Pay now with another card) can pay.
 * https://docs.stripe.com/declines/codes, https://docs.stripe.com/declines/card#retrying-issuer-declines
 */
export const FINAL_DECLINE_CODES: ReadonlySet<string> = new Set([
  "stolen_card",
  "lost_card",
  "fraudulent",
  "pickup_card",
  "restricted_card",
  "merchant_blacklist",
  "invalid_account",
  "revocation_of_all_authorizations",
  "revocation_of_authorization",
  "security_violation",
  "stop_payment_order",
]);

/**
 * What a failure code means for dunning: `authentication_required` waits for the customer
 * (action_required, never retried off-session: it would fail the same way); a final decline is
 * not retried; everything else is retried on the dunning schedule.
 */
export function failureOutcome(code: string): { status: "failed" | "action_required"; retry: boolean } {
  if (code === "authentication_required") return { status: "action_required", retry: false };
  return { status: "failed", retry: !FINAL_DECLINE_CODES.has(code) };
}

/**
 * Backoff of a charge whose attempt ended in an error rather than an answer (Stripe outage,
 * network, a bug): 15 minutes doubling per error, at most a day. It is separate from the dunning
 * schedule: an outage is not the customer's failed payment.
 */
export function errorBackoffMs(errorCount: number): number {
  return Math.min(24 * 3_600_000, 15 * 60_000 * 2 ** Math.max(0, errorCount - 1));
}

export interface PaymentIntentTarget {
  invoiceId: string;
  tenantId: string | null;
  amountMinor: number;
  currency: string;
  onBehalfOf: string | null;
}

/**
 * The invoice's one PaymentIntent, created unconfirmed when there is none yet. Each step commits
 * on its own (not in the caller's transaction), so nothing Stripe created is ever forgotten:
 * 1. the id stored before: that one;
 * 2. otherwise a row saying "creation started" is committed first; a row that exists without an
 *    id means an earlier try may have created one at Stripe and died before storing it: Stripe is
 *    searched by `metadata.atlasInvoiceId` (what finds it after the idempotency key was pruned,
 *    24 h on);
 * 3. then the PaymentIntent is created with the invoice's idempotency key (what finds it within
 *    24 h, while the Search API may still lag) and its id committed at once.
 * Confirming it (with an explicit payment method) is the caller's next step.
 */
export async function invoicePaymentIntent(
  deps: Deps,
  target: PaymentIntentTarget,
  stripeCustomerId: string,
): Promise<StripePaymentIntentInfo> {
  const stripe = deps.stripe as NonNullable<Deps["stripe"]>;
  const record = await deps.prisma.invoicePaymentIntent.findUnique({ where: { invoiceId: target.invoiceId } });
  if (record?.stripePaymentIntentId) {
    const known = await stripe.retrievePaymentIntent(record.stripePaymentIntentId);
    if (known) return known;
  }
  if (record) {
    const [found] = await stripe.searchPaymentIntentsByInvoice(target.invoiceId);
    if (found) return store(deps, target.invoiceId, found);
  } else {
    await deps.prisma.invoicePaymentIntent.createMany({
      data: [{ invoiceId: target.invoiceId, startedAt: deps.now() }],
      skipDuplicates: true,
    });
  }
  const created = await stripe.createPaymentIntent(
    {
      amountMinor: target.amountMinor,
      currency: target.currency,
      customerId: stripeCustomerId,
      paymentMethodId: null,
      onBehalfOf: target.onBehalfOf,
      metadata: { atlasInvoiceId: target.invoiceId, atlasTenantId: target.tenantId ?? "" },
      // Connect: the platform's fee on a destination charge (the tenant's basis points).
      applicationFeeMinor: await applicationFeeMinor(deps.database, target),
      confirm: false,
    },
    paymentIntentKey(target.invoiceId),
  );
  return store(deps, target.invoiceId, created);
}

/** Commits the PaymentIntent id of an invoice unless one is stored already (which then wins). */
async function store(deps: Deps, invoiceId: string, pi: StripePaymentIntentInfo): Promise<StripePaymentIntentInfo> {
  await deps.prisma.invoicePaymentIntent.updateMany({
    where: { invoiceId, stripePaymentIntentId: null },
    data: { stripePaymentIntentId: pi.id },
  });
  const row = await deps.prisma.invoicePaymentIntent.findUniqueOrThrow({ where: { invoiceId } });
  if (row.stripePaymentIntentId === pi.id) return pi;
  return (
    (await (deps.stripe as NonNullable<Deps["stripe"]>).retrievePaymentIntent(row.stripePaymentIntentId as string)) ??
    pi
  );
}
