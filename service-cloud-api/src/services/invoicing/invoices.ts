import type { SqlQueryable } from "@atlas/db";
import { AppError } from "@atlas/errors";
import { decodeCursor, encodeCursor } from "@atlas/service-kit";
import type { Owner } from "../storage.ts";

export interface InvoiceLineView {
  position: number;
  kind: string;
  description: string;
  quantity: number;
  unitPriceMinor: number;
  amountMinor: number;
  prepaid: boolean;
  usedQuantity: number | null;
  includedQuantity: number | null;
}

export type InvoiceStatus = "finalized" | "paid" | "failed" | "void";

export interface InvoiceView {
  id: string;
  number: number | null;
  status: InvoiceStatus;
  planId: string;
  currency: string;
  periodStart: string;
  periodEnd: string;
  subtotalMinor: number;
  totalMinor: number;
  prepaidMinor: number;
  amountDueMinor: number;
  paidAmountMinor: number | null;
  finalizedAt: string | null;
  /** Unpaid after this, the customer is past due. */
  dueAt: string | null;
  paidAt: string | null;
  failedAt: string | null;
  failureCode: string | null;
  voidedAt: string | null;
  /** Credited back by issued credit notes (refunds, disputes not reversed). */
  refundedMinor: number;
  /** Additive to `status` (a refunded invoice stays `paid`): all or part of the payment went back. */
  refundStatus: "refunded" | "partially_refunded" | null;
  lines: InvoiceLineView[];
}

/** What the invoice's issued credit notes gave back (a reversed dispute note no longer counts). */
const REFUNDED = `(SELECT COALESCE(SUM(cn."amountMinor"), 0)::int FROM "cloud"."cloud_credit_notes" cn
    WHERE cn."invoiceId" = "cloud_invoices"."id" AND cn."status" = 'issued') AS "refundedMinor"`;

function refundStatus(r: InvoiceRow): InvoiceView["refundStatus"] {
  if (r.refundedMinor <= 0) return null;
  return r.refundedMinor >= (r.paidAmountMinor ?? 0) ? "refunded" : "partially_refunded";
}

interface InvoiceRow {
  id: string;
  number: number | null;
  status: string;
  planId: string;
  currency: string;
  periodStart: Date;
  periodEnd: Date;
  subtotalMinor: number;
  totalMinor: number;
  amountDueMinor: number;
  paidAmountMinor: number | null;
  finalizedAt: Date | null;
  dueAt: Date | null;
  paidAt: Date | null;
  failedAt: Date | null;
  failureCode: string | null;
  voidedAt: Date | null;
  refundedMinor: number;
}

const COLUMNS = `"id", "number", "status", "planId", "currency", "periodStart", "periodEnd", "subtotalMinor",
  "totalMinor", "amountDueMinor", "paidAmountMinor", "finalizedAt", "dueAt", "paidAt", "failedAt", "failureCode",
  "voidedAt", ${REFUNDED}`;

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const num = (v: string | null) => (v === null ? null : Number(v));

async function linesOf(db: SqlQueryable, ids: string[]): Promise<Map<string, InvoiceLineView[]>> {
  const rows = await db.query<{
    invoiceId: string;
    position: number;
    kind: string;
    description: string;
    quantity: string;
    unitPriceMinor: number;
    amountMinor: number;
    prepaid: boolean;
    usedQuantity: string | null;
    includedQuantity: string | null;
  }>(
    `SELECT "invoiceId", "position", "kind", "description", "quantity", "unitPriceMinor", "amountMinor", "prepaid",
            "usedQuantity", "includedQuantity"
       FROM "cloud"."cloud_invoice_lines" WHERE "invoiceId" = ANY($1::text[]) ORDER BY "invoiceId", "position"`,
    [ids],
  );
  const by = new Map<string, InvoiceLineView[]>();
  for (const r of rows) {
    const list = by.get(r.invoiceId) ?? [];
    list.push({
      position: r.position,
      kind: r.kind,
      description: r.description,
      quantity: Number(r.quantity),
      unitPriceMinor: r.unitPriceMinor,
      amountMinor: r.amountMinor,
      prepaid: r.prepaid,
      usedQuantity: num(r.usedQuantity),
      includedQuantity: num(r.includedQuantity),
    });
    by.set(r.invoiceId, list);
  }
  return by;
}

function view(r: InvoiceRow, lines: InvoiceLineView[]): InvoiceView {
  return {
    id: r.id,
    number: r.number,
    status: r.status as InvoiceStatus,
    planId: r.planId,
    currency: r.currency,
    periodStart: r.periodStart.toISOString(),
    periodEnd: r.periodEnd.toISOString(),
    subtotalMinor: r.subtotalMinor,
    totalMinor: r.totalMinor,
    prepaidMinor: r.totalMinor - r.amountDueMinor,
    amountDueMinor: r.amountDueMinor,
    paidAmountMinor: r.paidAmountMinor,
    finalizedAt: iso(r.finalizedAt),
    dueAt: iso(r.dueAt),
    paidAt: iso(r.paidAt),
    failedAt: iso(r.failedAt),
    failureCode: r.failureCode,
    voidedAt: iso(r.voidedAt),
    refundedMinor: r.refundedMinor,
    refundStatus: refundStatus(r),
    lines,
  };
}

/** One of the caller's invoices (drafts are not shown), or 404 — another customer's id looks missing. */
export async function getInvoice(db: SqlQueryable, owner: Owner, id: string): Promise<InvoiceView> {
  const [row] = await db.query<InvoiceRow>(
    `SELECT ${COLUMNS} FROM "cloud"."cloud_invoices"
      WHERE "id" = $1 AND "tenantId" = $2 AND "userId" = $3 AND "status" <> 'draft'`,
    [id, owner.tenantId, owner.userId],
  );
  if (!row) throw new AppError("NOT_FOUND", { detail: "No such invoice" });
  return view(row, (await linesOf(db, [row.id])).get(row.id) ?? []);
}

/** The caller's invoices, newest period first; the cursor is the last (periodStart, id). */
export async function listInvoices(
  db: SqlQueryable,
  owner: Owner,
  options: { limit: number; cursor?: string },
): Promise<{ items: InvoiceView[]; nextCursor: string | null }> {
  let after: [Date, string] | null = null;
  if (options.cursor) {
    const [start, id] = decodeCursor(options.cursor).split("|");
    const parsed = new Date(start ?? "");
    if (!id || Number.isNaN(parsed.getTime())) throw new AppError("VALIDATION_FAILED", { detail: "Invalid cursor" });
    after = [parsed, id];
  }
  const rows = await db.query<InvoiceRow>(
    `SELECT ${COLUMNS} FROM "cloud"."cloud_invoices"
      WHERE "tenantId" = $1 AND "userId" = $2 AND "status" <> 'draft'
        AND ($3::timestamptz IS NULL OR ("periodStart", "id") < ($3::timestamptz, $4::text))
      ORDER BY "periodStart" DESC, "id" DESC LIMIT $5`,
    [owner.tenantId, owner.userId, after?.[0] ?? null, after?.[1] ?? null, options.limit + 1],
  );
  const page = rows.slice(0, options.limit);
  const lines = await linesOf(
    db,
    page.map((r) => r.id),
  );
  const last = page.at(-1);
  return {
    items: page.map((r) => view(r, lines.get(r.id) ?? [])),
    nextCursor:
      rows.length > options.limit && last ? encodeCursor(`${last.periodStart.toISOString()}|${last.id}`) : null,
  };
}

/**
 * Whether the customer has an open invoice in payment trouble: its charge failed, or it is still
 * unpaid (finalized or failed; never paid, never void) past its `dueAt`. Either makes the
 * customer past due whatever the subscription says (a crypto or invoice-collected customer has
 * no Stripe subscription to go past_due).
 */
export async function hasOverdueInvoice(db: SqlQueryable, owner: Owner, now: Date): Promise<boolean> {
  const [row] = await db.query<{ overdue: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM "cloud"."cloud_invoices"
       WHERE "tenantId" = $1 AND "userId" = $2
         AND ("status" = 'failed' OR ("status" = 'finalized' AND "dueAt" <= $3))) AS overdue`,
    [owner.tenantId, owner.userId, now],
  );
  return row?.overdue === true;
}
