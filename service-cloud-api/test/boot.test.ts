import { freePort } from "@atlas/db";
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
});
