import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createMigration, deployMigrations, diffMigrationsToSchema, migrationTimestamp } from "../src/migrations.ts";
import { SERVICE_MIGRATIONS } from "../src/services.ts";
import { quoteIdent, withDatabase, withSchema } from "../src/url.ts";

const { serverUrl } = inject("atlasPostgres");
const repo = new URL("../../../", import.meta.url).pathname;

async function sql<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: url.split("?")[0] });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

async function freshDatabase(name: string): Promise<string> {
  await sql(serverUrl, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  await sql(serverUrl, `CREATE DATABASE ${quoteIdent(name)}`);
  return withDatabase(serverUrl, name);
}

describe.each([
  { service: "service-auth", schema: "auth", external: [] as string[] },
  { service: "service-cloud-api", schema: "cloud", external: ["billing.billing_events"] },
])("$service schema.prisma", ({ service, schema, external }) => {
  it("agrees with its migrations (a schema change without a migration fails here)", async () => {
    const sqlDiff = await diffMigrationsToSchema(withSchema(serverUrl, schema), {
      schemaPath: join(repo, service, "prisma/schema.prisma"),
      migrationsDir: join(repo, service, "prisma/migrations"),
      externalTables: external,
    });
    expect(sqlDiff, "run `pnpm --filter @atlas/<service> db:migration:create <name>`").toBe("");
  });
});

describe("create-migration on a changed schema", () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "atlas-mig-"));
    cpSync(join(repo, "service-auth/prisma"), join(work, "prisma"), { recursive: true });
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("detects the drift, writes the next migration, and that migration applies on a database at the previous one", async () => {
    const target = { schemaPath: join(work, "prisma/schema.prisma"), migrationsDir: join(work, "prisma/migrations") };
    const url = withSchema(await freshDatabase("atlas_mig_prev"), "auth");
    const before = await deployMigrations(url, target);
    expect(before.length).toBeGreaterThan(0);

    writeFileSync(
      target.schemaPath,
      `${readFileSync(target.schemaPath, "utf8")}
model Widget {
  id    String @id
  label String
  @@map("auth_widgets")
  @@schema("auth")
}
`,
    );
    const drift = await diffMigrationsToSchema(url, target);
    expect(drift).toContain('CREATE TABLE "auth_widgets"');

    const created = await createMigration(url, target, "add_widgets", new Date("2099-01-02T03:04:05Z"));
    expect(created?.dir).toMatch(/20990102030405_add_widgets$/);
    expect(readdirSync(target.migrationsDir)).toContain("20990102030405_add_widgets");

    const applied = await deployMigrations(url, target);
    expect(applied).toEqual(["20990102030405_add_widgets"]);
    expect(await diffMigrationsToSchema(url, target)).toBe("");
    const rows = await sql<{ n: string }>(url, `SELECT count(*) AS n FROM auth.auth_widgets`);
    expect(rows[0]?.n).toBe("0");
    expect(await createMigration(url, target, "nothing")).toBeNull();
  });

  it("refuses unsafe migration names", async () => {
    await expect(createMigration(serverUrl, { schemaPath: "x", migrationsDir: "y" }, "../../etc")).rejects.toThrow(
      /migration name/,
    );
  });
});

describe("deploy", () => {
  it("is idempotent and records Prisma-compatible checksums in each service's own schema", async () => {
    const db = await freshDatabase("atlas_mig_deploy");
    for (const svc of SERVICE_MIGRATIONS) await deployMigrations(withSchema(db, svc.schema), svc);
    for (const svc of SERVICE_MIGRATIONS) expect(await deployMigrations(withSchema(db, svc.schema), svc)).toEqual([]);

    const rows = await sql<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      db,
      "SELECT migration_name, checksum, finished_at FROM auth._prisma_migrations",
    );
    const auth = SERVICE_MIGRATIONS[0];
    if (!auth) throw new Error("no service migrations");
    const first = readdirSync(auth.migrationsDir)
      .filter((n) => /^\d/.test(n))
      .sort()[0] as string;
    const fileSha = createHash("sha256")
      .update(readFileSync(join(auth.migrationsDir, first, "migration.sql")))
      .digest("hex");
    expect(rows.find((r) => r.migration_name === first)).toMatchObject({
      checksum: fileSha,
      finished_at: expect.any(Date),
    });
    const cloud = await sql<{ n: string }>(db, "SELECT count(*) AS n FROM cloud._prisma_migrations");
    expect(Number(cloud[0]?.n)).toBeGreaterThan(0);
    // billing_events is migrated once, by service-auth.
    const outbox = await sql(
      db,
      "SELECT 1 FROM pg_tables WHERE schemaname = 'billing' AND tablename = 'billing_events'",
    );
    expect(outbox).toHaveLength(1);
  });

  it("names migration folders by UTC timestamp", () => {
    expect(migrationTimestamp(new Date("2026-11-26T20:58:07.123Z"))).toBe("20261126205807");
  });
});
