// The charge saga's raw-SQL rows (it runs in the outbox consumer's transaction): charges,
// billing profiles, and the events it emits in that transaction.
import { type BillingEventPayload, type BillingEventType, outboxRow } from "@atlas/billing-events";
import { enqueueOutboxEvent, type OutboxTransaction } from "@atlas/outbox";

/** A charge row as the saga reads it (raw SQL: it runs in the outbox consumer's transaction). */
export interface ChargeRow {
  id: string;
  invoiceId: string;
  billingProfileId: string;
  amountMinor: number;
  currency: string;
  provider: string;
  stripePaymentIntentId: string | null;
  status: string;
  attempts: number;
  tenantId: string;
  userId: string;
  onBehalfOf: string | null;
  graceEndsAt: Date | null;
}

/** The billing profile columns the saga reads. */
export interface ProfileRow {
  id: string;
  tenantId: string;
  customerId: string;
  stripeCustomerId: string | null;
  preferredProvider: string;
  defaultPaymentMethodId: string | null;
}

/** Emits a billing event through raw SQL in the saga's transaction. */
export async function emitSql<T extends BillingEventType>(
  tx: OutboxTransaction,
  eventType: T,
  payload: BillingEventPayload<T>,
  dedupeKey: string,
  now: Date,
  aggregateKey: string,
): Promise<boolean> {
  const row = outboxRow(eventType, payload, "service-auth", dedupeKey);
  return enqueueOutboxEvent(tx, { ...row, aggregateKey }, now);
}

const CHARGE_COLUMNS = `"id", "invoiceId", "billingProfileId", "amountMinor", "currency", "provider",
  "stripePaymentIntentId", "status", "attempts", "tenantId", "userId", "onBehalfOf", "graceEndsAt"`;

/** The charge row where `where` = `value`, locked for the rest of the transaction (FOR UPDATE). */
export async function lockCharge(tx: OutboxTransaction, where: string, value: unknown): Promise<ChargeRow | null> {
  const rows = await tx.query<ChargeRow>(
    `SELECT ${CHARGE_COLUMNS} FROM "billing"."billing_charges" WHERE ${where} = $1 FOR UPDATE`,
    [value],
  );
  return rows[0] ?? null;
}

/** A billing profile by its id or its customer's user id. */
export async function profileOf(tx: OutboxTransaction, id: string): Promise<ProfileRow | null> {
  const rows = await tx.query<ProfileRow>(
    `SELECT "id", "tenantId", "customerId", "stripeCustomerId", "preferredProvider", "defaultPaymentMethodId"
       FROM "billing"."billing_profiles" WHERE "id" = $1 OR "customerId" = $1`,
    [id],
  );
  return rows[0] ?? null;
}
