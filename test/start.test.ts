// README command 1, end to end: the launcher starts the three apps, on the embedded database
// and on PostgreSQL, and stops them cleanly.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, quoteIdent, withDatabase } from "@atlas/db";
import { spawnTs, validateOpenApi31, waitForHttpOk } from "@atlas/service-kit/testing";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";

const root = new URL("..", import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), "atlas-start-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function ports() {
  return {
    AUTH_PORT: String(await freePort()),
    CLOUD_PORT: String(await freePort()),
    WEB_PORT: String(await freePort()),
  };
}

async function checkRunning(p: Record<string, string>) {
  const auth = `http://127.0.0.1:${p.AUTH_PORT}`;
  const cloud = `http://127.0.0.1:${p.CLOUD_PORT}`;
  await waitForHttpOk(`${auth}/health`, 60_000);
  await waitForHttpOk(`${cloud}/health`, 60_000);
  const web = await waitForHttpOk(`http://127.0.0.1:${p.WEB_PORT}/`, 60_000);
  expect(await web.text()).toContain('<div id="root">');
  for (const base of [auth, cloud]) {
    expect(await (await fetch(`${base}/ready`)).json()).toMatchObject({
      status: "ready",
      checks: { database: { status: "ok" } },
    });
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as object;
    expect((await validateOpenApi31(doc)).valid).toBe(true);
  }
  // The seeded default tenant answers, with CORS for the web-app's origin.
  const tenant = await fetch(`${auth}/tenants/current`, { headers: { origin: `http://localhost:${p.WEB_PORT}` } });
  expect(tenant.status).toBe(200);
  expect(tenant.headers.get("access-control-allow-origin")).toBe(`http://localhost:${p.WEB_PORT}`);
  const config = await (await fetch(`http://127.0.0.1:${p.WEB_PORT}/config.json`)).json();
  expect(config).toEqual({
    authUrl: `http://localhost:${p.AUTH_PORT}`,
    apiUrl: `http://localhost:${p.CLOUD_PORT}`,
    tenant: "default",
    stripePublishableKey: null,
    stripeApiUrl: null,
    cryptoPayments: [],
  });
}

describe("npm start (scripts/start.ts)", () => {
  it("runs the three apps on the embedded database, persisted across restarts", async () => {
    // Same ports both rounds: the seeded tenant's allowed origins name the first web port.
    const p = await ports();
    for (let round = 0; round < 2; round++) {
      const proc = spawnTs("scripts/start.ts", {
        cwd: root,
        env: { ...p, ATLAS_DATA_DIR: dataDir, LOG_LEVEL: "warn" },
      });
      try {
        await checkRunning(p);
        expect(proc.output()).toContain("embedded PGlite");
      } finally {
        proc.child.kill("SIGTERM");
      }
      expect(await proc.exited).toBe(0);
    }
  });

  it("runs each app as its own process on PostgreSQL when DATABASE_URL is set", async () => {
    const { serverUrl } = inject("atlasPostgres");
    const name = `atlas_start_${process.pid}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
    const p = await ports();
    const proc = spawnTs("scripts/start.ts", {
      cwd: root,
      env: { ...p, DATABASE_URL: withDatabase(serverUrl, name), LOG_LEVEL: "warn" },
    });
    try {
      await checkRunning(p);
      expect(proc.output()).toContain("PostgreSQL (DATABASE_URL)");
    } finally {
      proc.child.kill("SIGTERM");
      expect(await proc.exited).toBe(0);
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      await admin.end();
    }
  });
});
