import pg from "pg";
import { inject } from "vitest";
import { parseDatabaseUrl, quoteIdent, withDatabase } from "../url.ts";

let cached: Promise<string> | undefined;

/**
 * URL (without schema) of this worker's own database, cloned from the migrated template on
 * first use. Test files in one worker run one after another, so they share it safely.
 */
export function workerDatabaseUrl(): Promise<string> {
  cached ??= (async () => {
    const { serverUrl, template } = inject("atlasPostgres");
    const name = `${template}_w${process.env.VITEST_POOL_ID ?? process.pid}`;
    const client = new pg.Client({ ...parseDatabaseUrl(serverUrl) });
    await client.connect();
    try {
      const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
      if (exists.rowCount === 0) {
        await client.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)}`);
      }
    } finally {
      await client.end();
    }
    return withDatabase(serverUrl, name);
  })();
  return cached;
}

const APP_SCHEMAS = ["auth", "cloud", "billing"];

/** Empties every application table of the worker database (migration history stays). */
export async function truncateAll(url: string): Promise<void> {
  const client = new pg.Client({ ...parseDatabaseUrl(url) });
  await client.connect();
  try {
    const { rows } = await client.query<{ schemaname: string; tablename: string }>(
      `SELECT schemaname, tablename FROM pg_tables WHERE schemaname = ANY($1) AND tablename <> '_prisma_migrations'`,
      [APP_SCHEMAS],
    );
    if (rows.length === 0) return;
    const list = rows.map((r) => `${quoteIdent(r.schemaname)}.${quoteIdent(r.tablename)}`).join(", ");
    await client.query(`TRUNCATE ${list} RESTART IDENTITY CASCADE`);
  } finally {
    await client.end();
  }
}
