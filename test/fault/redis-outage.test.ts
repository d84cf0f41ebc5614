// Fault: the Redis that shares rate limits between service-auth instances is killed (SIGKILL)
// while two real service-auth processes serve traffic, then comes back. Expected (rate-limit.ts):
// degraded — each instance limits on its own — but never unlimited, never an error, and shared
// again once Redis is back.
import { connect } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { freePort } from "@atlas/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasRedisServer, RedisServer } from "../../service-auth/test/fakes/redis-server.ts";
import { cloneTestDatabase, type ServiceProcess, seedLogins, startAuth } from "./harness.ts";

const available = hasRedisServer() || process.env.CI === "true";
// Per e-mail address and hour: each phase uses fresh addresses, so no window boundary is crossed
// within one (unless the run straddles the top of the hour: the test waits that out).
const PER_ADDRESS = 4;

describe.skipIf(!available)("Redis killed under rate-limited traffic (two real service-auth processes)", () => {
  let db: Awaited<ReturnType<typeof cloneTestDatabase>>;
  let redis: RedisServer;
  let a: ServiceProcess;
  let b: ServiceProcess;

  beforeAll(async () => {
    db = await cloneTestDatabase("redis");
    redis = await RedisServer.start();
    const common = {
      REDIS_URL: redis.url,
      RATE_LIMIT_LOGIN_START_PER_HOUR: String(PER_ADDRESS),
      // The per-address hourly budget is under test here, not the 30 s resend cooldown.
      EMAIL_RESEND_COOLDOWN_SEC: "0",
      RATE_LIMIT_LOGIN_PER_MIN_TENANT: "1000000",
    };
    const portA = String(await freePort());
    await seedLogins(db.url, 0, { ...common, PORT: portA });
    [a, b] = await Promise.all([
      startAuth(db.url, { ...common, PORT: portA }),
      startAuth(db.url, { ...common, PORT: String(await freePort()) }),
    ]);
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await redis?.stop();
    await db?.drop();
  });

  let n = 0;
  const address = (label: string) => `${label}-${process.pid}-${++n}@example.test`;
  const start = (svc: ServiceProcess, email: string) =>
    fetch(`${svc.url}/auth/email/start`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email }),
    });
  const statuses = async (order: ServiceProcess[], email: string) => {
    const out: number[] = [];
    for (const svc of order) out.push((await start(svc, email)).status);
    return out;
  };

  /** Keys in Redis (RESP over a plain socket): grows when an instance counts a new address there. */
  function dbsize(): Promise<number> {
    return new Promise((resolve, reject) => {
      const socket = connect(redis.port, "127.0.0.1");
      let data = "";
      socket.on("data", (d) => {
        data += d.toString();
        const m = /^:(\d+)\r\n/.exec(data);
        if (m) {
          socket.destroy();
          resolve(Number(m[1]));
        }
      });
      socket.on("error", reject);
      socket.write("*1\r\n$6\r\nDBSIZE\r\n");
    });
  }

  /** Waits until `svc` counts in Redis again (its client reconnects with backoff, up to 5 s). */
  async function usesRedis(svc: ServiceProcess): Promise<void> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const before = await dbsize();
      expect((await start(svc, address("probe"))).status).toBe(202);
      if ((await dbsize()) > before) return;
      if (Date.now() > deadline) throw new Error(`${svc.url} did not reconnect to Redis`);
      await delay(200);
    }
  }

  it("shared limits → per-instance limits (never unlimited, no error, no stall) while Redis is down → shared again", async () => {
    // Not across the top of the hour: the per-address window is the clock hour.
    const intoHour = Date.now() % 3_600_000;
    if (intoHour > 3_600_000 - 60_000) await delay(3_600_000 - intoHour + 1_000);

    const [A, B] = [a, b];
    // Shared: one budget of 4 for the address across both instances.
    expect(await statuses([A, B, A, B, A, B], address("shared"))).toEqual([202, 202, 202, 202, 429, 429]);

    // Background traffic on both instances the whole time, to catch errors and stalls.
    let running = true;
    const background: { status: number; ms: number }[] = [];
    const transport: string[] = [];
    const loops = [A, B].map(async (svc) => {
      while (running) {
        const t0 = Date.now();
        try {
          const res = await fetch(`${svc.url}/auth/siwe/nonce`);
          await res.arrayBuffer();
          background.push({ status: res.status, ms: Date.now() - t0 });
        } catch (error) {
          transport.push(String(error));
        }
        await delay(10);
      }
    });
    try {
      await delay(300);
      await redis.stop(); // SIGKILL, mid-traffic
      await delay(300);

      // Degraded: each instance keeps its own count — 4 each, then 429 — never unlimited.
      const down = address("down");
      expect(await statuses([A, A, A, A, A, A], down)).toEqual([202, 202, 202, 202, 429, 429]);
      expect(await statuses([B, B, B, B, B, B], down)).toEqual([202, 202, 202, 202, 429, 429]);
      const refused = await start(A, down);
      expect(refused.status).toBe(429);
      expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(await refused.json()).toMatchObject({ code: "RATE_LIMITED" });

      await redis.resume();
      await usesRedis(A);
      await usesRedis(B);
    } finally {
      running = false;
      await Promise.all(loops);
    }
    // Shared again.
    expect(await statuses([A, B, A, B, A], address("back"))).toEqual([202, 202, 202, 202, 429]);

    expect(transport).toEqual([]);
    expect(background.length).toBeGreaterThan(20);
    expect(background.filter((r) => r.status !== 200)).toEqual([]);
    // No request waited on the dead Redis (commands fail fast: no offline queue).
    expect(Math.max(...background.map((r) => r.ms))).toBeLessThan(1_500);
    for (const svc of [A, B]) {
      expect(svc.logs().filter((l) => l.msg === "request failed")).toEqual([]);
      expect(svc.logs().some((l) => String(l.msg).startsWith("Redis unavailable"))).toBe(true);
    }
  });
});
