// Offline migration commands for one service, run from that service's folder:
//   deploy          apply pending migrations to DATABASE_URL (in the service's schema)
//   create <name>   write the next migration from the schema.prisma diff
//   check           exit 1 if schema.prisma and the migrations disagree
// create/check replay the migrations in a shadow database: with no DATABASE_URL they start a
// throwaway PostgreSQL cluster for it, so they work on a laptop with nothing running.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { startPostgresCluster } from "./cluster.ts";
import { withMigrationLock } from "./lock.ts";
import { createMigration, deployMigrations, diffMigrationsToSchema, type MigrationTarget } from "./migrations.ts";
import { withSchema } from "./url.ts";

interface PrismaConfigLike {
  schema?: string;
  migrations?: { path?: string };
  datasource?: { url?: string };
  tables?: { external?: string[] };
}

export async function loadServiceTarget(serviceDir: string): Promise<{ target: MigrationTarget; schemaName: string }> {
  const mod = (await import(pathToFileURL(resolve(serviceDir, "prisma.config.ts")).href)) as {
    default: PrismaConfigLike;
  };
  const cfg = mod.default;
  const url = new URL(cfg.datasource?.url ?? "postgresql://localhost/x");
  const schemaName = url.searchParams.get("schema");
  if (!schemaName) throw new Error("prisma.config.ts must give the datasource URL a ?schema=");
  return {
    schemaName,
    target: {
      schemaPath: resolve(serviceDir, cfg.schema ?? "prisma/schema.prisma"),
      migrationsDir: resolve(serviceDir, cfg.migrations?.path ?? "prisma/migrations"),
      externalTables: cfg.tables?.external ?? [],
    },
  };
}

async function withServer<T>(fn: (url: string) => Promise<T>): Promise<T> {
  if (process.env.DATABASE_URL) return fn(process.env.DATABASE_URL);
  const cluster = await startPostgresCluster();
  try {
    return await fn(cluster.url);
  } finally {
    await cluster.stop();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, name] = argv;
  const { target, schemaName } = await loadServiceTarget(process.cwd());
  switch (command) {
    case "deploy": {
      const url = process.env.DATABASE_URL;
      if (!url) throw new Error("DATABASE_URL is not set (the embedded database migrates itself at start)");
      // The same lock as releaseDatabase: a per-service deploy never races the release step.
      const applied = await withMigrationLock(url, () => deployMigrations(withSchema(url, schemaName), target));
      console.log(applied.length ? `applied: ${applied.join(", ")}` : "no pending migrations");
      return 0;
    }
    case "create": {
      if (!name) throw new Error("usage: create <migration_name>");
      const result = await withServer((url) => createMigration(withSchema(url, schemaName), target, name));
      console.log(
        result ? `wrote ${result.dir}/migration.sql` : "schema.prisma matches the migrations: nothing to write",
      );
      return 0;
    }
    case "check": {
      const sql = await withServer((url) => diffMigrationsToSchema(withSchema(url, schemaName), target));
      if (!sql) {
        console.log("schema.prisma and the migrations agree");
        return 0;
      }
      console.error(`schema.prisma differs from the migrations; run db:migration:create. Missing SQL:\n${sql}`);
      return 1;
    }
    default:
      console.error("usage: cli.ts deploy | create <name> | check");
      return 2;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
