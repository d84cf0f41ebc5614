import { randomUUID } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import pg from "pg";
import { type PgConnectionConfig, parseDatabaseUrl, quoteIdent } from "./url.ts";

// The wasm schema engine reads catalog columns of Postgres types "char" (18) and name (19) and
// their arrays; @prisma/adapter-pg has no column type for them, so they are reported as text.
const TEXT_LIKE_OIDS: Record<number, number> = { 18: 25, 19: 25, 1002: 1009, 1003: 1009 };

interface FieldLike {
  dataTypeID: number;
}
interface QueryResultLike {
  fields?: FieldLike[];
}
interface PatchableQueryable {
  performIO(query: unknown): Promise<QueryResultLike>;
  executeScript(script: string): Promise<void>;
  dispose(): Promise<void>;
  underlyingDriver(): pg.Pool | pg.PoolClient;
}

const patchedPrototypes = new WeakSet<object>();

function patchQueryablePrototype(adapter: object): void {
  let proto = Object.getPrototypeOf(adapter) as object | null;
  while (proto && !Object.hasOwn(proto, "performIO")) proto = Object.getPrototypeOf(proto) as object | null;
  if (!proto || patchedPrototypes.has(proto)) return;
  const target = proto as PatchableQueryable;
  const original = target.performIO;
  target.performIO = async function performIO(this: PatchableQueryable, query: unknown) {
    const result = await original.call(this, query);
    for (const field of result?.fields ?? []) {
      const mapped = TEXT_LIKE_OIDS[field.dataTypeID];
      if (mapped !== undefined) field.dataTypeID = mapped;
    }
    return result;
  };
  patchedPrototypes.add(proto);
}

/**
 * A migration-aware SQL adapter factory for the wasm schema engine, over node-postgres.
 *
 * - `executeScript` sends the whole script in one simple-query round trip (the stock adapter
 *   splits on every `;`, which breaks on semicolons inside literals and comments).
 * - `connectToShadowDb` creates a uniquely named temporary database from separate connection
 *   fields and drops it `WITH (FORCE)` when the engine disposes it.
 * - The `?schema=` of the URL becomes the adapter's schema, which is where the engine keeps
 *   `_prisma_migrations`: each service keeps its own history in its own schema.
 */
export function migrationAdapterFactory(url: string) {
  const opened: PatchableQueryable[] = [];
  const factory = bindMigrationAwareSqlAdapterFactory(makeFactory(parseDatabaseUrl(url), opened));
  return {
    factory,
    /** Ends every pool the engine opened: freeing the engine does not dispose its adapters. */
    async close() {
      await Promise.allSettled(opened.splice(0).map((a) => a.dispose()));
    },
  };
}

function makeFactory(cfg: PgConnectionConfig, opened: PatchableQueryable[]) {
  const poolConfig: pg.PoolConfig = {
    host: cfg.host,
    port: cfg.port,
    user: cfg.user,
    password: cfg.password,
    database: cfg.database,
    max: 4,
    options: cfg.schema ? `-c search_path=${cfg.schema}` : undefined,
  };
  const factory = new PrismaPg(poolConfig, cfg.schema ? { schema: cfg.schema } : undefined);
  const connect = factory.connect.bind(factory);
  const patchedConnect = async () => {
    const adapter = (await connect()) as unknown as PatchableQueryable;
    opened.push(adapter);
    patchQueryablePrototype(adapter);
    adapter.executeScript = async (script: string) => {
      const pool = adapter.underlyingDriver();
      await pool.query(script);
    };
    return adapter;
  };
  const patched = factory as unknown as {
    connect: typeof patchedConnect;
    connectToShadowDb: () => Promise<PatchableQueryable>;
  };
  patched.connect = patchedConnect;
  patched.connectToShadowDb = async () => {
    const admin = new pg.Client({ ...poolConfig, options: undefined, database: cfg.database });
    await admin.connect();
    const name = `prisma_shadow_${randomUUID().replaceAll("-", "")}`;
    await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
    const shadowOpened: PatchableQueryable[] = [];
    const shadow = await (makeFactory({ ...cfg, database: name }, shadowOpened) as unknown as typeof patched).connect();
    const dispose = shadow.dispose.bind(shadow);
    let disposed = false;
    shadow.dispose = async () => {
      if (disposed) return;
      disposed = true;
      try {
        await dispose();
      } finally {
        await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
        await admin.end();
      }
    };
    opened.push(shadow);
    return shadow;
  };
  return factory;
}
