import { randomUUID } from "node:crypto";
import { OUTBOX_TABLE, type OutboxTransaction } from "./sql.ts";

export interface NewOutboxEvent {
  eventType: string;
  sourceService: string;
  payload: unknown;
  /** Unique per fact: enqueuing the same fact twice inserts one row. */
  dedupeKey: string;
  /** Events of one aggregate are consumed in order (e.g. `invoice:<id>`). */
  aggregateKey?: string | null;
}

/**
 * Inserts an event through raw SQL in the caller's transaction (the transactional outbox for
 * code that runs on `pg`, e.g. inside a consumer's handler). Validate the payload first
 * (`outboxRow` of @atlas/billing-events). Resolves false when an event with this dedupe key
 * already exists: the fact was announced before.
 *
 * `createdAt` is `now`, except that within an aggregate it never goes backwards: an event is
 * stamped at least 1 ms after the aggregate's newest event. Producers' clocks can disagree (two
 * instances, one running ahead); consumers that keep "the newest event wins" by `createdAt`
 * would otherwise drop a later event stamped earlier than one a fast clock wrote before it.
 */
export async function enqueueOutboxEvent(tx: OutboxTransaction, event: NewOutboxEvent, now: Date): Promise<boolean> {
  const rows = await tx.query(
    `INSERT INTO ${OUTBOX_TABLE} ("id", "eventType", "sourceService", "payload", "dedupeKey", "aggregateKey",
       "createdAt", "availableAt")
     VALUES ($1, $2, $3, $4::jsonb, $5, $6::text, GREATEST($7::timestamptz, (
       SELECT max(p."createdAt") + interval '1 millisecond' FROM ${OUTBOX_TABLE} p WHERE p."aggregateKey" = $6::text
     )), $7)
     ON CONFLICT ("dedupeKey") DO NOTHING RETURNING "id"`,
    [
      randomUUID(),
      event.eventType,
      event.sourceService,
      JSON.stringify(event.payload),
      event.dedupeKey,
      event.aggregateKey ?? null,
      now,
    ],
  );
  return rows.length === 1;
}
