// cloud-api prices invoices from its copy of the plan catalogue; service-auth seeds the catalogue
// the billing side (and Stripe) uses. The two must agree to the cent.
import { describe, expect, it } from "vitest";
import { PLAN_CATALOGUE } from "../service-auth/src/seed.ts";
import { PLANS } from "../service-cloud-api/src/services/plans.ts";

describe("plan catalogue", () => {
  it("cloud-api's copy equals service-auth's seed (prices, included usage, overage, limits)", () => {
    const seeded = PLAN_CATALOGUE.map((p) => ({
      id: p.id,
      name: p.name,
      monthlyPriceMinor: p.monthlyPriceMinor,
      includedUsage: p.includedUsage,
      overagePrices: p.overagePrices,
      limits: p.limits,
    }));
    const ours = PLANS.map((p) => ({
      id: p.id,
      name: p.name,
      monthlyPriceMinor: p.monthlyPriceMinor,
      includedUsage: p.includedUsage,
      overagePrices: p.overagePrices,
      limits: p.limits,
    }));
    expect(ours).toEqual(seeded);
    // The seed's plans take the column default currency, usd.
    expect(PLANS.every((p) => p.currency === "usd")).toBe(true);
  });
});
