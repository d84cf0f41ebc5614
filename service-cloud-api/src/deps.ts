import { connectPostgres, type DatabaseConnection } from "@atlas/db";
import { createLogger, createMetricsRegistry, type Logger, type MetricsRegistry } from "@atlas/service-kit";
import type { CloudConfig } from "./config.ts";
import { createBlobStore } from "./services/blobs/create.ts";
import type { BlobStore } from "./services/blobs/store.ts";
import { UsageMeter } from "./services/metering.ts";
import { QuotaGuard } from "./services/quota.ts";

/** Everything service-cloud-api's code depends on, injected so tests control time and providers. */
export interface Deps {
  config: CloudConfig;
  logger: Logger;
  /** Every query of the service: SQL over this pool (no ORM client; tests bring their own). */
  /** This process's Prometheus registry: the app's HTTP metrics and the background jobs' metrics (`/metrics`). */
  metrics: MetricsRegistry;
  database: DatabaseConnection;
  /** Where object bytes live (BLOB_STORE): PostgreSQL chunks or S3-compatible storage. */
  blobs: BlobStore;
  now: () => Date;
  /** Outbound HTTP to service-auth (JWKS, introspection, readiness). */
  fetch: typeof fetch;
  /** Usage counted in memory, flushed to Postgres in batches. */
  meter: UsageMeter;
  /** Allowance checks from a per-customer cache. */
  quota: QuotaGuard;
}

/**
 * The real dependencies. `now` may be replaced after building (tests move time): the meter and
 * the quota cache read it through the returned object.
 */
export function buildDeps(config: CloudConfig, database: DatabaseConnection, logger?: Logger): Deps {
  const log = logger ?? createLogger({ name: "service-cloud-api", level: config.LOG_LEVEL });
  const deps: Deps = {
    config,
    logger: log,
    metrics: createMetricsRegistry("service-cloud-api"),
    database,
    blobs: createBlobStore(config, database),
    now: () => new Date(),
    fetch: globalThis.fetch,
    meter: undefined as unknown as UsageMeter,
    quota: undefined as unknown as QuotaGuard,
  };
  attachMetering(deps);
  return deps;
}

/** (Re)creates the meter and the quota cache of `deps`, reading its clock at call time. */
export function attachMetering(deps: Deps): Deps {
  const clock = () => deps.now();
  deps.meter = new UsageMeter({
    db: deps.database,
    logger: deps.logger,
    metrics: deps.metrics,
    now: clock,
    flushIntervalMs: deps.config.USAGE_FLUSH_INTERVAL_MS,
  });
  deps.quota = new QuotaGuard(deps.database, clock, deps.config.QUOTA_CACHE_MS);
  return deps;
}

export function connectDatabase(config: CloudConfig): DatabaseConnection {
  if (!config.DATABASE_URL) {
    throw new Error("DATABASE_URL is not set: set it, or run `npm start` for the embedded database");
  }
  return connectPostgres(config.DATABASE_URL, "cloud", { max: config.DATABASE_POOL_MAX });
}

export async function closeDeps(deps: Deps): Promise<void> {
  // What was counted but not written yet goes in before the pool closes.
  await deps.meter.stop().catch((error: unknown) => deps.logger.error({ err: error }, "final usage flush failed"));
  deps.blobs.close?.();
  await deps.database.close();
}
