import { randomUUID } from "node:crypto";
import { outboxRow } from "@atlas/billing-events";
import type { DatabaseConnection, SqlQueryable } from "@atlas/db";
import { enqueueOutboxEvent } from "@atlas/outbox";
import { HOUR_MS } from "../metering.ts";
import { type PeriodToPrice, pricePeriod } from "./price-period.ts";

interface PeriodRow extends PeriodToPrice {
  subscriptionId: string;
  invoiceId: string | null;
}

/** Days from finalization to an invoice's due date when INVOICE_DUE_DAYS is not given. */
export const DEFAULT_INVOICE_DUE_DAYS = 14;

/**
 * The end of the usage hour containing `t` (t itself on an hour boundary): usage is counted per
 * hour by `hourStart`, and the hour containing a period's end belongs to the period (its
 * hourStart < periodEnd), so that hour must have closed before the period is priced.
 */
export const ceilToHour = (t: Date) => new Date(Math.ceil(t.getTime() / HOUR_MS) * HOUR_MS);

export interface FinalizeResult {
  invoiceId: string;
  /** false: the period had been invoiced already (this call changed nothing). */
  created: boolean;
}

/** Takes the tenant's next invoice number; the row stays locked until the transaction ends. */
async function nextInvoiceNumber(tx: SqlQueryable, tenantId: string): Promise<number> {
  const [row] = await tx.query<{ lastNumber: number }>(
    `INSERT INTO "cloud"."cloud_invoice_sequences" ("tenantId", "lastNumber") VALUES ($1, 1)
     ON CONFLICT ("tenantId") DO UPDATE SET "lastNumber" = "cloud_invoice_sequences"."lastNumber" + 1
     RETURNING "lastNumber"`,
    [tenantId],
  );
  return row?.lastNumber as number;
}

/**
 * Finalizes the invoice of one ended billing period, idempotently by the period:
 * 1. lock the period row; an invoiced period returns its invoice (finalizing twice yields one);
 * 2. price it by plan segments, each over its usage from the counters (price-period.ts);
 * 3. take the tenant's next number (its counter row stays locked until commit, so numbers are
 *    gapless: a rolled-back finalization gives its number back);
 * 4. write the invoice and its lines as a draft, then mark it finalized (from then on a
 *    trigger refuses any change to amounts, lines or number);
 * 5. announce `invoice.finalized` (what to charge: `amountDueMinor`, by when: `dueAt` =
 *    finalization + `dueDays`) in the same transaction.
 * A period is priced only once the usage hour containing its end has closed (see {@link ceilToHour}).
 */
export async function finalizeInvoice(
  db: DatabaseConnection,
  periodId: string,
  now: Date,
  dueDays = DEFAULT_INVOICE_DUE_DAYS,
): Promise<FinalizeResult> {
  return db.transaction(async (tx) => {
    const [period] = await tx.query<PeriodRow>(
      `SELECT "id", "tenantId", "userId", "subscriptionId", "planId", "periodStart", "periodEnd", "scheduledEnd",
              "collection", "invoiceId"
         FROM "cloud"."cloud_billing_periods" WHERE "id" = $1 FOR UPDATE`,
      [periodId],
    );
    if (!period) throw new Error(`no billing period ${periodId}`);
    if (period.invoiceId) return { invoiceId: period.invoiceId, created: false };
    if (ceilToHour(period.periodEnd) > now) {
      throw new Error(`billing period ${periodId} has not ended (or the usage hour of its end is still open)`);
    }
    const draft = await pricePeriod(tx, period);
    const dueAt = new Date(now.getTime() + dueDays * 86_400_000);
    const number = await nextInvoiceNumber(tx, period.tenantId);
    const invoiceId = randomUUID();
    await tx.query(
      `INSERT INTO "cloud"."cloud_invoices" ("id", "tenantId", "userId", "periodStart", "periodEnd", "planId", "status",
         "currency", "subtotalMinor", "totalMinor", "amountDueMinor", "createdAt", "updatedAt")
       VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7, $8, $9, $10, $11, $11)`,
      [
        invoiceId,
        period.tenantId,
        period.userId,
        period.periodStart,
        period.periodEnd,
        period.planId,
        draft.currency,
        draft.subtotalMinor,
        draft.totalMinor,
        draft.amountDueMinor,
        now,
      ],
    );
    for (const line of draft.lines) {
      await tx.query(
        `INSERT INTO "cloud"."cloud_invoice_lines" ("id", "invoiceId", "position", "description", "kind", "quantity",
           "unitPriceMinor", "amountMinor", "prepaid", "usedQuantity", "includedQuantity")
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [
          randomUUID(),
          invoiceId,
          line.position,
          line.description,
          line.kind,
          line.quantity,
          line.unitPriceMinor,
          line.amountMinor,
          line.prepaid,
          line.usedQuantity,
          line.includedQuantity,
        ],
      );
    }
    await tx.query(
      `UPDATE "cloud"."cloud_invoices" SET "status" = 'finalized', "number" = $2, "finalizedAt" = $3, "dueAt" = $4,
         "updatedAt" = $3 WHERE "id" = $1`,
      [invoiceId, number, now, dueAt],
    );
    await tx.query(`UPDATE "cloud"."cloud_billing_periods" SET "invoiceId" = $2, "updatedAt" = $3 WHERE "id" = $1`, [
      period.id,
      invoiceId,
      now,
    ]);
    const row = outboxRow(
      "invoice.finalized",
      {
        tenantId: period.tenantId,
        userId: period.userId,
        invoiceId,
        number,
        totalMinor: draft.totalMinor,
        amountDueMinor: draft.amountDueMinor,
        currency: draft.currency,
        dueAt: dueAt.toISOString(),
      },
      "service-cloud-api",
      `invoice.finalized:${invoiceId}`,
    );
    await enqueueOutboxEvent(tx, { ...row, aggregateKey: `invoice:${invoiceId}` }, now);
    return { invoiceId, created: true };
  });
}

/**
 * Finalizes every uninvoiced period whose last usage hour closed at least `graceMs` before `now`:
 * cutoff = ceilToHour(periodEnd) + grace <= now (the grace lets every instance's last flush of
 * that hour land first). Resolves with the invoices created.
 */
export async function finalizeDueInvoices(
  db: DatabaseConnection,
  now: Date,
  graceMs: number,
  dueDays = DEFAULT_INVOICE_DUE_DAYS,
): Promise<string[]> {
  const due = await db.query<{ id: string }>(
    `SELECT "id" FROM "cloud"."cloud_billing_periods"
      WHERE "invoiceId" IS NULL AND "periodEnd" <= $1
        AND to_timestamp(ceil(extract(epoch FROM "periodEnd") / 3600) * 3600) <= $1
      ORDER BY "periodEnd", "id" LIMIT 1000`,
    [new Date(now.getTime() - graceMs)],
  );
  const created: string[] = [];
  for (const { id } of due) {
    const result = await finalizeInvoice(db, id, now, dueDays);
    if (result.created) created.push(result.invoiceId);
  }
  return created;
}
