// vitest globalSetup: one PostgreSQL for the whole run, one template database migrated once.
// DATABASE_URL unset: a throwaway cluster (initdb in a temp folder, free port). Each worker then
// clones the template into its own database (see worker.ts).
import pg from "pg";
import { type PostgresCluster, startPostgresCluster } from "../cluster.ts";
import { deployMigrations } from "../migrations.ts";
import { SERVICE_MIGRATIONS } from "../services.ts";
import { parseDatabaseUrl, quoteIdent, withDatabase, withSchema } from "../url.ts";

export interface TestDatabaseInfo {
  /** Superuser-capable URL of a maintenance database on the test server. */
  serverUrl: string;
  /** Name of the migrated template database. */
  template: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    atlasPostgres: TestDatabaseInfo;
  }
}

async function admin<T>(serverUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const cfg = parseDatabaseUrl(serverUrl);
  const client = new pg.Client({ ...cfg });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

interface Prepared {
  info: TestDatabaseInfo;
  teardown: () => Promise<void>;
  users: number;
}
// vitest runs a globalSetup once per project (vitest.config.ts has two: the web suite runs at two
// window sizes): the projects share one server and one template, torn down after the last one.
const shared = globalThis as { atlasTestDatabase?: Promise<Prepared> };

export default async function setup(project: { provide(key: "atlasPostgres", value: TestDatabaseInfo): void }) {
  shared.atlasTestDatabase ??= prepare();
  const prepared = await shared.atlasTestDatabase;
  prepared.users += 1;
  project.provide("atlasPostgres", prepared.info);
  return async () => {
    prepared.users -= 1;
    if (prepared.users === 0) {
      shared.atlasTestDatabase = undefined;
      await prepared.teardown();
    }
  };
}

async function prepare(): Promise<Prepared> {
  let cluster: PostgresCluster | undefined;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    cluster = await startPostgresCluster();
    serverUrl = cluster.url;
  }
  const template = `atlas_test_${process.pid}`;
  await admin(serverUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(template)} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${quoteIdent(template)}`);
  });
  for (const svc of SERVICE_MIGRATIONS) {
    await deployMigrations(withSchema(withDatabase(serverUrl, template), svc.schema), svc);
  }
  const url = serverUrl;
  const teardown = async () => {
    if (cluster) {
      await cluster.stop();
      return;
    }
    // A shared server: drop the template and every worker clone of it.
    await admin(url, async (c) => {
      const { rows } = await c.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE $1", [
        `${template}%`,
      ]);
      for (const { datname } of rows) await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(datname)} WITH (FORCE)`);
    });
  };
  return { info: { serverUrl, template }, teardown, users: 0 };
}
