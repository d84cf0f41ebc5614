import type { PrismaClient } from "../generated/prisma/client.ts";
import type { AuthConfig } from "./config.ts";
import { LOGIN_METHODS } from "./services/login/method-ids.ts";
import { DEFAULT_TENANT_SLUG } from "./services/tenancy/tenant.service.ts";

const GIB = 1024 ** 3;
const HOURS_PER_MONTH = 730;

/**
 * The demo plan catalogue. Prices are integer minor units (cents). Overage is priced per
 * `unitSize` units of a metric; a metric absent from `overagePrices` has none (usage beyond the
 * included amount is refused instead).
 */
export const PLAN_CATALOGUE = [
  {
    id: "free",
    name: "Free",
    monthlyPriceMinor: 0,
    includedUsage: { requests: 10_000, transfer_bytes: 1 * GIB, storage_byte_hours: 1 * GIB * HOURS_PER_MONTH },
    overagePrices: {},
    limits: { maxObjectBytes: 10 * 1024 ** 2, maxStorageBytes: 1 * GIB },
    sortOrder: 0,
  },
  {
    id: "pro",
    name: "Pro",
    monthlyPriceMinor: 2_000,
    includedUsage: { requests: 1_000_000, transfer_bytes: 100 * GIB, storage_byte_hours: 50 * GIB * HOURS_PER_MONTH },
    overagePrices: {
      requests: { unitSize: 10_000, unitPriceMinor: 5 },
      transfer_bytes: { unitSize: GIB, unitPriceMinor: 9 },
      storage_byte_hours: { unitSize: GIB * HOURS_PER_MONTH, unitPriceMinor: 3 },
    },
    limits: { maxObjectBytes: 1 * GIB, maxStorageBytes: 500 * GIB },
    sortOrder: 1,
  },
  {
    id: "business",
    name: "Business",
    monthlyPriceMinor: 10_000,
    includedUsage: {
      requests: 10_000_000,
      transfer_bytes: 1_000 * GIB,
      storage_byte_hours: 500 * GIB * HOURS_PER_MONTH,
    },
    overagePrices: {
      requests: { unitSize: 10_000, unitPriceMinor: 3 },
      transfer_bytes: { unitSize: GIB, unitPriceMinor: 6 },
      storage_byte_hours: { unitSize: GIB * HOURS_PER_MONTH, unitPriceMinor: 2 },
    },
    limits: { maxObjectBytes: 5 * GIB, maxStorageBytes: 5_000 * GIB },
    sortOrder: 2,
  },
] as const;

/**
 * Idempotent seed: creates the `default` tenant (which always exists) and the plan catalogue.
 * Existing rows are left as operators edited them; only missing ones are created.
 */
export async function seedDefaults(
  prisma: PrismaClient,
  config: Pick<AuthConfig, "DEFAULT_TENANT_ORIGINS">,
): Promise<void> {
  await prisma.tenant.upsert({
    where: { slug: DEFAULT_TENANT_SLUG },
    update: {},
    create: {
      slug: DEFAULT_TENANT_SLUG,
      name: "Atlas",
      allowedOrigins: config.DEFAULT_TENANT_ORIGINS,
      allowedMethods: [...LOGIN_METHODS],
      jwtAudience: "atlas",
    },
  });
  for (const plan of PLAN_CATALOGUE) {
    await prisma.plan.upsert({ where: { id: plan.id }, update: {}, create: { ...plan } });
  }
}
