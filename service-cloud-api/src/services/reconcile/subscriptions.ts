import { billingEventSchemas } from "@atlas/billing-events";
import type { DatabaseConnection, SqlQueryable } from "@atlas/db";
import { applySubscriptionCanceled, applySubscriptionUpdated } from "../entitlements.ts";
import type { Finding } from "./finding.ts";

interface BillingView {
  tenantId: string;
  userId: string;
  subscriptionId: string;
  planId: string;
  status: string;
  currentPeriodEnd: Date;
}

/** The billing side's newest subscription per customer (read only), or null when its schema is absent. */
async function billingSubscriptions(db: SqlQueryable): Promise<BillingView[] | null> {
  const [present] = await db.query<{ t: string | null }>(
    `SELECT to_regclass('billing.billing_subscriptions')::text AS t`,
  );
  if (!present?.t) return null;
  return db.query<BillingView>(
    `SELECT DISTINCT ON (p."tenantId", p."customerId") p."tenantId", p."customerId" AS "userId", s."id" AS "subscriptionId",
            s."planId", s."status", s."currentPeriodEnd"
       FROM "billing"."billing_subscriptions" s JOIN "billing"."billing_profiles" p ON p."id" = s."billingProfileId"
      ORDER BY p."tenantId", p."customerId", (s."status" = 'canceled'), s."updatedAt" DESC`,
  );
}

/** subscription_state: the entitlement against the billing side's subscription. */
export async function checkSubscriptions(db: DatabaseConnection, now: Date, repair: boolean): Promise<Finding[]> {
  const billing = await billingSubscriptions(db);
  if (!billing) return [];
  const findings: Finding[] = [];
  for (const b of billing) {
    const [local] = await db.query<{
      subscriptionId: string | null;
      planId: string;
      status: string;
      currentPeriodEnd: Date | null;
    }>(
      `SELECT "subscriptionId", "planId", "status", "currentPeriodEnd" FROM "cloud"."cloud_entitlements"
        WHERE "tenantId" = $1 AND "userId" = $2`,
      [b.tenantId, b.userId],
    );
    const agrees =
      local &&
      local.subscriptionId === b.subscriptionId &&
      local.status === b.status &&
      (b.status === "canceled" ||
        (local.planId === b.planId && local.currentPeriodEnd?.getTime() === b.currentPeriodEnd.getTime()));
    if (agrees) continue;
    const [latest] = await db.query<{
      id: string;
      eventType: string;
      payload: unknown;
      createdAt: Date;
      processed: boolean;
      parkedAt: Date | null;
      discardedAt: Date | null;
    }>(
      `SELECT "id", "eventType", "payload", "createdAt", "processed", "parkedAt", "discardedAt" FROM "billing"."billing_events"
        WHERE "aggregateKey" = $1 AND "eventType" IN ('subscription.updated', 'subscription.canceled')
        ORDER BY "seq" DESC LIMIT 1`,
      [`subscription:${b.subscriptionId}`],
    );
    const details: Record<string, unknown> = {
      billing: {
        subscriptionId: b.subscriptionId,
        planId: b.planId,
        status: b.status,
        currentPeriodEnd: b.currentPeriodEnd.toISOString(),
      },
      local: local
        ? {
            subscriptionId: local.subscriptionId,
            planId: local.planId,
            status: local.status,
            currentPeriodEnd: local.currentPeriodEnd?.toISOString() ?? null,
          }
        : null,
    };
    let repaired = false;
    if (!latest) details.reason = "the billing side announced no event for this subscription";
    // Discarded by an operator: processed for the queue, but never applied; not a state to restore.
    else if (latest.discardedAt) details.reason = "its newest event was discarded by an operator";
    else if (!latest.processed)
      details.reason = latest.parkedAt ? "its newest event is parked" : "its newest event is not consumed yet";
    else {
      const payload = latest.payload as { planId?: string; status?: string };
      const eventAgrees =
        latest.eventType === "subscription.canceled"
          ? b.status === "canceled"
          : payload.planId === b.planId && payload.status === b.status;
      if (!eventAgrees) details.reason = "the billing side changed without announcing it";
      else if (repair) {
        // The newest consumed event agrees with the billing side: applying it again is what the
        // consumer did before the local state drifted (a lost write, a manual edit).
        const meta = { id: latest.id, createdAt: new Date(latest.createdAt) };
        repaired = await db.transaction((tx) =>
          latest.eventType === "subscription.canceled"
            ? applySubscriptionCanceled(
                tx,
                billingEventSchemas["subscription.canceled"].parse(latest.payload),
                meta,
                now,
              )
            : applySubscriptionUpdated(
                tx,
                billingEventSchemas["subscription.updated"].parse(latest.payload),
                meta,
                now,
              ),
        );
        if (!repaired) details.reason = "a newer event of another subscription is in force locally";
      }
    }
    findings.push({
      kind: "subscription_state",
      tenantId: b.tenantId,
      userId: b.userId,
      subject: `subscription:${b.subscriptionId}`,
      details,
      repaired,
    });
  }
  return findings;
}
