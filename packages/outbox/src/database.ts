import pg from "pg";
import { type OutboxTransaction, transactionOf } from "./sql.ts";

/**
 * Every batch transaction on PostgreSQL: JIT compilation is off for it, because the claim's cost
 * estimate on a churning queue table (stale statistics) can cross the JIT threshold and a compile
 * costs more than the whole batch (tens of ms of latency for sub-millisecond queries).
 */
const BEGIN_SQL = "BEGIN; SET LOCAL jit = off";

/** A LISTEN in progress. */
export interface OutboxListener {
  /** Resolves when the listening connection is lost (with its error, if any); never for an in-process one. */
  lost: Promise<unknown>;
  /** Stops listening (closes the connection it holds, if any). */
  close(): Promise<void>;
}

/**
 * What the consumer needs of a database: one transaction on one connection held for the whole
 * batch (it issues SAVEPOINTs inside), and notifications of a channel.
 * Two implementations: {@link poolOutboxDatabase} (node-postgres) and the embedded database's
 * (`connectEmbedded(...).outbox` in @atlas/db: PGlite's single connection, held exclusively,
 * with its in-process LISTEN).
 */
export interface OutboxDatabase {
  /** Runs `fn` in one transaction; commits when it resolves, rolls back (and rethrows) when it throws. */
  transaction<T>(fn: (tx: OutboxTransaction) => Promise<T>): Promise<T>;
  /** LISTENs on `channel`; `onNotify` gets each notification's payload. Rejects when it cannot listen. */
  listen(channel: string, onNotify: (payload: string | undefined) => void): Promise<OutboxListener>;
}

/**
 * The consumer's database on a node-postgres pool: a pool client per batch, and a dedicated
 * client (same connection settings, outside the pool) for LISTEN.
 */
export function poolOutboxDatabase(pool: pg.Pool): OutboxDatabase {
  return {
    async transaction<T>(fn: (tx: OutboxTransaction) => Promise<T>): Promise<T> {
      // The client's connection can die between two queries (a database restart): pg then emits
      // `error` on the client, which must have a listener or the process crashes; it is released
      // as broken if that happened, so the pool discards it.
      const client = await pool.connect();
      let broken: Error | undefined;
      const onError = (error: Error) => {
        broken = error;
      };
      client.on("error", onError);
      try {
        await client.query(BEGIN_SQL);
        const result = await fn(transactionOf(client));
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw error;
      } finally {
        client.removeListener("error", onError);
        client.release(broken);
      }
    },
    async listen(channel, onNotify) {
      const client = new pg.Client(pool.options);
      const lost = new Promise<unknown>((resolve) => {
        client.on("error", resolve);
        client.on("end", () => resolve(undefined));
      });
      client.on("notification", (msg) => onNotify(msg.payload));
      try {
        await client.connect();
        await client.query(`LISTEN ${channel}`);
      } catch (error) {
        await client.end().catch(() => {});
        throw error;
      }
      return { lost, close: () => client.end().catch(() => {}) };
    },
  };
}

/**
 * The consumer's database of a service's connection (@atlas/db's DatabaseConnection): its pool on
 * PostgreSQL, the embedded database's held connection otherwise.
 */
export function outboxDatabaseOf(connection: {
  pool: pg.Pool | null;
  embeddedOutbox: OutboxDatabase | null;
}): OutboxDatabase {
  if (connection.pool) return poolOutboxDatabase(connection.pool);
  if (connection.embeddedOutbox) return connection.embeddedOutbox;
  throw new Error("the database connection has neither a pool nor an embedded outbox");
}
