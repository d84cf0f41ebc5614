import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBackgroundJobs } from "../src/deps.ts";
import { createTestApp, type TestApp } from "./harness.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await t.reset();
});
afterAll(async () => {
  await t.close();
});

const metrics = async () => (await t.app.request("/metrics")).text();
const runsOf = (text: string, job: string) =>
  Number(text.match(new RegExp(`^job_runs_total\\{[^}]*job="${job}"[^}]*\\} (\\d+)$`, "m"))?.[1] ?? 0);

describe("service-auth background work", () => {
  it("runs on the shared job runner, is counted at /metrics, and stop() resolves once everything has drained", async () => {
    const pool = t.deps.database.pool as NonNullable<TestApp["deps"]["database"]["pool"]>;
    const stop = startBackgroundJobs(t.deps, 50);
    try {
      // The signing-key job every 50 ms; the tenancy jobs at start.
      await expect.poll(async () => runsOf(await metrics(), "signing_keys"), { timeout: 10_000 }).toBeGreaterThan(1);
      await expect.poll(async () => runsOf(await metrics(), "tenant_webhooks"), { timeout: 10_000 }).toBe(1);
      expect(await metrics()).toMatch(/^job_duration_seconds_count\{[^}]*job="audit_ip_retention"[^}]*\} 1$/m);
      // No failed run (a labelled counter appears with its first increment).
      expect(await metrics()).not.toMatch(/^job_failures_total\{/m);
    } finally {
      await stop();
    }
    // Drained: the jobs' runs, the outbox consumer and the tenant listener hold no connection, so
    // the pool can close right after.
    expect(pool.totalCount - pool.idleCount).toBe(0);
    expect(pool.waitingCount).toBe(0);
    const after = runsOf(await metrics(), "signing_keys");
    await new Promise((r) => setTimeout(r, 200));
    expect(runsOf(await metrics(), "signing_keys")).toBe(after);
  });

  it("a stop right after start waits for the work already under way (the tenancy jobs' first runs, the consumer's first claim)", async () => {
    const pool = t.deps.database.pool as NonNullable<TestApp["deps"]["database"]["pool"]>;
    const before = runsOf(await metrics(), "tenant_webhooks");
    await startBackgroundJobs(t.deps, 60_000)();
    expect(runsOf(await metrics(), "tenant_webhooks")).toBe(before + 1);
    expect(pool.totalCount - pool.idleCount).toBe(0);
    expect(pool.waitingCount).toBe(0);
  });
});
