import { randomUUID } from "node:crypto";
import { type BillingEventPayload, type BillingEventType, outboxRow } from "@atlas/billing-events";
import type { SqlQueryable } from "@atlas/db";
import { enqueueOutboxEvent } from "@atlas/outbox";

/** What service-auth does when it announces a fact: a row in the shared outbox. */
export async function emitEvent<T extends BillingEventType>(
  db: SqlQueryable,
  type: T,
  payload: BillingEventPayload<T>,
  options: { at: Date; dedupeKey?: string; aggregateKey?: string | null },
): Promise<string> {
  const row = outboxRow(type, payload, "service-auth", options.dedupeKey ?? `${type}:${randomUUID()}`);
  await enqueueOutboxEvent(db, { ...row, aggregateKey: options.aggregateKey ?? null }, options.at);
  const [event] = await db.query<{ id: string }>(`SELECT "id" FROM "billing"."billing_events" WHERE "dedupeKey" = $1`, [
    row.dedupeKey,
  ]);
  return event?.id as string;
}

/** An event row whose payload is not checked (to make poison). */
export async function emitRaw(db: SqlQueryable, type: string, payload: unknown, at: Date): Promise<string> {
  const id = randomUUID();
  await db.query(
    `INSERT INTO "billing"."billing_events" ("id", "eventType", "sourceService", "payload", "dedupeKey", "createdAt", "availableAt")
     VALUES ($1, $2, 'service-auth', $3::jsonb, $4, $5, $5)`,
    [id, type, JSON.stringify(payload), `raw:${id}`, at],
  );
  return id;
}

export const GIB = 1024 ** 3;

/** A subscription.updated payload for `userId` (Pro, March 2026, Stripe-collected by default). */
export function subscriptionUpdated(
  userId: string,
  overrides: Partial<BillingEventPayload<"subscription.updated">> = {},
): BillingEventPayload<"subscription.updated"> {
  return {
    tenantId: "tenant_a",
    userId,
    subscriptionId: `sub_${userId}`,
    planId: "pro",
    status: "active",
    currentPeriodStart: "2026-03-01T00:00:00.000Z",
    currentPeriodEnd: "2026-04-01T00:00:00.000Z",
    cancelAtPeriodEnd: false,
    limits: { maxObjectBytes: GIB, maxStorageBytes: 500 * GIB },
    collection: "stripe_subscription",
    ...overrides,
  };
}
