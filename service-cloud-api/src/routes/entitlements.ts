import { requireScope } from "@atlas/auth-verify";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Deps } from "../deps.ts";
import type { CloudEnv } from "../ports.ts";
import { exhaustedMetrics, loadEntitlement, usageTotals } from "../services/entitlements.ts";
import { hasOverdueInvoice } from "../services/invoicing/invoices.ts";
import { BILLING_METRICS } from "../services/plans.ts";
import { bearer, ownerOf, problem } from "./common.ts";
import * as EX from "./examples.ts";

const metricRecord = z.object({ requests: z.number(), transfer_bytes: z.number(), storage_byte_hours: z.number() });

const Entitlements = z
  .object({
    planId: z.string().openapi({ description: "The subscribed plan (free without a subscription)" }),
    planName: z.string(),
    status: z.string().openapi({ description: "Subscription status from billing events; `none` without one" }),
    pastDue: z.boolean().openapi({
      description:
        "Payment trouble: the subscription is past_due/unpaid, an invoice's charge failed, or an invoice is unpaid past its dueAt (whatever the subscription says)",
    }),
    collection: z.enum(["stripe_subscription", "invoice"]).openapi({ description: "Who collects the plan fee" }),
    cancelAtPeriodEnd: z.boolean(),
    currentPeriod: z.object({ start: z.string(), end: z.string() }),
    limits: z.object({ maxObjectBytes: z.number(), maxStorageBytes: z.number() }),
    includedUsage: metricRecord,
    overagePrices: z.record(z.string(), z.object({ unitSize: z.number(), unitPriceMinor: z.number() })),
    usage: metricRecord.openapi({ description: "This period so far (flushed counters)" }),
    storage: z.object({ bytes: z.number(), objects: z.number() }),
    exhausted: z.array(z.enum(BILLING_METRICS)).openapi({
      description: "Allowances without overage that are used up: requests using them answer 402 QUOTA_EXCEEDED",
    }),
  })
  .openapi("Entitlements");

const route = createRoute({
  method: "get",
  path: "/v1/entitlements",
  tags: ["billing"],
  summary: "The plan limits and allowances in force now (synced from billing events)",
  description: "Needs scope `billing:read`. Reachable even when an allowance is used up.",
  security: bearer,
  middleware: [requireScope("billing:read")] as const,
  responses: {
    200: {
      description: "The entitlements",
      content: { "application/json": { schema: Entitlements, example: EX.ENTITLEMENTS } },
    },
    401: problem("Missing or invalid token (INVALID_TOKEN, EXPIRED_TOKEN)"),
    403: problem("The token lacks billing:read (FORBIDDEN)"),
  },
});

export function registerEntitlementRoutes(app: OpenAPIHono<CloudEnv>, deps: Deps) {
  app.openapi(route, async (c) => {
    const owner = ownerOf(c.var.auth);
    const ent = await loadEntitlement(deps.database, owner, deps.now());
    const usage = await usageTotals(deps.database, owner, ent.periodStart, ent.periodEnd);
    const [storage] = await deps.database.query<{ bytes: string; objects: number }>(
      `SELECT "bytes", "objects" FROM "cloud"."cloud_storage_usage" WHERE "tenantId" = $1 AND "userId" = $2`,
      [owner.tenantId, owner.userId],
    );
    const overdue = await hasOverdueInvoice(deps.database, owner, deps.now());
    return c.json(
      {
        planId: ent.planId,
        planName: ent.pricing.id === ent.planId ? ent.pricing.name : `${ent.pricing.name} (restricted)`,
        status: ent.status,
        pastDue: ent.pastDue || overdue,
        collection: ent.collection,
        cancelAtPeriodEnd: ent.cancelAtPeriodEnd,
        currentPeriod: { start: ent.periodStart.toISOString(), end: ent.periodEnd.toISOString() },
        limits: { maxObjectBytes: ent.limits.maxObjectBytes, maxStorageBytes: ent.limits.maxStorageBytes },
        includedUsage: ent.pricing.includedUsage,
        overagePrices: ent.pricing.overagePrices as Record<string, { unitSize: number; unitPriceMinor: number }>,
        usage,
        storage: { bytes: Number(storage?.bytes ?? 0), objects: storage?.objects ?? 0 },
        exhausted: exhaustedMetrics(ent.pricing, usage),
      },
      200,
    );
  });
}
