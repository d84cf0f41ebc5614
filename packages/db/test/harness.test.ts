import net from "node:net";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { isLoopbackHost, truncateAll, workerDatabaseUrl } from "../src/testing/index.ts";
import { parseDatabaseUrl, withDatabase, withSchema } from "../src/url.ts";

describe("test harness", () => {
  it("gives each worker its own migrated database", async () => {
    const url = await workerDatabaseUrl();
    expect(parseDatabaseUrl(url).database).toMatch(/^atlas_test_\d+_w\d+$/);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`INSERT INTO billing.billing_plans ("id","name","monthlyPriceMinor","includedUsage","overagePrices","limits","updatedAt")
        VALUES ('x','X',0,'{}','{}','{}',now())`);
      await truncateAll(url);
      expect((await client.query("SELECT * FROM billing.billing_plans")).rowCount).toBe(0);
      expect((await client.query("SELECT * FROM auth._prisma_migrations")).rowCount).toBeGreaterThan(0);
    } finally {
      await client.end();
    }
  });

  it("refuses outbound connections except to loopback", async () => {
    expect(isLoopbackHost("127.0.0.1")).toBe(true);
    expect(isLoopbackHost("localhost")).toBe(true);
    expect(isLoopbackHost("10.0.0.1")).toBe(false);
    expect(() => net.connect({ host: "192.0.2.1", port: 80 })).toThrow(/outbound network refused/);
    expect(() => net.connect(443, "example.com")).toThrow(/outbound network refused/);
    await expect(fetch("http://192.0.2.1/")).rejects.toThrow();
  });

  it("parses and rewrites database URLs", () => {
    const url = "postgresql://u:p%40ss@db.example:6543/atlas?sslmode=require";
    expect(parseDatabaseUrl(url)).toMatchObject({
      host: "db.example",
      port: 6543,
      user: "u",
      password: "p@ss",
      database: "atlas",
    });
    expect(withSchema(withDatabase(url, "other"), "auth")).toBe(
      "postgresql://u:p%40ss@db.example:6543/other?sslmode=require&schema=auth",
    );
    expect(() => parseDatabaseUrl("mysql://h/d")).toThrow(/postgres/);
  });
});
