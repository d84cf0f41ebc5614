import pg from "pg";
import { parseDatabaseUrl } from "./url.ts";

/**
 * The advisory-lock key every migrator of an Atlas database takes: a fixed 64-bit number (the
 * ASCII of "atlasmig"), so two releases of any version contend for the same lock.
 */
export const MIGRATION_LOCK_KEY = 0x61746c61736d6967n;

/**
 * Runs `fn` while holding the session-level PostgreSQL advisory lock MIGRATION_LOCK_KEY on a
 * connection of its own, so migrators started together (a `migrate` container per replica, two
 * deploys overlapping) run one after the other: the second waits, then finds nothing pending.
 * The lock is released when `fn` settles, and by the server if this process dies holding it.
 *
 * @example
 * await withMigrationLock(process.env.DATABASE_URL, () => deployMigrations(url, target));
 */
export async function withMigrationLock<T>(url: string, fn: () => Promise<T>): Promise<T> {
  const { schema: _schema, ...cfg } = parseDatabaseUrl(url);
  const client = new pg.Client({ ...cfg, application_name: "atlas-migrate" });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY.toString()]);
    try {
      return await fn();
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY.toString()]);
    }
  } finally {
    await client.end();
  }
}
