import { withMigrationLock } from "./lock.ts";
import { deployMigrations } from "./migrations.ts";
import type { ServiceMigrations } from "./services.ts";
import { withSchema } from "./url.ts";

export interface ReleaseResult {
  /** Migrations this call applied, per schema (empty when another migrator had applied them). */
  applied: Record<string, string[]>;
}

/**
 * The release step of a deployment (the compose `migrate` service): under the migration
 * advisory lock, applies every service's pending migrations in order, then runs `seed`. Any
 * number of these may start at once on one database: they run one at a time, each migration is
 * applied once, and the later ones find nothing pending (so `seed` must be idempotent).
 *
 * @example
 * await releaseDatabase(process.env.DATABASE_URL, serviceMigrations(root), () => seedDefaults(prisma, config));
 */
export async function releaseDatabase(
  url: string,
  services: ServiceMigrations[],
  seed?: () => Promise<void>,
): Promise<ReleaseResult> {
  return withMigrationLock(url, async () => {
    const applied: Record<string, string[]> = {};
    for (const svc of services) applied[svc.schema] = await deployMigrations(withSchema(url, svc.schema), svc);
    await seed?.();
    return { applied };
  });
}
