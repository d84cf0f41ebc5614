import type { Deps } from "../../../ports.ts";
import { type DunningNoticeKind, dunningMail } from "../../notifications/templates.ts";

/** How long before the grace period ends the final notice goes out. */
export const FINAL_NOTICE_BEFORE_MS = 2 * 86_400_000;
/** A claim older than this whose e-mail was never marked sent (the sender died) may be taken over. */
const STALE_CLAIM_MS = 10 * 60_000;

interface NoticeRow {
  chargeId: string;
  invoiceId: string;
  kind: DunningNoticeKind;
  amountMinor: number;
  currency: string;
  failureCode: string | null;
  graceEndsAt: Date | null;
  email: string;
}

/**
 * Dunning e-mails through the e-mail provider: `payment_failed` (a failed charge, once),
 * `action_required` (the bank wants the customer to authenticate: a link to Pay now) and
 * `final_notice` (within FINAL_NOTICE_BEFORE_MS of the end of the grace period, or after it).
 * Each goes once per (charge, kind), however often or concurrently dunning runs: the notice row is
 * claimed (unique per charge and kind) and committed before sending, marked sent after. A failed
 * send gives the claim back, so a later run tries again. Users without an e-mail get none.
 */
export async function sendDunningNotices(deps: Deps, now: Date): Promise<number> {
  const finalFrom = new Date(now.getTime() + FINAL_NOTICE_BEFORE_MS);
  const rows = await deps.database.query<NoticeRow>(
    `SELECT c."id" AS "chargeId", c."invoiceId", k.kind, c."amountMinor", c."currency", c."failureCode",
            c."graceEndsAt", u."email"
       FROM "billing"."billing_charges" c
       JOIN "auth"."auth_users" u ON u."id" = c."userId"
       CROSS JOIN LATERAL (VALUES
         (CASE WHEN c."status" = 'failed' THEN 'payment_failed' END),
         (CASE WHEN c."status" = 'action_required' THEN 'action_required' END),
         -- Not for grace periods that ended long ago (before this notice existed): news, not history.
         (CASE WHEN c."status" IN ('failed', 'action_required') AND c."graceEndsAt" <= $1
                    AND (c."graceExpiredAt" IS NULL OR c."graceExpiredAt" > $3) THEN 'final_notice' END)
       ) AS k(kind)
      WHERE k.kind IS NOT NULL AND u."email" IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM "billing"."billing_dunning_notices" n
                         WHERE n."chargeId" = c."id" AND n."kind" = k.kind
                           AND (n."sentAt" IS NOT NULL OR n."claimedAt" > $2))
      ORDER BY c."updatedAt"
      LIMIT 100`,
    [finalFrom, new Date(now.getTime() - STALE_CLAIM_MS), new Date(now.getTime() - 86_400_000)],
  );
  let sent = 0;
  for (const row of rows) {
    if (!(await claim(deps, row, now))) continue;
    const link = `${deps.config.WEB_ORIGIN}/billing?invoice=${encodeURIComponent(row.invoiceId)}`;
    try {
      await deps.email.send({ to: row.email, ...dunningMail({ ...row, link }) });
    } catch (error) {
      deps.logger.warn({ err: error instanceof Error ? error.message : String(error) }, "dunning notice not sent");
      await deps.prisma.dunningNotice.deleteMany({ where: { chargeId: row.chargeId, kind: row.kind, sentAt: null } });
      continue;
    }
    await deps.prisma.dunningNotice.updateMany({
      where: { chargeId: row.chargeId, kind: row.kind },
      data: { sentAt: deps.now() },
    });
    sent += 1;
  }
  return sent;
}

/** Takes the (charge, kind) notice: a new row, or one whose sender died long ago. */
async function claim(deps: Deps, row: NoticeRow, now: Date): Promise<boolean> {
  const created = await deps.prisma.dunningNotice.createMany({
    data: [{ chargeId: row.chargeId, kind: row.kind, claimedAt: now }],
    skipDuplicates: true,
  });
  if (created.count === 1) return true;
  const stale = await deps.prisma.dunningNotice.updateMany({
    where: {
      chargeId: row.chargeId,
      kind: row.kind,
      sentAt: null,
      claimedAt: { lte: new Date(now.getTime() - STALE_CLAIM_MS) },
    },
    data: { claimedAt: now },
  });
  return stale.count === 1;
}
