export { findPostgresBinDir, freePort, type PostgresCluster, startPostgresCluster } from "./cluster.ts";
export { createSchemaEngine } from "./engine.ts";
export {
  createMigration,
  deployMigrations,
  diffMigrationsToSchema,
  type MigrationTarget,
  migrationTimestamp,
} from "./migrations.ts";
export {
  connectPostgres,
  type DatabaseConnection,
  type PrismaRawSql,
  type Queryable,
  type SqlQueryable,
  sqlOf,
} from "./runtime.ts";
export { SERVICE_MIGRATIONS } from "./services.ts";
export { parseDatabaseUrl, quoteIdent, withDatabase, withSchema } from "./url.ts";
