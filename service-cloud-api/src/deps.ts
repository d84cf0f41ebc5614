import { connectPostgres, type DatabaseConnection } from "@atlas/db";
import { createLogger, type Logger } from "@atlas/service-kit";
import type { CloudConfig } from "./config.ts";
import { PrismaClient } from "./generated/prisma/client.ts";

/** Everything service-cloud-api's code depends on, injected so tests control time and providers. */
export interface Deps {
  config: CloudConfig;
  logger: Logger;
  prisma: PrismaClient;
  database: DatabaseConnection;
  now: () => Date;
  /** Outbound HTTP to service-auth (JWKS, introspection, readiness). */
  fetch: typeof fetch;
}

export function buildDeps(config: CloudConfig, database: DatabaseConnection, logger?: Logger): Deps {
  return {
    config,
    logger: logger ?? createLogger({ name: "service-cloud-api", level: config.LOG_LEVEL }),
    prisma: new PrismaClient({ adapter: database.adapter }),
    database,
    now: () => new Date(),
    fetch: globalThis.fetch,
  };
}

export function connectDatabase(config: CloudConfig): DatabaseConnection {
  if (!config.DATABASE_URL) {
    throw new Error("DATABASE_URL is not set: set it, or run `npm start` for the embedded database");
  }
  return connectPostgres(config.DATABASE_URL, "cloud", { max: config.DATABASE_POOL_MAX });
}

export async function closeDeps(deps: Deps): Promise<void> {
  await deps.prisma.$disconnect();
  await deps.database.close();
}
