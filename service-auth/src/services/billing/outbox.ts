import { type BillingEventPayload, type BillingEventType, outboxRow } from "@atlas/billing-events";
import type { Prisma } from "../../../generated/prisma/client.ts";

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
  // Within an aggregate createdAt never goes backwards, whatever this instance's clock says
  // (see enqueueOutboxEvent): at least 1 ms after the aggregate's newest event. The caller holds
  // the aggregate's row lock (e.g. the subscription's), so that newest event is committed.
  let createdAt = now;
  if (aggregateKey) {
    const newest = await tx.billingEvent.aggregate({ where: { aggregateKey }, _max: { createdAt: true } });
    const last = newest._max.createdAt;
    if (last && last.getTime() >= now.getTime()) createdAt = new Date(last.getTime() + 1);
  }
  const created = await tx.billingEvent.createMany({
    data: [
      {
        ...row,
        payload: row.payload as Prisma.InputJsonValue,
        aggregateKey,
        createdAt,
        availableAt: now,
      },
    ],
    skipDuplicates: true,
  });
  return created.count === 1;
}
