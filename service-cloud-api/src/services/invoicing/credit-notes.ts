import { randomUUID } from "node:crypto";
import type { BillingEventPayload } from "@atlas/billing-events";
import type { SqlQueryable } from "@atlas/db";
import { AppError } from "@atlas/errors";
import { type OutboxEvent, PoisonEventError } from "@atlas/outbox";
import { decodeCursor, encodeCursor } from "@atlas/service-kit";
import type { HandlerSet } from "../consumer.ts";
import { payloadOf } from "../consumer.ts";
import type { Owner } from "../storage.ts";

export interface CreditNoteView {
  id: string;
  number: number;
  invoiceId: string;
  invoiceNumber: number | null;
  kind: "refund" | "dispute";
  status: "issued" | "reversed";
  amountMinor: number;
  currency: string;
  reason: string | null;
  reference: string;
  issuedAt: string;
  reversedAt: string | null;
}

interface CreditNoteRow {
  id: string;
  number: number;
  invoiceId: string;
  invoiceNumber: number | null;
  kind: string;
  status: string;
  amountMinor: number;
  currency: string;
  reason: string | null;
  reference: string;
  issuedAt: Date;
  reversedAt: Date | null;
}

const SELECT = `SELECT c."id", c."number", c."invoiceId", i."number" AS "invoiceNumber", c."kind", c."status",
  c."amountMinor", c."currency", c."reason", c."reference", c."issuedAt", c."reversedAt"
  FROM "cloud"."cloud_credit_notes" c JOIN "cloud"."cloud_invoices" i ON i."id" = c."invoiceId"`;

const view = (r: CreditNoteRow): CreditNoteView => ({
  id: r.id,
  number: r.number,
  invoiceId: r.invoiceId,
  invoiceNumber: r.invoiceNumber,
  kind: r.kind as CreditNoteView["kind"],
  status: r.status as CreditNoteView["status"],
  amountMinor: r.amountMinor,
  currency: r.currency,
  reason: r.reason,
  reference: r.reference,
  issuedAt: r.issuedAt.toISOString(),
  reversedAt: r.reversedAt ? r.reversedAt.toISOString() : null,
});

/** Takes the tenant's next credit note number; the row stays locked until the transaction ends. */
async function nextCreditNoteNumber(tx: SqlQueryable, tenantId: string): Promise<number> {
  const [row] = await tx.query<{ lastNumber: number }>(
    `INSERT INTO "cloud"."cloud_credit_note_sequences" ("tenantId", "lastNumber") VALUES ($1, 1)
     ON CONFLICT ("tenantId") DO UPDATE SET "lastNumber" = "cloud_credit_note_sequences"."lastNumber" + 1
     RETURNING "lastNumber"`,
    [tenantId],
  );
  return row?.lastNumber as number;
}

type Credit = BillingEventPayload<"payment.refunded">;

/**
 * Issues the credit note of one refund or dispute withdrawal, once per `reference`:
 * 1. a reference that has its note already: nothing (the same refund announced twice);
 * 2. the invoice, locked, must be the customer's, in the same currency, and paid;
 * 3. the notes of the invoice never credit more than was paid;
 * 4. the next number of the tenant's own sequence, then the note.
 * An event that breaks 2 or 3 can never apply: parked for a person (PoisonEventError).
 */
export async function issueCreditNote(
  tx: SqlQueryable,
  p: Credit,
  kind: "refund" | "dispute",
  at: Date,
): Promise<boolean> {
  const known = await tx.query(`SELECT 1 FROM "cloud"."cloud_credit_notes" WHERE "reference" = $1`, [p.reference]);
  if (known.length > 0) return false;
  const [invoice] = await tx.query<{
    tenantId: string;
    userId: string;
    status: string;
    currency: string;
    paidAmountMinor: number | null;
  }>(
    `SELECT "tenantId", "userId", "status", "currency", "paidAmountMinor" FROM "cloud"."cloud_invoices"
      WHERE "id" = $1 FOR UPDATE`,
    [p.invoiceId],
  );
  if (!invoice) throw new PoisonEventError("credit for an unknown invoice");
  if (invoice.tenantId !== p.tenantId || invoice.userId !== p.userId) {
    throw new PoisonEventError("credit names another customer than the invoice");
  }
  if (invoice.currency !== p.currency) throw new PoisonEventError("credit in another currency than the invoice");
  if (invoice.status !== "paid") throw new PoisonEventError("credit for an invoice that is not paid");
  const [credited] = await tx.query<{ sum: number }>(
    `SELECT COALESCE(SUM("amountMinor"), 0)::int AS "sum" FROM "cloud"."cloud_credit_notes"
      WHERE "invoiceId" = $1 AND "status" = 'issued'`,
    [p.invoiceId],
  );
  if ((credited?.sum ?? 0) + p.amountMinor > (invoice.paidAmountMinor ?? 0)) {
    throw new PoisonEventError("credit notes would exceed what the invoice was paid");
  }
  const number = await nextCreditNoteNumber(tx, p.tenantId);
  await tx.query(
    `INSERT INTO "cloud"."cloud_credit_notes" ("id", "tenantId", "userId", "invoiceId", "number", "kind", "reference",
       "amountMinor", "currency", "reason", "status", "issuedAt", "createdAt")
     VALUES ($11, $1, $2, $3, $4, $5, $6, $7, $8, $9, 'issued', $10, $10)`,
    [
      p.tenantId,
      p.userId,
      p.invoiceId,
      number,
      kind,
      p.reference,
      p.amountMinor,
      p.currency,
      p.reason,
      at,
      randomUUID(),
    ],
  );
  return true;
}

/**
 * A won dispute's money came back: its credit note is reversed (kept, with its number), so the
 * invoice counts as paid in full again. Idempotent: a reversed note stays reversed.
 */
export async function reverseDisputeCreditNote(
  tx: SqlQueryable,
  p: BillingEventPayload<"dispute.funds_reinstated">,
  at: Date,
): Promise<boolean> {
  const [note] = await tx.query<{
    status: string;
    kind: string;
    tenantId: string;
    userId: string;
    amountMinor: number;
  }>(
    `SELECT "status", "kind", "tenantId", "userId", "amountMinor" FROM "cloud"."cloud_credit_notes"
      WHERE "reference" = $1 FOR UPDATE`,
    [p.reference],
  );
  // Events of one invoice are consumed in order, so the withdrawal's note exists by now.
  if (!note) throw new PoisonEventError("reinstatement of a dispute without a credit note");
  if (note.kind !== "dispute" || note.tenantId !== p.tenantId || note.userId !== p.userId) {
    throw new PoisonEventError("reinstatement does not match the dispute's credit note");
  }
  if (note.status === "reversed") return false;
  await tx.query(
    `UPDATE "cloud"."cloud_credit_notes" SET "status" = 'reversed', "reversedAt" = $2 WHERE "reference" = $1`,
    [p.reference, at],
  );
  return true;
}

/** Handlers of payment.refunded / payment.disputed / dispute.funds_reinstated (auth → cloud). */
export function creditNoteHandlers(): HandlerSet {
  const at = (event: OutboxEvent) => new Date(event.createdAt);
  return {
    "payment.refunded": async (event, tx) => {
      await issueCreditNote(tx, payloadOf("payment.refunded", event), "refund", at(event));
    },
    "payment.disputed": async (event, tx) => {
      await issueCreditNote(tx, payloadOf("payment.disputed", event), "dispute", at(event));
    },
    "dispute.funds_reinstated": async (event, tx) => {
      await reverseDisputeCreditNote(tx, payloadOf("dispute.funds_reinstated", event), at(event));
    },
  };
}

/** One of the caller's credit notes, or 404 — another customer's id looks missing. */
export async function getCreditNote(db: SqlQueryable, owner: Owner, id: string): Promise<CreditNoteView> {
  const [row] = await db.query<CreditNoteRow>(`${SELECT} WHERE c."id" = $1 AND c."tenantId" = $2 AND c."userId" = $3`, [
    id,
    owner.tenantId,
    owner.userId,
  ]);
  if (!row) throw new AppError("NOT_FOUND", { detail: "No such credit note" });
  return view(row);
}

/** The caller's credit notes, newest first; the cursor is the last (issuedAt, id). */
export async function listCreditNotes(
  db: SqlQueryable,
  owner: Owner,
  options: { limit: number; cursor?: string },
): Promise<{ items: CreditNoteView[]; nextCursor: string | null }> {
  let after: [Date, string] | null = null;
  if (options.cursor) {
    const [at, id] = decodeCursor(options.cursor).split("|");
    const parsed = new Date(at ?? "");
    if (!id || Number.isNaN(parsed.getTime())) throw new AppError("VALIDATION_FAILED", { detail: "Invalid cursor" });
    after = [parsed, id];
  }
  const rows = await db.query<CreditNoteRow>(
    `${SELECT} WHERE c."tenantId" = $1 AND c."userId" = $2
        AND ($3::timestamptz IS NULL OR (c."issuedAt", c."id") < ($3::timestamptz, $4::text))
      ORDER BY c."issuedAt" DESC, c."id" DESC LIMIT $5`,
    [owner.tenantId, owner.userId, after?.[0] ?? null, after?.[1] ?? null, options.limit + 1],
  );
  const page = rows.slice(0, options.limit);
  const last = page.at(-1);
  return {
    items: page.map(view),
    nextCursor: rows.length > options.limit && last ? encodeCursor(`${last.issuedAt.toISOString()}|${last.id}`) : null,
  };
}
