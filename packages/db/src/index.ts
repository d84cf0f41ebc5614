export { findPostgresBinDir, freePort, type PostgresCluster, startPostgresCluster } from "./cluster.ts";
export { type EmbeddedListener, type EmbeddedOutbox, embeddedOutbox, routeHeldTransaction } from "./embedded.ts";
export { createSchemaEngine } from "./engine.ts";
export { AdvisoryLeader } from "./leader.ts";
export { MIGRATION_LOCK_KEY, withMigrationLock } from "./lock.ts";
export {
  createMigration,
  deployMigrations,
  diffMigrationsToSchema,
  type MigrationTarget,
  migrationTimestamp,
} from "./migrations.ts";
export { type ReleaseResult, releaseDatabase } from "./release.ts";
export {
  connectPostgres,
  type DatabaseConnection,
  type PrismaRawSql,
  type Queryable,
  type SqlQueryable,
  sqlOf,
} from "./runtime.ts";
export { SERVICE_MIGRATIONS, type ServiceMigrations, serviceMigrations } from "./services.ts";
export { parseDatabaseUrl, quoteIdent, withDatabase, withSchema } from "./url.ts";
