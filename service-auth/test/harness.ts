import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { connectPostgres } from "@atlas/db";
import { truncateAll, workerDatabaseUrl } from "@atlas/db/testing";
import { createLogger } from "@atlas/service-kit";
import { createApp } from "../src/app.ts";
import { type AuthConfig, loadAuthConfig } from "../src/config.ts";
import { buildDeps, closeDeps, type Deps, initDeps } from "../src/deps.ts";
import { seedDefaults } from "../src/seed.ts";
import { MemoryRateLimitStore, RedisRateLimitStore } from "../src/services/platform/rate-limit.ts";

export const FIXED_NOW = new Date("2026-01-15T12:00:00.000Z");

/** A fresh random KEK per test process: no key material lives in the repository. */
export const TEST_KEK = `test1:${randomBytes(32).toString("base64")}`;
export const INTROSPECTION_SECRET = randomBytes(32).toString("base64url");
export const TEST_ENV = {
  NODE_ENV: "test",
  KEY_ENCRYPTION_KEYS: TEST_KEK,
  INTROSPECTION_CLIENTS: `service-cloud-api:${INTROSPECTION_SECRET}`,
  PUBLIC_URL: "http://auth.test",
};

export interface TestApp {
  app: ReturnType<typeof createApp>;
  deps: Deps;
  config: AuthConfig;
  /** Every log line written so far (JSON). */
  logs: string[];
  /** Set `clock.now` to move time. */
  clock: { now: Date };
  /** Empties every table and seeds the default tenant and plans again. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/**
 * service-auth on this worker's real Postgres database, with a fixed clock and captured logs.
 * Call `reset()` in beforeEach: tests start from the seeded state.
 */
export async function createTestApp(
  overrides: { env?: Record<string, string | undefined>; deps?: Partial<Deps> } = {},
): Promise<TestApp> {
  const url = await workerDatabaseUrl();
  const config = loadAuthConfig({ ...TEST_ENV, DATABASE_URL: url, LOG_LEVEL: "info", ...overrides.env });
  const logs: string[] = [];
  const logger = createLogger({
    name: "service-auth",
    level: "info",
    destination: new Writable({
      write(chunk, _e, cb) {
        logs.push(String(chunk));
        cb();
      },
    }),
  });
  // A settable clock: tests move time instead of sleeping.
  const clock = { now: FIXED_NOW };
  const deps: Deps = {
    ...buildDeps(config, connectPostgres(url, "auth", { max: 12 }), { logger }),
    now: () => clock.now,
    ...overrides.deps,
  };
  const testApp: TestApp = {
    app: createApp(deps),
    deps,
    config,
    logs,
    clock,
    async reset() {
      clock.now = FIXED_NOW;
      await truncateAll(url);
      await seedDefaults(deps.prisma, config);
      await deps.signingKeys.refresh(clock.now);
      await initDeps(deps);
      // Fresh counters: the clock is fixed, so one test's requests would count against the next's.
      // (A shared Redis store stays: tests of it manage its keys themselves.)
      if (!(deps.rateLimits instanceof RedisRateLimitStore)) deps.rateLimits = new MemoryRateLimitStore();
      // A fresh app: its caches (tenants) must not outlive the data they cached.
      deps.tenantCache.invalidate();
      testApp.app = createApp(deps);
    },
    close: () => closeDeps(deps),
  };
  return testApp;
}
