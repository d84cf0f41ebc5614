import type { Deps } from "../../../ports.ts";
import { setSubscriptionStatus } from "./charge-outcomes.ts";
import { emitSql } from "./charge-rows.ts";

/**
 * Crypto charges are pulled, not pushed: nothing fails them, they just stay unpaid. Once past
 * their due date they enter the same dunning path as a failed card: `failed` with code
 * `past_due`, `payment.failed` announced once, the subscription `past_due`, and the grace period
 * set (the grace-expiry sweep then makes it `unpaid`). No retries are scheduled: only the
 * customer can pay, and a confirm of a failed charge still settles it.
 */
export async function failPastDueCryptoCharges(deps: Deps): Promise<number> {
  const now = deps.now();
  const due = await deps.prisma.charge.findMany({
    where: { provider: "crypto", status: "pending", dueAt: { lte: now } },
    select: { id: true },
    orderBy: { dueAt: "asc" },
    take: 100,
  });
  let failed = 0;
  for (const { id } of due) {
    await deps.database.transaction(async (q) => {
      const [charge] = await q.query<{
        invoiceId: string;
        billingProfileId: string;
        tenantId: string;
        userId: string;
      }>(
        `UPDATE "billing"."billing_charges"
            SET "status" = 'failed', "failureCode" = 'past_due', "nextAttemptAt" = NULL, "graceEndsAt" = $2,
                "updatedAt" = $3
          WHERE "id" = $1 AND "status" = 'pending' AND "provider" = 'crypto' AND "dueAt" <= $3
          RETURNING "invoiceId", "billingProfileId", "tenantId", "userId"`,
        [id, new Date(now.getTime() + deps.config.DUNNING_GRACE_DAYS * 86_400_000), now],
      );
      if (!charge) return;
      await emitSql(
        q,
        "payment.failed",
        {
          tenantId: charge.tenantId,
          userId: charge.userId,
          invoiceId: charge.invoiceId,
          provider: "crypto",
          failureCode: "past_due",
        },
        `payment.failed:${charge.invoiceId}:past_due`,
        now,
        `invoice:${charge.invoiceId}`,
      );
      await setSubscriptionStatus(
        q,
        charge.billingProfileId,
        ["active", "trialing"],
        "past_due",
        `past_due:${charge.invoiceId}`,
        now,
      );
      failed += 1;
    });
  }
  return failed;
}
