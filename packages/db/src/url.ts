/** Connection settings of a postgres:// URL, as separate fields (never re-joined into a string). */
export interface PgConnectionConfig {
  host: string;
  port: number;
  user: string;
  password: string | undefined;
  database: string;
  /** Postgres schema from `?schema=`, if any. */
  schema: string | undefined;
}

/** Parses a postgres:// URL into connection fields. Throws on anything that is not one. */
export function parseDatabaseUrl(url: string): PgConnectionConfig {
  const u = new URL(url);
  if (u.protocol !== "postgres:" && u.protocol !== "postgresql:") {
    throw new Error(`not a postgres:// URL (protocol ${u.protocol})`);
  }
  const database = decodeURIComponent(u.pathname.replace(/^\//, ""));
  if (!database) throw new Error("the database URL names no database");
  return {
    host: u.hostname || "127.0.0.1",
    port: u.port ? Number(u.port) : 5432,
    user: decodeURIComponent(u.username) || "postgres",
    password: u.password ? decodeURIComponent(u.password) : undefined,
    database,
    schema: u.searchParams.get("schema") ?? undefined,
  };
}

/** The same URL pointing at another database on the same server. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

/** Quotes an SQL identifier (database or schema name). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The same URL with `?schema=` set: each service keeps its tables in its own Postgres schema. */
export function withSchema(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set("schema", schema);
  return u.toString();
}
