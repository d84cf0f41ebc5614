import { Writable } from "node:stream";
import { connectPostgres } from "@atlas/db";
import { truncateAll, workerDatabaseUrl } from "@atlas/db/testing";
import { createLogger } from "@atlas/service-kit";
import { createApp } from "../src/app.ts";
import { type AuthConfig, loadAuthConfig } from "../src/config.ts";
import { buildDeps, closeDeps, type Deps } from "../src/deps.ts";
import { seedDefaults } from "../src/seed.ts";

export const FIXED_NOW = new Date("2026-01-15T12:00:00.000Z");

export interface TestApp {
  app: ReturnType<typeof createApp>;
  deps: Deps;
  config: AuthConfig;
  /** Every log line written so far (JSON). */
  logs: string[];
  /** Empties every table and seeds the default tenant and plans again. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/**
 * service-auth on this worker's real Postgres database, with a fixed clock and captured logs.
 * Call `reset()` in beforeEach: tests start from the seeded state.
 */
export async function createTestApp(
  overrides: { env?: Record<string, string>; deps?: Partial<Deps> } = {},
): Promise<TestApp> {
  const url = await workerDatabaseUrl();
  const config = loadAuthConfig({ NODE_ENV: "test", DATABASE_URL: url, LOG_LEVEL: "info", ...overrides.env });
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
  const deps: Deps = {
    ...buildDeps(config, connectPostgres(url, "auth", { max: 5 }), logger),
    now: () => FIXED_NOW,
    ...overrides.deps,
  };
  return {
    app: createApp(deps),
    deps,
    config,
    logs,
    async reset() {
      await truncateAll(url);
      await seedDefaults(deps.prisma, config);
    },
    close: () => closeDeps(deps),
  };
}
