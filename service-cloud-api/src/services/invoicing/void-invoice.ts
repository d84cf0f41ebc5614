import { outboxRow } from "@atlas/billing-events";
import type { DatabaseConnection } from "@atlas/db";
import { AppError } from "@atlas/errors";
import { enqueueOutboxEvent } from "@atlas/outbox";

export interface VoidResult {
  invoiceId: string;
  number: number | null;
  tenantId: string;
  userId: string;
  /** false: the invoice was void already (this call changed nothing). */
  voided: boolean;
  voidedAt: string;
}

/**
 * Voids an issued, unpaid invoice (an operator's decision: billed in error, settled outside
 * Atlas), idempotently by the invoice:
 * 1. lock the invoice; a void one answers as before (voiding twice announces once);
 * 2. only `finalized` or `failed` can be voided: a paid invoice is 409 CONFLICT (its money is
 *    refunded, not voided); the immutability trigger enforces the same, so no other path can;
 * 3. status `void` with the time and reason (amounts, number and lines stay as issued: the
 *    number is not reused, numbering stays gapless);
 * 4. announce `invoice.voided` in the same transaction: service-auth cancels the charge and its
 *    open PaymentIntent. It follows `invoice.finalized` in the invoice's aggregate, so the charge
 *    exists when it is applied.
 */
export async function voidInvoice(
  db: DatabaseConnection,
  invoiceId: string,
  reason: string,
  now: Date,
): Promise<VoidResult> {
  const why = reason.trim();
  if (why.length === 0 || why.length > 500) {
    throw new AppError("VALIDATION_FAILED", { detail: "A reason of 1 to 500 characters is required" });
  }
  return db.transaction(async (tx) => {
    const [invoice] = await tx.query<{
      id: string;
      tenantId: string;
      userId: string;
      number: number | null;
      status: string;
      voidedAt: Date | null;
    }>(
      `SELECT "id", "tenantId", "userId", "number", "status", "voidedAt" FROM "cloud"."cloud_invoices"
        WHERE "id" = $1 FOR UPDATE`,
      [invoiceId],
    );
    if (!invoice || invoice.status === "draft") throw new AppError("NOT_FOUND", { detail: "No such invoice" });
    const answer = { invoiceId, number: invoice.number, tenantId: invoice.tenantId, userId: invoice.userId };
    if (invoice.status === "void") {
      return { ...answer, voided: false, voidedAt: (invoice.voidedAt as Date).toISOString() };
    }
    if (invoice.status !== "finalized" && invoice.status !== "failed") {
      throw new AppError("CONFLICT", { detail: `The invoice is ${invoice.status} and cannot be voided` });
    }
    await tx.query(
      `UPDATE "cloud"."cloud_invoices" SET "status" = 'void', "voidedAt" = $2, "voidReason" = $3, "updatedAt" = $2
        WHERE "id" = $1`,
      [invoiceId, now, why],
    );
    const row = outboxRow(
      "invoice.voided",
      { tenantId: invoice.tenantId, userId: invoice.userId, invoiceId },
      "service-cloud-api",
      `invoice.voided:${invoiceId}`,
    );
    await enqueueOutboxEvent(tx, { ...row, aggregateKey: `invoice:${invoiceId}` }, now);
    return { ...answer, voided: true, voidedAt: now.toISOString() };
  });
}
