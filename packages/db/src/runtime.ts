import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import type { PrismaPGlite } from "pglite-prisma-adapter";
import type { EmbeddedOutbox } from "./embedded.ts";
import { parseDatabaseUrl } from "./url.ts";

/** Raw SQL with positional parameters ($1, $2 ...), returning rows as objects. */
export interface SqlQueryable {
  query<R extends object = Record<string, unknown>>(text: string, values?: unknown[]): Promise<R[]>;
}

/**
 * What a Prisma client or interactive transaction offers for raw SQL (structurally: this package
 * depends on no generated client).
 */
export interface PrismaRawSql {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): PromiseLike<T>;
}

/** Anywhere raw SQL can run: a pool, a pg transaction, or a Prisma client or transaction. */
export type Queryable = SqlQueryable | PrismaRawSql;

/**
 * The one shape of "a pool or a transaction", whichever side opened it: writers that must
 * commit with Prisma transactions and with raw-SQL ones (the audit log, a webhook ledger) take a
 * {@link Queryable} and run their one statement through this.
 *
 * @example
 * await sqlOf(tx).query(`INSERT INTO t (id) VALUES ($1)`, [id]);
 */
export function sqlOf(db: Queryable): SqlQueryable {
  if ("query" in db) return db;
  return {
    query: async <R extends object>(text: string, values: unknown[] = []) => db.$queryRawUnsafe<R[]>(text, ...values),
  };
}

/**
 * A database connection a service runs on: a Prisma adapter, raw SQL for hot paths (where
 * Prisma's per-query cost dominates), liveness and shutdown. Works the same on Postgres and on
 * the embedded database.
 */
export interface DatabaseConnection extends SqlQueryable {
  /** Runs `fn` in one transaction on one connection; rolls back if it throws. */
  transaction<T>(fn: (q: SqlQueryable) => Promise<T>): Promise<T>;
  kind: "postgres" | "embedded";
  /** Prisma driver-adapter factory to pass as `new PrismaClient({ adapter })`. */
  adapter: PrismaPg | PrismaPGlite;
  /** Resolves when the database answers a query. */
  ping(): Promise<void>;
  /** Closes what this connection owns (the pool; an embedded database is closed by its owner). */
  close(): Promise<void>;
  /** The node-postgres pool, for raw SQL paths (outbox claims, bulk inserts); null when embedded. */
  pool: pg.Pool | null;
  /**
   * The embedded database's outbox access (its single connection held for a consumer's batch,
   * in-process LISTEN); null on PostgreSQL, where the consumer runs on `pool`.
   */
  embeddedOutbox: EmbeddedOutbox | null;
}

/**
 * Connects a service to PostgreSQL. The service's `schema` becomes the search path and the
 * adapter's default schema (its models are schema-qualified anyway).
 */
export function connectPostgres(url: string, schema: string, options: { max?: number } = {}): DatabaseConnection {
  const cfg = parseDatabaseUrl(url);
  const pool = new pg.Pool({
    host: cfg.host,
    port: cfg.port,
    user: cfg.user,
    password: cfg.password,
    database: cfg.database,
    max: options.max ?? 10,
    options: `-c search_path=${schema}`,
    connectionTimeoutMillis: 5_000,
  });
  // An idle client's error (server restart) must not crash the process; the pool replaces it.
  pool.on("error", () => {});
  return {
    kind: "postgres",
    adapter: new PrismaPg(pool, { schema }),
    pool,
    embeddedOutbox: null,
    async query<R extends object>(text: string, values: unknown[] = []) {
      return (await pool.query<R & pg.QueryResultRow>(text, values)).rows;
    },
    async transaction<T>(fn: (q: SqlQueryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      // A checked-out client whose connection dies between two queries (server restart) emits
      // `error` with nobody listening — which would crash the process. Note it, and release the
      // client as broken so the pool discards it.
      let broken: Error | undefined;
      const onError = (error: Error) => {
        broken = error;
      };
      client.on("error", onError);
      try {
        await client.query("BEGIN");
        const result = await fn({
          query: async <R extends object>(text: string, values: unknown[] = []) =>
            (await client.query<R & pg.QueryResultRow>(text, values)).rows,
        });
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
    async ping() {
      await pool.query("SELECT 1");
    },
    async close() {
      await pool.end();
    },
  };
}
