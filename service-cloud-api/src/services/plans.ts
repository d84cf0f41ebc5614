/**
 * The plan catalogue as cloud-api prices it: monthly fee, included usage, overage prices.
 *
 * Why a copy here rather than reading service-auth's `billing.billing_plans`: each service owns
 * its schema, and the only table the two share is the outbox (architecture.md). Billing events
 * carry the plan id and the limits in force (so a downgrade to the cheapest plan's limits while
 * `unpaid` is the billing side's decision), but not prices; invoices need the prices to the cent
 * and must be reproducible from cloud-api's own data. The numbers below are service-auth's seed
 * (`service-auth/src/seed.ts` PLAN_CATALOGUE): a test at the root (`test/plans.integration.test.ts`)
 * fails when the two disagree, and the reconciliation job reports a live catalogue that drifted
 * from this copy (`plan_catalogue` findings).
 */

const GIB = 1024 ** 3;
const HOURS_PER_MONTH = 730;

/** What a plan's usage is billed by (transfer = bytes in + bytes out). */
export const BILLING_METRICS = ["requests", "transfer_bytes", "storage_byte_hours"] as const;
export type BillingMetric = (typeof BILLING_METRICS)[number];

export interface OveragePrice {
  /** Usage is billed per started block of this many units. */
  unitSize: number;
  unitPriceMinor: number;
}

/**
 * Who collects a plan's fee: `stripe_subscription` (a Stripe subscription charges it; the cloud
 * invoice lists it as prepaid) or `invoice` (the cloud invoice charges it). See billing-events.
 */
export type Collection = "stripe_subscription" | "invoice";

export interface PlanLimits {
  maxObjectBytes: number;
  maxStorageBytes: number;
}

export interface Plan {
  id: string;
  name: string;
  currency: string;
  monthlyPriceMinor: number;
  includedUsage: Record<BillingMetric, number>;
  /** A metric absent here has no overage: usage beyond the included amount is refused. */
  overagePrices: Partial<Record<BillingMetric, OveragePrice>>;
  limits: PlanLimits;
}

export const PLANS: readonly Plan[] = [
  {
    id: "free",
    name: "Free",
    currency: "usd",
    monthlyPriceMinor: 0,
    includedUsage: { requests: 10_000, transfer_bytes: 1 * GIB, storage_byte_hours: 1 * GIB * HOURS_PER_MONTH },
    overagePrices: {},
    limits: { maxObjectBytes: 10 * 1024 ** 2, maxStorageBytes: 1 * GIB },
  },
  {
    id: "pro",
    name: "Pro",
    currency: "usd",
    monthlyPriceMinor: 2_000,
    includedUsage: { requests: 1_000_000, transfer_bytes: 100 * GIB, storage_byte_hours: 50 * GIB * HOURS_PER_MONTH },
    overagePrices: {
      requests: { unitSize: 10_000, unitPriceMinor: 5 },
      transfer_bytes: { unitSize: GIB, unitPriceMinor: 9 },
      storage_byte_hours: { unitSize: GIB * HOURS_PER_MONTH, unitPriceMinor: 3 },
    },
    limits: { maxObjectBytes: 1 * GIB, maxStorageBytes: 500 * GIB },
  },
  {
    id: "business",
    name: "Business",
    currency: "usd",
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
  },
];

/** The plan of customers without a subscription (and of canceled or unpaid ones). */
export const FREE_PLAN_ID = "free";

const byId = new Map(PLANS.map((p) => [p.id, p]));

/** The plan with this id; an unknown id (a plan added on the billing side only) reads as free. */
export function planById(id: string): Plan {
  return byId.get(id) ?? (byId.get(FREE_PLAN_ID) as Plan);
}

export function isKnownPlan(id: string): boolean {
  return byId.has(id);
}
