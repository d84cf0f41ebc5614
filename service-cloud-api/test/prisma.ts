import type { DatabaseConnection } from "@atlas/db";
import { PrismaClient } from "./generated/prisma/client.ts";

export type CloudPrisma = PrismaClient;

/**
 * A Prisma client over cloud-api's tables (and the billing outbox it reads), for tests that read
 * or arrange rows. service-cloud-api itself queries in SQL through `deps.database` and has no
 * Prisma client; the test that calls this owns the client and `$disconnect()`s it before the
 * connection closes. It shares `database`'s pool.
 */
export function cloudPrisma(database: DatabaseConnection): CloudPrisma {
  return new PrismaClient({ adapter: database.adapter });
}
