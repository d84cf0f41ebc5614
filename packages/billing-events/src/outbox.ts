import {
  type BillingEventPayload,
  type BillingEventType,
  parseBillingEventPayload,
  type SourceService,
} from "./events.ts";

/** The columns a producer writes into `billing.billing_events`. */
export interface OutboxRow<T extends BillingEventType = BillingEventType> {
  eventType: T;
  sourceService: SourceService;
  payload: BillingEventPayload<T>;
  dedupeKey: string;
}

/**
 * Builds the outbox row for an event after validating its payload. The producer inserts it in
 * the same transaction as the state change it announces (transactional outbox), e.g.
 *
 * @example
 * await prisma.$transaction(async (tx) => {
 *   await tx.subscription.update(...);
 *   await tx.billingEvent.create({ data: outboxRow("subscription.updated", payload, "service-auth", `sub:${id}:v${n}`) });
 * });
 *
 * `dedupeKey` is unique in the table: enqueuing the same fact twice fails the transaction
 * instead of announcing it twice.
 */
export function outboxRow<T extends BillingEventType>(
  eventType: T,
  payload: BillingEventPayload<T>,
  sourceService: SourceService,
  dedupeKey: string,
): OutboxRow<T> {
  if (dedupeKey.length === 0 || dedupeKey.length > 300) throw new RangeError("dedupeKey must be 1..300 characters");
  return { eventType, sourceService, payload: parseBillingEventPayload(eventType, payload), dedupeKey };
}

/** Which service consumes an event type (the other side of the saga). */
export function consumerOf(eventType: BillingEventType): SourceService {
  return eventType === "invoice.finalized" || eventType === "invoice.voided" ? "service-auth" : "service-cloud-api";
}
