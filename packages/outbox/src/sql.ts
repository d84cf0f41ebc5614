import type pg from "pg";

/** The shared outbox table (migrated by service-auth, see its prisma schema). */
export const OUTBOX_TABLE = `"billing"."billing_events"`;
/** The channel the outbox trigger notifies on commit; the payload is the event type. */
export const OUTBOX_CHANNEL = "billing_events";

/** One row of the outbox as a consumer sees it. */
export interface OutboxEvent {
  id: string;
  eventType: string;
  sourceService: string;
  payload: unknown;
  dedupeKey: string;
  aggregateKey: string | null;
  /** Failed attempts so far (0 on the first delivery). */
  attempts: number;
  createdAt: Date;
}

/** Raw SQL inside the consumer's transaction. */
export interface OutboxTransaction {
  query<R extends object = Record<string, unknown>>(text: string, values?: unknown[]): Promise<R[]>;
}

export function transactionOf(client: pg.PoolClient): OutboxTransaction {
  return {
    query: async <R extends object>(text: string, values: unknown[] = []) =>
      (await client.query<R & pg.QueryResultRow>(text, values)).rows,
  };
}

/**
 * Claims up to $3 events of the types $1 that are due at $2, locking them for this transaction.
 * SKIP LOCKED hands each event to one consumer. An event whose aggregate has an older pending
 * event (of this consumer's types) waits for it, so events of one aggregate apply in insertion
 * order (`seq`) even across processes and retries; parked events do not hold their aggregate back.
 *
 * There is deliberately no ORDER BY: the claim stops at the first $3 claimable rows of whatever
 * index the planner walks (in practice oldest `availableAt` first per event type, or insertion
 * order), so it costs the batch, not the backlog. Ordering by `seq` or `createdAt` made Postgres
 * filter and sort every pending row on each claim — 80–210 ms per batch with 20–30k events
 * pending, which capped a consumer at ~1,000 events/s exactly when it falls behind. Order inside
 * an aggregate never depended on the ORDER BY: the NOT EXISTS above enforces it.
 */
export const CLAIM_SQL = `
SELECT e."id", e."eventType", e."sourceService", e."payload", e."dedupeKey", e."aggregateKey",
       e."attempts", e."createdAt"
  FROM ${OUTBOX_TABLE} e
 WHERE e."processed" = false AND e."parkedAt" IS NULL
   AND e."eventType" = ANY($1::text[]) AND e."availableAt" <= $2
   AND (e."aggregateKey" IS NULL OR NOT EXISTS (
         SELECT 1 FROM ${OUTBOX_TABLE} p
          WHERE p."aggregateKey" = e."aggregateKey" AND p."processed" = false AND p."parkedAt" IS NULL
            AND p."eventType" = ANY($1::text[])
            AND p."seq" < e."seq"))
 LIMIT $3
   FOR UPDATE OF e SKIP LOCKED`;

export const MARK_PROCESSED_SQL = `UPDATE ${OUTBOX_TABLE}
   SET "processed" = true, "processedAt" = $2, "lastError" = NULL WHERE "id" = $1`;

export const MARK_BATCH_PROCESSED_SQL = `UPDATE ${OUTBOX_TABLE}
   SET "processed" = true, "processedAt" = $2, "lastError" = NULL WHERE "id" = ANY($1::text[])`;

export const RESCHEDULE_SQL = `UPDATE ${OUTBOX_TABLE}
   SET "attempts" = "attempts" + 1, "lastError" = $2, "availableAt" = $3 WHERE "id" = $1`;

export const PARK_SQL = `UPDATE ${OUTBOX_TABLE}
   SET "attempts" = "attempts" + 1, "lastError" = $2, "parkedAt" = $3 WHERE "id" = $1`;

/** Puts parked events back in the queue (after the cause is fixed). */
export const UNPARK_SQL = `UPDATE ${OUTBOX_TABLE}
   SET "parkedAt" = NULL, "attempts" = 0, "availableAt" = $2
 WHERE "parkedAt" IS NOT NULL AND "processed" = false AND ($1::text[] IS NULL OR "id" = ANY($1::text[]))`;
