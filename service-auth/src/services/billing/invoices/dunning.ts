import type { Deps } from "../../../ports.ts";
import { errorBackoffMs } from "../stripe/payment-intents.ts";
import { attemptStripeCharge } from "./charge-invoice.ts";
import { setSubscriptionStatus } from "./charge-outcomes.ts";
import type { ChargeRow } from "./charge-rows.ts";
import { sendDunningNotices } from "./dunning-notices.ts";
import { failPastDueCryptoCharges } from "./past-due.ts";

/** What one dunning run did. */
export interface DunningResult {
  /** Attempts made (whatever their outcome). */
  retried: number;
  /** Grace periods that ended (subscription `unpaid`). */
  expired: number;
  /** Charges whose step threw (outage, bug): recorded on the charge, the run went on. */
  errored: number;
  /** Dunning e-mails sent. */
  notified: number;
}

/**
 * A step on one charge threw (the transaction rolled back): the error is recorded on the charge
 * with its own backoff, so the charge neither blocks the run nor is retried in a tight loop.
 */
async function recordChargeError(deps: Deps, chargeId: string, error: unknown, now: Date): Promise<void> {
  const charge = await deps.prisma.charge.findUnique({ where: { id: chargeId }, select: { errorCount: true } });
  if (!charge) return;
  const errorCount = charge.errorCount + 1;
  await deps.prisma.charge.update({
    where: { id: chargeId },
    data: {
      errorCount,
      lastError: (error instanceof Error ? error.message : String(error)).slice(0, 500),
      nextAttemptAt: new Date(now.getTime() + errorBackoffMs(errorCount)),
    },
  });
}

/**
 * Dunning, run on a schedule (and by tests with a moved clock):
 * - Stripe charges whose next attempt is due (failed ones on the retry schedule, pending ones
 *   whose first attempt met an outage) are tried again on the invoice's one PaymentIntent (one
 *   idempotency key per attempt); each row is locked with SKIP LOCKED, so several instances never
 *   retry one charge twice. Each charge runs in its own transaction and its own try: one
 *   charge's error is recorded on it (lastError, backoff) and the run goes on with the others;
 * - an unpaid crypto charge past its due date fails with `past_due` (services/billing/invoices/past-due.ts);
 * - a charge still unpaid (failed or action_required) when its grace period ends turns the
 *   subscription `unpaid`, announced with the cheapest plan's limits: cloud-api reduces
 *   entitlements from that event;
 * - dunning e-mails (payment failed, action required, final notice), each once per charge.
 */
export async function runDunning(deps: Deps): Promise<DunningResult> {
  const now = deps.now();
  const result: DunningResult = { retried: 0, expired: 0, errored: 0, notified: 0 };
  const due = await deps.prisma.charge.findMany({
    where: { status: { in: ["failed", "pending"] }, provider: "stripe", nextAttemptAt: { lte: now } },
    select: { id: true },
    orderBy: { nextAttemptAt: "asc" },
    take: 100,
  });
  for (const { id } of due) {
    try {
      const attempted = await deps.database.transaction(async (q) => {
        const [charge] = await q.query<ChargeRow>(
          `SELECT "id", "invoiceId", "billingProfileId", "amountMinor", "currency", "provider",
                  "stripePaymentIntentId", "status", "attempts", "tenantId", "userId", "onBehalfOf", "graceEndsAt"
             FROM "billing"."billing_charges"
            WHERE "id" = $1 AND "status" IN ('failed', 'pending') AND "nextAttemptAt" <= $2 FOR UPDATE SKIP LOCKED`,
          [id, now],
        );
        if (!charge) return false;
        await attemptStripeCharge(deps, q, charge, null, now);
        return true;
      });
      if (attempted) result.retried += 1;
    } catch (error) {
      result.errored += 1;
      deps.logger.error({ err: error, chargeId: id }, "dunning attempt failed");
      await recordChargeError(deps, id, error, now).catch((e: unknown) =>
        deps.logger.error({ err: e, chargeId: id }, "could not record the dunning error"),
      );
    }
  }
  // Unpaid crypto charges past their due date join the grace → unpaid path below.
  await failPastDueCryptoCharges(deps);
  const lapsed = await deps.prisma.charge.findMany({
    where: { status: { in: ["failed", "action_required"] }, graceEndsAt: { lte: now }, graceExpiredAt: null },
    select: { id: true },
    take: 100,
  });
  for (const { id } of lapsed) {
    try {
      await deps.database.transaction(async (q) => {
        const [charge] = await q.query<{ billingProfileId: string; invoiceId: string }>(
          `UPDATE "billing"."billing_charges" SET "graceExpiredAt" = $2
            WHERE "id" = $1 AND "graceExpiredAt" IS NULL AND "status" IN ('failed', 'action_required')
            RETURNING "billingProfileId", "invoiceId"`,
          [id, now],
        );
        if (!charge) return;
        await setSubscriptionStatus(
          q,
          charge.billingProfileId,
          ["past_due"],
          "unpaid",
          `grace:${charge.invoiceId}`,
          now,
        );
        result.expired += 1;
      });
    } catch (error) {
      result.errored += 1;
      deps.logger.error({ err: error, chargeId: id }, "dunning grace expiry failed");
    }
  }
  result.notified = await sendDunningNotices(deps, now).catch((error: unknown) => {
    deps.logger.error({ err: error }, "dunning notices failed");
    return 0;
  });
  return result;
}
