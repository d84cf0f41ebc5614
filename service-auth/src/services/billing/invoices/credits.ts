import type { OutboxTransaction } from "@atlas/outbox";
import type { Deps } from "../../../ports.ts";
import type { ChargeRow } from "./charge-rows.ts";

/** One entry of a customer's credit ledger (positive: money in; negative: applied to a charge). */
export interface CreditEntry {
  billingProfileId: string;
  tenantId: string;
  userId: string;
  amountMinor: number;
  currency: string;
  reason: "overpayment" | "underpayment" | "duplicate_payment" | "applied";
  /** What the money comes from; unique, so a source is recorded once however often it is seen. */
  source: string;
  invoiceId: string | null;
}

/** Records a ledger entry once per `source`; false when that source was recorded before. */
export async function recordCredit(tx: OutboxTransaction, entry: CreditEntry, now: Date): Promise<boolean> {
  const rows = await tx.query(
    `INSERT INTO "billing"."billing_customer_credits"
       ("id", "billingProfileId", "tenantId", "userId", "amountMinor", "currency", "reason", "source", "invoiceId", "createdAt")
     VALUES (gen_random_uuid()::text, $1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT ("source") DO NOTHING RETURNING "id"`,
    [
      entry.billingProfileId,
      entry.tenantId,
      entry.userId,
      entry.amountMinor,
      entry.currency,
      entry.reason,
      entry.source,
      entry.invoiceId,
      now,
    ],
  );
  return rows.length > 0;
}

/** Money in on a charge's behalf (an over-, under- or second payment): a positive entry. */
export function creditCharge(
  tx: OutboxTransaction,
  charge: ChargeRow,
  amountMinor: number,
  reason: Exclude<CreditEntry["reason"], "applied">,
  source: string,
  now: Date,
): Promise<boolean> {
  if (amountMinor <= 0) return Promise.resolve(false);
  return recordCredit(
    tx,
    {
      billingProfileId: charge.billingProfileId,
      tenantId: charge.tenantId,
      userId: charge.userId,
      amountMinor,
      currency: charge.currency,
      reason,
      source,
      invoiceId: charge.invoiceId,
    },
    now,
  );
}

/**
 * The card PaymentIntent of a charge that crypto already paid succeeded too: what the card paid
 * (the charge less the credit applied to it) is credited, once per PaymentIntent.
 */
export async function creditDuplicateCard(
  tx: OutboxTransaction,
  charge: ChargeRow,
  paymentIntentId: string,
  now: Date,
): Promise<boolean> {
  const [row] = await tx.query<{ applied: number }>(
    `SELECT "creditAppliedMinor" AS applied FROM "billing"."billing_charges" WHERE "id" = $1`,
    [charge.id],
  );
  const paid = charge.amountMinor - (row?.applied ?? 0);
  return creditCharge(tx, charge, paid, "duplicate_payment", `stripe:${paymentIntentId}`, now);
}

/**
 * Applies the customer's credit balance to a locked charge and returns what is left to pay. The
 * billing profile row is locked first, so two charges never spend the same credit; the ledger
 * entry and the charge's `creditAppliedMinor` change in the caller's transaction.
 */
export async function applyCredit(tx: OutboxTransaction, charge: ChargeRow, now: Date): Promise<number> {
  await tx.query(`SELECT 1 FROM "billing"."billing_profiles" WHERE "id" = $1 FOR UPDATE`, [charge.billingProfileId]);
  const [row] = await tx.query<{ applied: number; balance: string | null }>(
    `SELECT c."creditAppliedMinor" AS applied,
            (SELECT sum("amountMinor") FROM "billing"."billing_customer_credits"
              WHERE "billingProfileId" = c."billingProfileId" AND "currency" = c."currency") AS balance
       FROM "billing"."billing_charges" c WHERE c."id" = $1`,
    [charge.id],
  );
  const applied = row?.applied ?? 0;
  const due = charge.amountMinor - applied;
  const use = Math.min(Math.max(Number(row?.balance ?? 0), 0), due);
  if (use <= 0) return due;
  await recordCredit(
    tx,
    {
      billingProfileId: charge.billingProfileId,
      tenantId: charge.tenantId,
      userId: charge.userId,
      amountMinor: -use,
      currency: charge.currency,
      reason: "applied",
      // The applied total so far names the step: a re-run of the same step is recorded once.
      source: `applied:${charge.invoiceId}:${applied}`,
      invoiceId: charge.invoiceId,
    },
    now,
  );
  await tx.query(`UPDATE "billing"."billing_charges" SET "creditAppliedMinor" = $2, "updatedAt" = $3 WHERE "id" = $1`, [
    charge.id,
    applied + use,
    now,
  ]);
  return due - use;
}

/** The caller's credit balances (per currency) and ledger entries, newest first. */
export async function listCredits(deps: Deps, userId: string) {
  const profile = await deps.prisma.billingProfile.findUnique({ where: { customerId: userId } });
  if (!profile) return { balances: [], entries: [] };
  const entries = await deps.prisma.customerCredit.findMany({
    where: { billingProfileId: profile.id },
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
    take: 200,
  });
  const sums = await deps.prisma.customerCredit.groupBy({
    by: ["currency"],
    where: { billingProfileId: profile.id },
    _sum: { amountMinor: true },
    orderBy: { currency: "asc" },
  });
  return {
    balances: sums.map((s) => ({ currency: s.currency, amountMinor: s._sum.amountMinor ?? 0 })),
    entries: entries.map((e) => ({
      id: e.id,
      amountMinor: e.amountMinor,
      currency: e.currency,
      reason: e.reason,
      source: e.source,
      invoiceId: e.invoiceId,
      createdAt: e.createdAt.toISOString(),
    })),
  };
}
