// `pnpm db:release`, and `node dist/migrate.js` in the image (the compose `migrate` service): the
// one-shot release step. Under a PostgreSQL advisory lock, apply service-auth's then
// service-cloud-api's migrations to DATABASE_URL, then seed the default tenant and the plans.
// Migrators started together run one after the other; each migration is applied once.
import { fileURLToPath } from "node:url";
import { connectPostgres, releaseDatabase, serviceMigrations } from "@atlas/db";
import { PrismaClient } from "../generated/prisma/client.ts";
import { loadAuthConfig } from "./config.ts";
import { seedDefaults } from "./seed.ts";

// src/ in the repository and dist/ in the image both sit one level below service-auth/, whose
// parent holds service-auth/prisma/migrations and service-cloud-api/prisma/migrations.
const root = fileURLToPath(new URL("../../", import.meta.url));

async function release(): Promise<void> {
  const config = loadAuthConfig();
  if (!config.DATABASE_URL) throw new Error("DATABASE_URL is not set (the embedded database migrates itself at start)");
  const url = config.DATABASE_URL;
  const result = await releaseDatabase(url, serviceMigrations(root), async () => {
    const database = connectPostgres(url, "auth", { max: 1 });
    const prisma = new PrismaClient({ adapter: database.adapter });
    try {
      await seedDefaults(prisma, config);
    } finally {
      await prisma.$disconnect();
      await database.close();
    }
  });
  for (const [schema, applied] of Object.entries(result.applied)) {
    console.log(`${schema}: ${applied.length ? `applied ${applied.join(", ")}` : "no pending migrations"}`);
  }
  console.log("seeded: tenant `default`, plans");
}

// One line on failure (a ConfigError names the bad variables, never their values); exit 1 stops
// the services that wait on this one (compose: service_completed_successfully).
release().catch((error: unknown) => {
  console.error(`migrate failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
