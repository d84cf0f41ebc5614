import { AppError } from "@atlas/errors";
import type { Plan } from "../../../../generated/prisma/client.ts";
import type { Deps } from "../../../ports.ts";

export interface PlanLimits {
  maxObjectBytes: number;
  maxStorageBytes: number;
}

export interface PublicPlan {
  id: string;
  name: string;
  currency: string;
  monthlyPriceMinor: number;
  includedUsage: Record<string, number>;
  overagePrices: Record<string, { unitSize: number; unitPriceMinor: number }>;
  limits: PlanLimits;
  /** Whether the plan can be subscribed to with Stripe here (a price is mapped). */
  purchasable: boolean;
  /** Free trial days a customer's first subscription to the plan starts with (0: none). */
  trialDays: number;
}

/** The Stripe price of a plan: configuration first, then the plan's own column. */
export function stripePriceOf(deps: Pick<Deps, "config">, plan: Plan): string | null {
  return deps.config.STRIPE_PRICE_IDS.get(plan.id) ?? plan.stripePriceId ?? null;
}

export function publicPlan(deps: Pick<Deps, "config">, plan: Plan): PublicPlan {
  return {
    id: plan.id,
    name: plan.name,
    currency: plan.currency,
    monthlyPriceMinor: plan.monthlyPriceMinor,
    includedUsage: plan.includedUsage as PublicPlan["includedUsage"],
    overagePrices: plan.overagePrices as PublicPlan["overagePrices"],
    limits: plan.limits as unknown as PlanLimits,
    purchasable: plan.monthlyPriceMinor > 0 && stripePriceOf(deps, plan) !== null,
    trialDays: plan.trialDays,
  };
}

/** The active catalogue, cheapest first. */
export async function listPlans(deps: Deps): Promise<PublicPlan[]> {
  const plans = await deps.prisma.plan.findMany({ where: { isActive: true }, orderBy: { sortOrder: "asc" } });
  return plans.map((p) => publicPlan(deps, p));
}

export async function getActivePlan(deps: Deps, planId: string): Promise<Plan> {
  const plan = await deps.prisma.plan.findUnique({ where: { id: planId } });
  if (!plan?.isActive) throw new AppError("NOT_FOUND", { detail: "No such plan" });
  return plan;
}

/** The plan whose limits apply without a paid subscription (the cheapest active one). */
export async function freePlan(deps: Deps): Promise<Plan> {
  const plan = await deps.prisma.plan.findFirst({
    where: { isActive: true },
    orderBy: [{ monthlyPriceMinor: "asc" }, { sortOrder: "asc" }],
  });
  if (!plan) throw new Error("the plan catalogue is empty: run the seed");
  return plan;
}
