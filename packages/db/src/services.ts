import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

/**
 * Every service's migrations, in the order they must be applied: service-cloud-api reads the
 * outbox table that service-auth's migrations create.
 */
export const SERVICE_MIGRATIONS = [
  { schema: "auth", migrationsDir: `${repoRoot}service-auth/prisma/migrations`, externalTables: [] as string[] },
  {
    schema: "cloud",
    migrationsDir: `${repoRoot}service-cloud-api/prisma/migrations`,
    externalTables: ["billing.billing_events"],
  },
];
