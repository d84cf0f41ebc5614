import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { connectEmbedded, deployEmbeddedMigrations, openEmbeddedDatabase } from "../src/pglite.ts";
import { SERVICE_MIGRATIONS } from "../src/services.ts";

const dir = mkdtempSync(join(tmpdir(), "atlas-pglite-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("embedded database (PGlite)", () => {
  it("migrates both services through the wasm engine, persists, and does not re-apply", async () => {
    const db = await openEmbeddedDatabase(dir);
    for (const svc of SERVICE_MIGRATIONS) {
      expect((await deployEmbeddedMigrations(db, svc.schema, svc)).length).toBeGreaterThan(0);
    }
    await db.exec(`INSERT INTO billing.billing_plans ("id","name","monthlyPriceMinor","includedUsage","overagePrices","limits","updatedAt")
      VALUES ('p','P',0,'{}','{}','{}',now())`);
    await db.close();

    const reopened = await openEmbeddedDatabase(dir);
    for (const svc of SERVICE_MIGRATIONS) expect(await deployEmbeddedMigrations(reopened, svc.schema, svc)).toEqual([]);
    const { rows } = await reopened.query<{ id: string }>("SELECT id FROM billing.billing_plans");
    expect(rows).toEqual([{ id: "p" }]);
    const tables = await reopened.query<{ t: string }>(
      "SELECT table_schema || '.' || table_name AS t FROM information_schema.tables WHERE table_name = '_prisma_migrations' ORDER BY 1",
    );
    expect(tables.rows.map((r) => r.t)).toEqual(["auth._prisma_migrations", "cloud._prisma_migrations"]);
    const conn = connectEmbedded(reopened, "auth");
    await expect(conn.ping()).resolves.toBeUndefined();
    await reopened.close();
  });
});
