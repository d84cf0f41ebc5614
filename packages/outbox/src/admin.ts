import type pg from "pg";
import { OUTBOX_TABLE, UNPARK_SQL } from "./sql.ts";

export interface ParkedEvent {
  id: string;
  eventType: string;
  attempts: number;
  lastError: string | null;
  parkedAt: Date;
}

/** The dead letter: parked events, oldest first. */
export async function listParkedEvents(pool: pg.Pool, limit = 100): Promise<ParkedEvent[]> {
  const { rows } = await pool.query<ParkedEvent>(
    `SELECT "id", "eventType", "attempts", "lastError", "parkedAt" FROM ${OUTBOX_TABLE}
      WHERE "parkedAt" IS NOT NULL AND "processed" = false ORDER BY "parkedAt" LIMIT $1`,
    [limit],
  );
  return rows;
}

/**
 * Returns parked events to the queue once their cause is fixed (all of them when `ids` is
 * omitted); they are due at `now` with a fresh attempt count. Resolves with how many moved.
 */
export async function unparkEvents(pool: pg.Pool, now: Date, ids?: string[]): Promise<number> {
  const result = await pool.query(UNPARK_SQL, [ids ?? null, now]);
  return result.rowCount ?? 0;
}
