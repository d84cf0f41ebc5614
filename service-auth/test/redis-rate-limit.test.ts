// Rate limits shared through a real redis-server by two service-auth instances, and what
// happens when Redis goes away (each instance falls back to its own counters: never unlimited).

import { scrapeMetric } from "@atlas/service-kit/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { RedisRateLimitStore } from "../src/services/platform/rate-limit.ts";
import { hasRedisServer, RedisServer } from "./fakes/redis-server.ts";
import { createTestApp, type TestApp } from "./harness.ts";

const available = hasRedisServer() || process.env.CI === "true";

describe.skipIf(!available)("rate limits in Redis, across instances", () => {
  let redis: RedisServer;
  let a: TestApp;
  let b: TestApp;
  let prefix = 0;
  beforeAll(async () => {
    redis = await RedisServer.start();
    const env = { REDIS_URL: redis.url, RATE_LIMIT_LOGIN_PER_MIN_IP: "4" };
    a = await createTestApp({ env });
    b = await createTestApp({ env });
  });
  beforeEach(async () => {
    await a.reset();
    // Both instances share a store namespace per test (a fresh one each time).
    prefix += 1;
    for (const t of [a, b]) {
      t.clock.now = a.clock.now;
      const client = t.deps.redis;
      if (!client) throw new Error("REDIS_URL not applied");
      t.deps.rateLimits = new RedisRateLimitStore(client, {
        prefix: `test${prefix}`,
        // Generous: the test machine is shared; the outage test does not depend on it (refused connections fail at once).
        timeoutMs: 3_000,
        onDegraded: (e) => t.deps.logger.warn({ err: String(e) }, "Redis unavailable: rate limits fall back"),
      });
      t.app = (await import("../src/app.ts")).createApp(t.deps);
    }
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await redis?.stop();
  });

  const nonce = (t: TestApp) => t.app.request("/auth/siwe/nonce");

  it("a limit holds across two instances sharing Redis", async () => {
    const statuses = [];
    for (const t of [a, b, a, b, a, b]) statuses.push((await nonce(t)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    const refused = await nonce(b);
    expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(await refused.json()).toMatchObject({ code: "RATE_LIMITED" });
    // A new window (the injected clock moves a minute) starts from zero.
    a.clock.now = b.clock.now = new Date(a.clock.now.getTime() + 60_000);
    expect((await nonce(a)).status).toBe(200);
  });

  it("with Redis down each instance limits on its own (never unlimited), then shares again", async () => {
    await redis.stop();
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await nonce(a)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    expect((a.deps.rateLimits as RedisRateLimitStore).degradedSince).not.toBeNull();
    expect(await scrapeMetric(a.app, "rate_limit_degraded")).toBe(1);
    expect(a.logs.some((l) => l.includes("Redis unavailable"))).toBe(true);
    // Per instance while degraded: b has its own budget.
    expect((await nonce(b)).status).toBe(200);

    await redis.resume();
    const deadline = Date.now() + 10_000;
    while (!a.deps.redis?.isReady || !b.deps.redis?.isReady) {
      if (Date.now() > deadline) throw new Error("clients did not reconnect");
      await new Promise((r) => setTimeout(r, 50));
    }
    a.clock.now = b.clock.now = new Date(a.clock.now.getTime() + 60_000);
    const shared = [];
    for (const t of [a, b, a, b, a]) shared.push((await nonce(t)).status);
    expect(shared).toEqual([200, 200, 200, 200, 429]);
    expect((a.deps.rateLimits as RedisRateLimitStore).degradedSince).toBeNull();
    expect(await scrapeMetric(a.app, "rate_limit_degraded")).toBe(0);
  });
});
