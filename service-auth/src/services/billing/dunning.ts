import type { Deps } from "../../deps.ts";
import { attemptStripeCharge, type ChargeRow, setSubscriptionStatus } from "./charge-invoice.ts";
import { failPastDueCryptoCharges } from "./past-due.ts";

/**
 * Dunning, run on a schedule (and by tests with a moved clock):
 * - failed Stripe charges whose next attempt is due are retried on the same PaymentIntent (one
 *   PaymentIntent per invoice, one idempotency key per attempt); each row is locked with SKIP
 *   LOCKED, so several instances never retry one charge twice;
 * - an unpaid crypto charge past its due date fails with `past_due` (services/billing/past-due.ts);
 * - a charge still unpaid when its grace period ends turns the subscription `unpaid`, announced
 *   with the cheapest plan's limits: cloud-api reduces entitlements from that event.
 */
export async function runDunning(deps: Deps): Promise<{ retried: number; expired: number }> {
  const now = deps.now();
  let retried = 0;
  let expired = 0;
  const due = await deps.prisma.charge.findMany({
    where: { status: "failed", provider: "stripe", nextAttemptAt: { lte: now } },
    select: { id: true },
    orderBy: { nextAttemptAt: "asc" },
    take: 100,
  });
  for (const { id } of due) {
    await deps.database.transaction(async (q) => {
      const [charge] = await q.query<ChargeRow>(
        `SELECT "id", "invoiceId", "billingProfileId", "amountMinor", "currency", "provider",
                "stripePaymentIntentId", "status", "attempts", "tenantId", "userId", "onBehalfOf", "graceEndsAt"
           FROM "billing"."billing_charges"
          WHERE "id" = $1 AND "status" = 'failed' AND "nextAttemptAt" <= $2 FOR UPDATE SKIP LOCKED`,
        [id, now],
      );
      if (!charge) return;
      await attemptStripeCharge(deps, q, charge, null, now);
      retried += 1;
    });
  }
  // Unpaid crypto charges past their due date join the grace → unpaid path below.
  await failPastDueCryptoCharges(deps);
  const lapsed = await deps.prisma.charge.findMany({
    where: { status: "failed", graceEndsAt: { lte: now }, graceExpiredAt: null },
    select: { id: true },
    take: 100,
  });
  for (const { id } of lapsed) {
    await deps.database.transaction(async (q) => {
      const [charge] = await q.query<{ billingProfileId: string; invoiceId: string }>(
        `UPDATE "billing"."billing_charges" SET "graceExpiredAt" = $2
          WHERE "id" = $1 AND "graceExpiredAt" IS NULL AND "status" = 'failed'
          RETURNING "billingProfileId", "invoiceId"`,
        [id, now],
      );
      if (!charge) return;
      await setSubscriptionStatus(q, charge.billingProfileId, ["past_due"], "unpaid", `grace:${charge.invoiceId}`, now);
      expired += 1;
    });
  }
  return { retried, expired };
}
