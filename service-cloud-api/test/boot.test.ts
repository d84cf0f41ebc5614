import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestIssuer } from "@atlas/auth-verify/testing";
import { connectPostgres, freePort } from "@atlas/db";
import { workerDatabaseUrl } from "@atlas/db/testing";
import { spawnTs, waitForHttpOk } from "@atlas/service-kit/testing";
import { describe, expect, it } from "vitest";

const cwd = new URL("..", import.meta.url).pathname;

describe("service-cloud-api boot", () => {
  it.each([
    ["AUTH_URL", { AUTH_URL: "not a url", DATABASE_URL: "postgresql://h/db" }],
    ["DATABASE_URL", {}],
    ["INTROSPECTION_CLIENT_SECRET", { INTROSPECTION_CLIENT_SECRET: "too-short", DATABASE_URL: "postgresql://h/db" }],
  ])("stops with a message naming %s", async (name, env) => {
    const p = spawnTs("src/main.ts", { cwd, env });
    expect(await p.exited).toBe(1);
    expect(p.output()).toContain(name);
  });

  it("serves on its port, then shuts down gracefully on SIGTERM", async () => {
    const port = await freePort();
    const p = spawnTs("src/main.ts", { cwd, env: { PORT: String(port), DATABASE_URL: await workerDatabaseUrl() } });
    try {
      await waitForHttpOk(`http://127.0.0.1:${port}/health`, 60_000, p);
    } finally {
      p.child.kill("SIGTERM");
    }
    expect(await p.exited).toBe(0);
    // No introspection secret configured: PATs are refused, and the operator is told at boot.
    expect(p.output()).toContain("INTROSPECTION_CLIENT_SECRET is not set");
  });

  it("loads neither pdfkit (first PDF) nor PGlite (embedded launcher only) at boot", async () => {
    const port = await freePort();
    const log = join(mkdtempSync(join(tmpdir(), "atlas-imports-")), "imports.log");
    const hook = new URL("../../service-auth/test/fixtures/import-log.mjs", import.meta.url).pathname;
    const p = spawnTs("src/main.ts", {
      cwd,
      env: {
        PORT: String(port),
        DATABASE_URL: await workerDatabaseUrl(),
        NODE_OPTIONS: `--import=${hook}`,
        IMPORT_LOG: log,
      },
    });
    try {
      await waitForHttpOk(`http://127.0.0.1:${port}/health`, 60_000, p);
    } finally {
      p.child.kill("SIGTERM");
    }
    await p.exited;
    const imported = readFileSync(log, "utf8");
    expect(imported).toContain("/hono/"); // the log works
    expect(
      ["pdfkit", "@electric-sql/pglite", "pglite-prisma-adapter"].filter((name) => imported.includes(`/${name}/`)),
    ).toEqual([]);
  });

  it("writes the usage counted in memory when stopped with SIGTERM", async () => {
    const issuer = await startTestIssuer();
    const port = await freePort();
    const url = await workerDatabaseUrl();
    const sub = `sigterm_${port}`;
    const p = spawnTs("src/main.ts", {
      cwd,
      env: { PORT: String(port), DATABASE_URL: url, AUTH_URL: issuer.url, USAGE_FLUSH_INTERVAL_MS: "1000" },
    });
    const pg = connectPostgres(url, "cloud", { max: 1 });
    try {
      await waitForHttpOk(`http://127.0.0.1:${port}/health`, 60_000, p);
      const token = await issuer.sign({ sub, tid: "tenant_boot" });
      for (let i = 0; i < 7; i++) {
        const res = await fetch(`http://127.0.0.1:${port}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
        expect(res.status).toBe(200);
      }
      p.child.kill("SIGTERM");
      expect(await p.exited).toBe(0);
      const [row] = await pg.query<{ total: string }>(
        `SELECT coalesce(sum("value"), 0)::text AS total FROM "cloud"."cloud_usage_records" WHERE "userId" = $1 AND "metric" = 'requests'`,
        [sub],
      );
      expect(row?.total).toBe("7");
    } finally {
      p.child.kill("SIGKILL");
      await pg.close();
      await issuer.stop();
    }
  });
});
