// The release step (`db:release`, the compose `migrate` service): two migrators started at the
// same moment on one fresh database, as two replicas of a deployment would be.
//
// Prisma's schema engine serialises its own runs with pg_advisory_lock(72707369), but gives up
// after 10 s (https://pris.ly/d/migrate-advisory-locking): a second migrator fails whenever the
// first one's migrations take longer than that (a backfill, a busy database). The test makes the
// first migration that slow, deterministically: it holds an uncommitted CREATE SCHEMA "billing",
// which the init migration's CREATE SCHEMA IF NOT EXISTS "billing" waits on, until the other
// migrator has waited on an advisory lock for longer than Prisma's timeout (or has exited).
import { readdirSync } from "node:fs";
import { quoteIdent, withDatabase } from "@atlas/db";
import { spawnTs } from "@atlas/service-kit/testing";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import { PLAN_CATALOGUE } from "../src/seed.ts";
import { TEST_ENV } from "./harness.ts";

const cwd = new URL("..", import.meta.url).pathname;
const { serverUrl } = inject("atlasPostgres");
const database = `atlas_release_${process.pid}`;

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

const migrationsOf = (service: string) =>
  readdirSync(new URL(`../../${service}/prisma/migrations`, import.meta.url), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();

afterAll(async () => {
  await query(serverUrl, `DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
});

describe("db:release (migrate + seed under an advisory lock)", () => {
  it("two migrators started at once on a fresh database both exit 0, and each migration and seed row lands once", async () => {
    await query(serverUrl, `DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
    await query(serverUrl, `CREATE DATABASE ${quoteIdent(database)}`);
    const url = withDatabase(serverUrl, database);
    const blocker = new pg.Client({ connectionString: url });
    await blocker.connect();
    await blocker.query("BEGIN");
    await blocker.query('CREATE SCHEMA "billing"');

    const migrators = [0, 1].map(() => spawnTs("src/migrate-cli.ts", { cwd, env: { ...TEST_ENV, DATABASE_URL: url } }));
    let exited = false;
    for (const m of migrators) void m.exited.then(() => (exited = true));
    try {
      for (const deadline = Date.now() + 90_000; !exited && Date.now() < deadline; ) {
        const [row] = await query<{ blocked: boolean; waited: boolean }>(
          url,
          `SELECT bool_or(wait_event = 'transactionid') AS blocked,
                  bool_or(wait_event = 'advisory' AND now() - query_start > interval '11 seconds') AS waited
             FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
        );
        if (row?.blocked && row.waited) break;
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      await blocker.query("ROLLBACK");
      await blocker.end();
    }
    const codes = await Promise.all(migrators.map((m) => m.exited));
    const outputs = migrators.map((m) => m.output());
    expect(codes, outputs.join("\n---\n")).toEqual([0, 0]);

    for (const [schema, service] of [
      ["auth", "service-auth"],
      ["cloud", "service-cloud-api"],
    ] as const) {
      const rows = await query<{ migration_name: string; finished: boolean; rolled_back: boolean; steps: number }>(
        url,
        `SELECT migration_name, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back,
                applied_steps_count AS steps
           FROM ${quoteIdent(schema)}._prisma_migrations ORDER BY migration_name`,
      );
      // One row per migration folder: none applied twice, none failed and retried.
      expect(rows.map((r) => r.migration_name)).toEqual(migrationsOf(service));
      expect(rows.every((r) => r.finished && !r.rolled_back)).toBe(true);
    }
    // One migrator applied everything; the other waited on the lock and found nothing pending.
    const appliedBy = outputs.map(
      (o) => (o.match(/^auth: applied /m) ? 1 : 0) + (o.match(/^cloud: applied /m) ? 1 : 0),
    );
    expect(appliedBy.sort()).toEqual([0, 2]);
    expect(outputs.every((o) => /^auth: no pending migrations$/m.test(o) || /^auth: applied /m.test(o))).toBe(true);

    const tenants = await query<{ n: number }>(
      url,
      `SELECT count(*)::int AS n FROM auth.auth_tenants WHERE slug = 'default'`,
    );
    expect(tenants[0]?.n).toBe(1);
    const plans = await query<{ id: string }>(url, `SELECT id FROM billing.billing_plans ORDER BY id`);
    expect(plans.map((p) => p.id)).toEqual(PLAN_CATALOGUE.map((p) => p.id).sort());
  });
});
