import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { embeddedOutbox, routeHeldTransaction } from "./embedded.ts";
import { createSchemaEngine } from "./engine.ts";
import { filtersOf, loadMigrationList, type MigrationTarget } from "./migrations.ts";
import type { DatabaseConnection, SqlQueryable } from "./runtime.ts";
import { quoteIdent } from "./url.ts";

// The embedded database (`@atlas/db/embedded`): PGlite and its Prisma adapter load only in the
// embedded launcher (scripts/start.ts), never in a service connected to PostgreSQL.

/**
 * Opens (creating if needed) the embedded PGlite database persisted in `dataDir`.
 * PGlite is Postgres compiled to wasm with a single connection, shared by every Prisma client
 * in the process; its query and transaction mutexes serialise them safely.
 */
export async function openEmbeddedDatabase(dataDir: string): Promise<PGlite> {
  mkdirSync(dataDir, { recursive: true });
  const db = new PGlite({ dataDir });
  await db.waitReady;
  return db;
}

interface PGliteAdapterLike {
  executeScript(script: string): Promise<void>;
  getConnectionInfo(): { schemaName?: string; supportsRelationJoins: boolean };
}

/** A Prisma driver-adapter factory over a shared PGlite instance, scoped to a Postgres schema. */
export function pgliteAdapterFactory(db: PGlite, schema: string) {
  const factory = new PrismaPGlite(db);
  const connect = factory.connect.bind(factory);
  (factory as unknown as { connect: () => Promise<PGliteAdapterLike> }).connect = async () => {
    const adapter = (await connect()) as unknown as PGliteAdapterLike;
    // The stock adapter neither awaits exec() nor reports its schema; the schema engine needs both.
    adapter.executeScript = async (script: string) => {
      await db.exec(script);
    };
    adapter.getConnectionInfo = () => ({ schemaName: schema, supportsRelationJoins: true });
    return adapter;
  };
  return factory;
}

/** Applies pending migrations of one service to the embedded database, through the wasm engine. */
export async function deployEmbeddedMigrations(
  db: PGlite,
  schema: string,
  target: Pick<MigrationTarget, "migrationsDir" | "externalTables">,
) {
  await db.exec(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  // Migration SQL leaves tables of the service's own schema unqualified (as Prisma does with
  // ?schema=) and the engine keeps _prisma_migrations there: point the single connection at it
  // while migrating. This runs at boot, before any client shares the connection.
  await db.exec(`SET search_path TO ${quoteIdent(schema)}`);
  const engine = await createSchemaEngine(bindMigrationAwareSqlAdapterFactory(pgliteAdapterFactory(db, schema)));
  try {
    const result = await engine.applyMigrations({
      migrationsList: await loadMigrationList(target.migrationsDir),
      filters: filtersOf(target),
    });
    return result.appliedMigrationNames;
  } finally {
    engine.free();
    await db.exec("RESET search_path");
  }
}

/**
 * Connects a service to the in-process embedded database. Its queries and transactions, Prisma's
 * included, join the outbox consumer's transaction when made from one of its handlers (see
 * embedded.ts).
 */
export function connectEmbedded(raw: PGlite, schema: string): DatabaseConnection {
  const db = routeHeldTransaction(raw);
  return {
    kind: "embedded",
    adapter: pgliteAdapterFactory(db, schema),
    pool: null,
    embeddedOutbox: embeddedOutbox(raw),
    async query<R extends object>(text: string, values: unknown[] = []) {
      return (await db.query<R>(text, values)).rows;
    },
    transaction<T>(fn: (q: SqlQueryable) => Promise<T>): Promise<T> {
      return db.transaction((tx) =>
        fn({
          query: async <R extends object>(text: string, values: unknown[] = []) =>
            (await tx.query<R>(text, values)).rows,
        }),
      );
    },
    async ping() {
      await db.query("SELECT 1");
    },
    async close() {},
  };
}
