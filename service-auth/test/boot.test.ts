import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "@atlas/db";
import { truncateAll, workerDatabaseUrl } from "@atlas/db/testing";
import { spawnTs, waitForHttpOk } from "@atlas/service-kit/testing";
import { describe, expect, it } from "vitest";
import { TEST_ENV } from "./harness.ts";

const cwd = new URL("..", import.meta.url).pathname;

describe("service-auth boot", () => {
  it.each([
    ["PORT", { PORT: "not-a-port", DATABASE_URL: "postgresql://h/db" }],
    ["DATABASE_URL", { DATABASE_URL: "mysql://root:hunter2@h/db" }],
    ["PUBLIC_URL", { PUBLIC_URL: "ftp://x", DATABASE_URL: "postgresql://h/db" }],
    ["DATABASE_URL", {}],
    ["KEY_ENCRYPTION_KEYS", { KEY_ENCRYPTION_KEYS: "k1:dG9vLXNob3J0", DATABASE_URL: "postgresql://h/db" }],
    // Development (dev outbox, cookies without Secure) only on loopback: never a deployment left in it.
    [
      "PUBLIC_URL",
      { NODE_ENV: "development", PUBLIC_URL: "https://auth.example.com", DATABASE_URL: "postgresql://h/db" },
    ],
  ])("stops with a message naming %s when it is missing or malformed", async (name, env) => {
    const p = spawnTs("src/main.ts", { cwd, env: { ...TEST_ENV, ...env } });
    expect(await p.exited).toBe(1);
    expect(p.output()).toContain(name);
    expect(p.output()).not.toContain("hunter2");
  });

  it("serves on its port, then shuts down gracefully on SIGTERM", async () => {
    // Other test files of this worker leave signing keys sealed under their own random KEK.
    await truncateAll(await workerDatabaseUrl());
    const port = await freePort();
    const p = spawnTs("src/main.ts", {
      cwd,
      env: { ...TEST_ENV, PORT: String(port), DATABASE_URL: await workerDatabaseUrl() },
    });
    try {
      await waitForHttpOk(`http://127.0.0.1:${port}/health`, 60_000, p);
      expect((await fetch(`http://127.0.0.1:${port}/ready`)).status).toBe(200);
    } finally {
      p.child.kill("SIGTERM");
    }
    expect(await p.exited).toBe(0);
    expect(p.output()).toContain('"msg":"stopped"');
  });

  it("loads no login method's or provider's SDK at boot: each loads at its first use", async () => {
    await truncateAll(await workerDatabaseUrl());
    const port = await freePort();
    const log = join(mkdtempSync(join(tmpdir(), "atlas-imports-")), "imports.log");
    const hook = new URL("./fixtures/import-log.mjs", import.meta.url).pathname;
    const p = spawnTs("src/main.ts", {
      cwd,
      env: {
        ...TEST_ENV,
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
    const packages = new Set(
      [
        ...readFileSync(log, "utf8").matchAll(
          /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/\n]+)/g,
        ),
      ].map((m) => m[1]),
    );
    expect(packages).toContain("hono"); // the log works
    // oidc-provider: only on the first request to a tenant's OpenID Provider (/t/:slug/*).
    const heavy = [
      "viem",
      "@simplewebauthn/server",
      "twilio",
      "stripe",
      "openid-client",
      "oidc-provider",
      "maxmind",
      "siwe",
    ];
    const more = ["tweetnacl", "bs58", "resend", "qrcode", "@node-rs/argon2", "libphonenumber-js"];
    // Redis only with REDIS_URL; PGlite only in the embedded launcher (scripts/start.ts).
    const unconfigured = ["redis", "@redis/client", "@electric-sql/pglite", "pglite-prisma-adapter"];
    expect([...heavy, ...more, ...unconfigured].filter((name) => packages.has(name))).toEqual([]);
  });

  it("refuses to start when the stored signing keys cannot be decrypted with its KEK (fail closed)", async () => {
    const url = await workerDatabaseUrl();
    await truncateAll(url);
    const port = await freePort();
    const first = spawnTs("src/main.ts", { cwd, env: { ...TEST_ENV, PORT: String(port), DATABASE_URL: url } });
    try {
      await waitForHttpOk(`http://127.0.0.1:${port}/health`, 60_000, first);
    } finally {
      first.child.kill("SIGTERM");
    }
    await first.exited;
    const otherKek = `test1:${Buffer.alloc(32, 9).toString("base64")}`;
    const second = spawnTs("src/main.ts", {
      cwd,
      env: { ...TEST_ENV, KEY_ENCRYPTION_KEYS: otherKek, DATABASE_URL: url },
    });
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/signing key \S+ cannot be decrypted with KEY_ENCRYPTION_KEYS/);
  });
});
