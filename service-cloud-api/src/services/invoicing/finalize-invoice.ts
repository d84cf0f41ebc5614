import { randomUUID } from "node:crypto";
import { outboxRow } from "@atlas/billing-events";
import type { DatabaseConnection, SqlQueryable } from "@atlas/db";
import { enqueueOutboxEvent } from "@atlas/outbox";
import { usageTotals } from "../entitlements.ts";
import { planById } from "../plans.ts";
import { computeInvoice } from "./compute.ts";

interface PeriodRow {
  id: string;
  tenantId: string;
  userId: string;
  subscriptionId: string;
  planId: string;
  periodStart: Date;
  periodEnd: Date;
  collection: "stripe_subscription" | "invoice";
  invoiceId: string | null;
}

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
 * 2. sum the period's usage from the counters, price it with the period's plan;
 * 3. take the tenant's next number (its counter row stays locked until commit, so numbers are
 *    gapless: a rolled-back finalization gives its number back);
 * 4. write the invoice and its lines as a draft, then mark it finalized (from then on a
 *    trigger refuses any change to amounts, lines or number);
 * 5. announce `invoice.finalized` (what to charge: `amountDueMinor`) in the same transaction.
 */
export async function finalizeInvoice(db: DatabaseConnection, periodId: string, now: Date): Promise<FinalizeResult> {
  return db.transaction(async (tx) => {
    const [period] = await tx.query<PeriodRow>(
      `SELECT "id", "tenantId", "userId", "subscriptionId", "planId", "periodStart", "periodEnd", "collection", "invoiceId"
         FROM "cloud"."cloud_billing_periods" WHERE "id" = $1 FOR UPDATE`,
      [periodId],
    );
    if (!period) throw new Error(`no billing period ${periodId}`);
    if (period.invoiceId) return { invoiceId: period.invoiceId, created: false };
    if (period.periodEnd > now) throw new Error(`billing period ${periodId} has not ended`);
    const usage = await usageTotals(tx, period, period.periodStart, period.periodEnd);
    const plan = planById(period.planId);
    const draft = computeInvoice(plan, usage, period.collection, { start: period.periodStart, end: period.periodEnd });
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
      `UPDATE "cloud"."cloud_invoices" SET "status" = 'finalized', "number" = $2, "finalizedAt" = $3, "updatedAt" = $3
        WHERE "id" = $1`,
      [invoiceId, number, now],
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
      },
      "service-cloud-api",
      `invoice.finalized:${invoiceId}`,
    );
    await enqueueOutboxEvent(tx, { ...row, aggregateKey: `invoice:${invoiceId}` }, now);
    return { invoiceId, created: true };
  });
}

/**
 * Finalizes every period that ended at least `graceMs` before `now` and has no invoice yet (the
 * grace lets every instance's last usage flush land first). Resolves with the invoices created.
 */
export async function finalizeDueInvoices(db: DatabaseConnection, now: Date, graceMs: number): Promise<string[]> {
  const due = await db.query<{ id: string }>(
    `SELECT "id" FROM "cloud"."cloud_billing_periods" WHERE "invoiceId" IS NULL AND "periodEnd" <= $1
      ORDER BY "periodEnd", "id" LIMIT 1000`,
    [new Date(now.getTime() - graceMs)],
  );
  const created: string[] = [];
  for (const { id } of due) {
    const result = await finalizeInvoice(db, id, now);
    if (result.created) created.push(result.invoiceId);
  }
  return created;
}
