import { connectPostgres, type DatabaseConnection } from "@atlas/db";
import { createLogger, type Logger } from "@atlas/service-kit";
import type { AuthConfig } from "./config.ts";
import { PrismaClient } from "./generated/prisma/client.ts";

/** Everything service-auth's code depends on, injected so tests control time and providers. */
export interface Deps {
  config: AuthConfig;
  logger: Logger;
  prisma: PrismaClient;
  database: DatabaseConnection;
  /** The clock: every "now" in the service comes from here. */
  now: () => Date;
}

/** Builds the production dependencies on a database connection. */
export function buildDeps(config: AuthConfig, database: DatabaseConnection, logger?: Logger): Deps {
  return {
    config,
    logger: logger ?? createLogger({ name: "service-auth", level: config.LOG_LEVEL }),
    prisma: new PrismaClient({ adapter: database.adapter }),
    database,
    now: () => new Date(),
  };
}

/** Connects to DATABASE_URL (required outside the embedded launcher). */
export function connectDatabase(config: AuthConfig): DatabaseConnection {
  if (!config.DATABASE_URL) {
    throw new Error("DATABASE_URL is not set: set it, or run `npm start` for the embedded database");
  }
  return connectPostgres(config.DATABASE_URL, "auth", { max: config.DATABASE_POOL_MAX });
}

export async function closeDeps(deps: Deps): Promise<void> {
  await deps.prisma.$disconnect();
  await deps.database.close();
}
