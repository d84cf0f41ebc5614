import { OUTBOX_TABLE, type OutboxTransaction } from "./sql.ts";

/** One event type's backlog, as a consumer's operator sees it (the `outbox_*` metrics). */
export interface OutboxBacklog {
  eventType: string;
  /** Seconds the oldest due, unprocessed, unparked event has waited since it became due (0: none waits). */
  lagSeconds: number;
  /** Events parked in the dead letter (unprocessed), waiting for an operator. */
  parked: number;
}

// One row per type. Each subquery walks the (eventType, processed, availableAt) index of that
// type's unprocessed rows: the MIN stops at the first unparked due row, and the parked count reads
// only the unprocessed rows of the type (the backlog, not the history of processed events).
const BACKLOG_SQL = `
SELECT t."eventType",
       (SELECT min(e."availableAt") FROM ${OUTBOX_TABLE} e
         WHERE e."eventType" = t."eventType" AND e."processed" = false AND e."parkedAt" IS NULL
           AND e."availableAt" <= $2) AS "oldestDueAt",
       (SELECT count(*) FROM ${OUTBOX_TABLE} e
         WHERE e."eventType" = t."eventType" AND e."processed" = false AND e."parkedAt" IS NOT NULL)::int AS "parked"
  FROM unnest($1::text[]) AS t("eventType")`;

/**
 * The backlog of the event types `types` (one consumer's) at `now`: how long the oldest due event
 * has been waiting to be claimed, and how many are parked. Cheap enough to run on each scrape of
 * `/metrics`: one round trip, index range scans over unprocessed rows only.
 */
export async function outboxBacklog(
  db: OutboxTransaction,
  types: readonly string[],
  now: Date,
): Promise<OutboxBacklog[]> {
  const rows = await db.query<{ eventType: string; oldestDueAt: Date | string | null; parked: number }>(BACKLOG_SQL, [
    types,
    now,
  ]);
  return rows.map((row) => ({
    eventType: row.eventType,
    lagSeconds: row.oldestDueAt ? Math.max(0, (now.getTime() - new Date(row.oldestDueAt).getTime()) / 1000) : 0,
    parked: Number(row.parked),
  }));
}
