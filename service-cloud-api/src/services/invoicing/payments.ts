import type { SqlQueryable } from "@atlas/db";
import { type OutboxEvent, PoisonEventError } from "@atlas/outbox";
import type { Deps } from "../../deps.ts";
import { type HandlerSet, payloadOf } from "../consumer.ts";
import { creditNoteHandlers } from "./credit-notes.ts";

interface InvoiceState {
  id: string;
  tenantId: string;
  userId: string;
  status: string;
}

async function lockInvoice(tx: SqlQueryable, p: { invoiceId: string; tenantId: string; userId: string }) {
  const [invoice] = await tx.query<InvoiceState>(
    `SELECT "id", "tenantId", "userId", "status" FROM "cloud"."cloud_invoices" WHERE "id" = $1 FOR UPDATE`,
    [p.invoiceId],
  );
  // The invoice and its invoice.finalized commit together, so a payment of an unknown invoice,
  // or one naming another customer, can never apply: parked for a person to look at.
  if (!invoice) throw new PoisonEventError("payment for an unknown invoice");
  if (invoice.tenantId !== p.tenantId || invoice.userId !== p.userId) {
    throw new PoisonEventError("payment names another customer than the invoice");
  }
  return invoice;
}

/**
 * Payment outcomes. `paid` is terminal: a success wins over any failure, whichever arrives first
 * or twice (a late `payment.failed` of an earlier attempt leaves a paid invoice paid). A failure
 * marks a finalized (or already failed) invoice `failed` with the latest failure code; dunning
 * on the billing side may still turn it `paid`. A void invoice never changes again (the trigger
 * refuses it): an outcome that crossed the void is left to service-auth, whose `invoice.voided`
 * handler cancels the charge or leaves a succeeded one for a refund.
 */
export async function applyPaymentSucceeded(
  tx: SqlQueryable,
  p: { invoiceId: string; tenantId: string; userId: string; amountMinor: number; provider: string; reference: string },
  at: Date,
): Promise<boolean> {
  const invoice = await lockInvoice(tx, p);
  if (invoice.status === "paid" || invoice.status === "void") return false;
  await tx.query(
    `UPDATE "cloud"."cloud_invoices" SET "status" = 'paid', "paidAt" = $2, "paidAmountMinor" = $3,
       "paymentProvider" = $4, "paymentReference" = $5, "updatedAt" = $2 WHERE "id" = $1`,
    [p.invoiceId, at, p.amountMinor, p.provider, p.reference],
  );
  return true;
}

export async function applyPaymentFailed(
  tx: SqlQueryable,
  p: { invoiceId: string; tenantId: string; userId: string; failureCode: string },
  at: Date,
): Promise<boolean> {
  const invoice = await lockInvoice(tx, p);
  // A void invoice is never collected again: a late failure of an earlier attempt leaves it void.
  if (invoice.status === "paid" || invoice.status === "void") return false;
  await tx.query(
    `UPDATE "cloud"."cloud_invoices" SET "status" = 'failed', "failedAt" = $2, "failureCode" = $3, "updatedAt" = $2
      WHERE "id" = $1`,
    [p.invoiceId, at, p.failureCode],
  );
  return true;
}

/**
 * `charge.canceled`: the billing side will never charge this invoice (the account was deleted),
 * so it is void. A paid invoice stays paid (the money was taken before the cancellation).
 */
export async function applyChargeCanceled(
  tx: SqlQueryable,
  p: { invoiceId: string; tenantId: string; userId: string; reason: string },
  at: Date,
): Promise<boolean> {
  const invoice = await lockInvoice(tx, p);
  if (invoice.status === "paid" || invoice.status === "void") return false;
  // The immutability trigger lets a finalized or failed invoice become void only with voidedAt
  // and voidReason set in the same update.
  await tx.query(
    `UPDATE "cloud"."cloud_invoices" SET "status" = 'void', "voidedAt" = $2, "voidReason" = $3, "updatedAt" = $2
      WHERE "id" = $1`,
    [p.invoiceId, at, `charge canceled: ${p.reason}`],
  );
  return true;
}

/** Handlers of payment.succeeded / payment.failed / charge.canceled, and the credit notes of refunds and disputes (auth → cloud). */
export function paymentHandlers(deps: Pick<Deps, "now" | "quota">): HandlerSet {
  const at = (event: OutboxEvent) => new Date(event.createdAt);
  return {
    ...creditNoteHandlers(),
    "payment.succeeded": async (event, tx) => {
      const p = payloadOf("payment.succeeded", event);
      await applyPaymentSucceeded(tx, p, at(event));
      deps.quota.forget(p);
    },
    "payment.failed": async (event, tx) => {
      const p = payloadOf("payment.failed", event);
      await applyPaymentFailed(tx, p, at(event));
      deps.quota.forget(p);
    },
    "charge.canceled": async (event, tx) => {
      const p = payloadOf("charge.canceled", event);
      await applyChargeCanceled(tx, p, at(event));
      deps.quota.forget(p);
    },
  };
}
