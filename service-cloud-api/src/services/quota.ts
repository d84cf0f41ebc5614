import type { SqlQueryable } from "@atlas/db";
import { AppError } from "@atlas/errors";
import { type Entitlement, exhaustedMetrics, loadEntitlement, usageTotals } from "./entitlements.ts";
import type { BillingMetric } from "./plans.ts";
import type { Owner } from "./storage.ts";

interface CachedState {
  entitlement: Entitlement;
  /** Period usage from the database when loaded, plus what this process counted since. */
  totals: Record<BillingMetric, number>;
  loadedAt: number;
}

/** Which allowance a route consumes (billing-information routes consume none). */
export type QuotaClass = "exempt" | "request" | "download" | "upload";

const CHECKS: Record<QuotaClass, BillingMetric[]> = {
  exempt: [],
  request: ["requests"],
  download: ["requests", "transfer_bytes"],
  upload: ["requests", "transfer_bytes", "storage_byte_hours"],
};

const METRIC_NAMES: Record<BillingMetric, string> = {
  requests: "requests",
  transfer_bytes: "transfer",
  storage_byte_hours: "storage",
};

/**
 * Enforces the allowances of plans without overage, from a per-customer cache of the
 * entitlement and the period's usage (refreshed every `ttlMs`; the request path does no I/O on
 * a hit). Enforcement is approximate by design: usage counted by other instances shows up after
 * their flush (≤ 1 s) and this cache's refresh, so a customer can exceed an allowance by what
 * they do in that window; invoices are computed from the database, exactly.
 */
export class QuotaGuard {
  private readonly cache = new Map<string, CachedState>();
  private readonly loading = new Map<string, Promise<CachedState>>();

  constructor(
    private readonly db: SqlQueryable,
    private readonly now: () => Date,
    private readonly ttlMs: number,
    private readonly maxEntries = 100_000,
  ) {}

  /** The customer's state, from the cache when fresh. */
  async state(owner: Owner): Promise<CachedState> {
    const key = `${owner.tenantId}\u0001${owner.userId}`;
    const now = this.now();
    const cached = this.cache.get(key);
    if (cached && now.getTime() - cached.loadedAt < this.ttlMs && now < cached.entitlement.periodEnd) return cached;
    let pending = this.loading.get(key);
    if (!pending) {
      pending = this.load(owner, now).finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    const state = await pending;
    if (this.cache.size >= this.maxEntries) this.cache.clear();
    this.cache.set(key, state);
    return state;
  }

  private async load(owner: Owner, now: Date): Promise<CachedState> {
    const entitlement = await loadEntitlement(this.db, owner, now);
    const totals = await usageTotals(this.db, owner, entitlement.periodStart, entitlement.periodEnd);
    return { entitlement, totals, loadedAt: now.getTime() };
  }

  /** Throws 402 QUOTA_EXCEEDED when a route of this class would use an allowance that is used up. */
  async check(owner: Owner, quotaClass: QuotaClass): Promise<Entitlement> {
    const state = await this.state(owner);
    if (quotaClass === "exempt") return state.entitlement;
    const { pricing } = state.entitlement;
    const exhausted = exhaustedMetrics(pricing, state.totals).filter((m) => CHECKS[quotaClass].includes(m));
    const metric = exhausted[0];
    if (metric) {
      throw new AppError("QUOTA_EXCEEDED", {
        detail: `The ${pricing.name} plan's included ${METRIC_NAMES[metric]} for this period is used up; upgrade the plan to continue`,
        extensions: {
          metric,
          included: pricing.includedUsage[metric],
          used: state.totals[metric],
          resetsAt: state.entitlement.periodEnd.toISOString(),
        },
      });
    }
    return state.entitlement;
  }

  /** Adds usage counted by this process to a cached customer (no-op when not cached). */
  count(owner: Owner, metric: BillingMetric, value: number): void {
    const cached = this.cache.get(`${owner.tenantId}\u0001${owner.userId}`);
    if (cached) cached.totals[metric] += value;
  }

  /** Forgets a customer (after their entitlement changed here). */
  forget(owner: Owner): void {
    this.cache.delete(`${owner.tenantId}\u0001${owner.userId}`);
  }
}
