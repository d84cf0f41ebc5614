import { type BillingEventPayload, type BillingEventType, outboxRow } from "@atlas/billing-events";
import type { Prisma } from "../../generated/prisma/client.ts";

/**
 * Inserts a billing event in the caller's transaction (transactional outbox): it commits with
 * the state change it announces, or not at all. Resolves false when an event with this dedupe
 * key exists already (the fact was announced before).
 *
 * @example
 * await prisma.$transaction(async (tx) => {
 *   await tx.subscription.update(...);
 *   await emitBillingEvent(tx, "subscription.updated", payload, `stripe:${event.id}`, now, `subscription:${id}`);
 * });
 */
export async function emitBillingEvent<T extends BillingEventType>(
  tx: Prisma.TransactionClient,
  eventType: T,
  payload: BillingEventPayload<T>,
  dedupeKey: string,
  now: Date,
  aggregateKey: string | null = null,
): Promise<boolean> {
  const row = outboxRow(eventType, payload, "service-auth", dedupeKey);
  const created = await tx.billingEvent.createMany({
    data: [
      {
        ...row,
        payload: row.payload as Prisma.InputJsonValue,
        aggregateKey,
        createdAt: now,
        availableAt: now,
      },
    ],
    skipDuplicates: true,
  });
  return created.count === 1;
}
