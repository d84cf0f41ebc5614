import type { SqlQueryable } from "@atlas/db";
import { PLANS } from "../plans.ts";
import type { Finding } from "./finding.ts";

/** plan_catalogue: the numbers invoices are priced with vs the billing side's catalogue. */
export async function checkCatalogue(db: SqlQueryable): Promise<Finding[]> {
  const [present] = await db.query<{ t: string | null }>(`SELECT to_regclass('billing.billing_plans')::text AS t`);
  if (!present?.t) return [];
  const live = await db.query<{
    id: string;
    currency: string;
    monthlyPriceMinor: number;
    includedUsage: unknown;
    overagePrices: unknown;
    limits: unknown;
  }>(`SELECT "id", "currency", "monthlyPriceMinor", "includedUsage", "overagePrices", "limits" FROM "billing"."billing_plans"
       WHERE "isActive"`);
  const findings: Finding[] = [];
  for (const plan of live) {
    const ours = PLANS.find((p) => p.id === plan.id);
    const theirs = {
      currency: plan.currency,
      monthlyPriceMinor: plan.monthlyPriceMinor,
      includedUsage: plan.includedUsage,
      overagePrices: plan.overagePrices,
      limits: plan.limits,
    };
    const mine = ours && {
      currency: ours.currency,
      monthlyPriceMinor: ours.monthlyPriceMinor,
      includedUsage: ours.includedUsage,
      overagePrices: ours.overagePrices,
      limits: ours.limits,
    };
    if (!mine || canonical(mine) !== canonical(theirs)) {
      findings.push({
        kind: "plan_catalogue",
        tenantId: null,
        userId: null,
        subject: `plan:${plan.id}`,
        details: { billing: theirs, cloud: mine ?? null },
        repaired: false,
      });
    }
  }
  return findings;
}

/** JSON with sorted keys, for comparing documents. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
