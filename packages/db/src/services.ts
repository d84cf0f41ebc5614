import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

/** One service's migrations: its Postgres schema and its `prisma/migrations` folder. */
export interface ServiceMigrations {
  schema: string;
  migrationsDir: string;
  externalTables: string[];
}

/**
 * Every service's migrations under `root` (the repository, or an image's /app that keeps the
 * same `<service>/prisma/migrations` layout), in the order they must be applied:
 * service-cloud-api reads the outbox table that service-auth's migrations create.
 */
export function serviceMigrations(root: string): ServiceMigrations[] {
  const base = root.endsWith("/") ? root : `${root}/`;
  return [
    { schema: "auth", migrationsDir: `${base}service-auth/prisma/migrations`, externalTables: [] },
    {
      schema: "cloud",
      migrationsDir: `${base}service-cloud-api/prisma/migrations`,
      externalTables: ["billing.billing_events"],
    },
  ];
}

/** serviceMigrations of this repository's checkout. */
export const SERVICE_MIGRATIONS = serviceMigrations(repoRoot);
