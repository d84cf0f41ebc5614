import { type BillingEventPayload, type BillingEventType, billingEventSchemas } from "@atlas/billing-events";
import {
  type OutboxConsumer as Consumer,
  type OutboxBatchHandler,
  OutboxConsumer,
  type OutboxEvent,
  type OutboxHandler,
  outboxDatabaseOf,
  PoisonEventError,
} from "@atlas/outbox";
import type { Deps } from "../deps.ts";
import { applyCustomersCreated, applySubscriptionCanceled, applySubscriptionUpdated } from "./entitlements.ts";

/** The events cloud-api consumes (auth → cloud). */
export const CONSUMED_EVENT_TYPES = [
  "customer.created",
  "subscription.updated",
  "subscription.canceled",
  "payment.succeeded",
  "payment.failed",
  "payment.refunded",
  "payment.disputed",
  "dispute.funds_reinstated",
  "charge.canceled",
] as const satisfies readonly BillingEventType[];

/** The payload, validated against the contract; a payload that breaks it can never apply: parked. */
export function payloadOf<T extends BillingEventType>(type: T, event: OutboxEvent): BillingEventPayload<T> {
  const parsed = billingEventSchemas[type].safeParse(event.payload);
  if (!parsed.success) throw new PoisonEventError(`payload breaks the ${type} schema`);
  return parsed.data as BillingEventPayload<T>;
}

/** Extra handlers (payments, added by the invoicing module). */
export type HandlerSet = Partial<Record<(typeof CONSUMED_EVENT_TYPES)[number], OutboxHandler>>;

/**
 * cloud-api's handlers. Each applies its effect through the consumer's transaction `tx`, where
 * the event is also marked processed: an event takes effect exactly once, whatever crashes.
 */
export function entitlementHandlers(deps: Pick<Deps, "now" | "quota">): HandlerSet {
  const meta = (event: OutboxEvent) => ({ id: event.id, createdAt: new Date(event.createdAt) });
  return {
    "customer.created": async (event, tx) => {
      await applyCustomersCreated(tx, [payloadOf("customer.created", event)], deps.now());
    },
    "subscription.updated": async (event, tx) => {
      const p = payloadOf("subscription.updated", event);
      await applySubscriptionUpdated(tx, p, meta(event), deps.now());
      deps.quota.forget(p);
    },
    "subscription.canceled": async (event, tx) => {
      const p = payloadOf("subscription.canceled", event);
      await applySubscriptionCanceled(tx, p, meta(event), deps.now());
      deps.quota.forget(p);
    },
  };
}

/**
 * Batch forms of handlers, for events that arrive in volume: one statement for a whole batch.
 * Any failure (a bad payload included) sends the batch back to the per-event handlers, which park
 * the bad event alone.
 */
export function entitlementBatchHandlers(deps: Pick<Deps, "now">): Record<string, OutboxBatchHandler> {
  return {
    "customer.created": async (events, tx) => {
      await applyCustomersCreated(
        tx,
        events.map((e) => payloadOf("customer.created", e)),
        deps.now(),
      );
    },
  };
}

/**
 * Events per claim. Large, because a batch costs little more than an event (one claim, one
 * processed mark, one statement per batch handler) and a consumer that falls behind catches up
 * in a few batches; an optimistic batch that fails is re-run event by event, so a poison event
 * costs one larger rollback.
 */
export const CLOUD_OUTBOX_BATCH_SIZE = 500;

export interface CloudConsumerOptions {
  listen?: boolean;
  pollIntervalMs?: number;
  batchSize?: number;
  handlers?: HandlerSet;
}

/** The outbox consumer of cloud-api, on PostgreSQL or on the embedded database (its connection held per batch). */
export function cloudConsumer(deps: Deps, extra: HandlerSet, options: CloudConsumerOptions = {}): Consumer {
  const handlers = { ...entitlementHandlers(deps), ...extra, ...options.handlers } as Record<string, OutboxHandler>;
  return new OutboxConsumer({
    database: outboxDatabaseOf(deps.database),
    name: "service-cloud-api",
    handlers,
    now: deps.now,
    pollIntervalMs: options.pollIntervalMs ?? deps.config.OUTBOX_POLL_INTERVAL_MS,
    // Every cloud-api effect is a write through the consumer's transaction: a batch can run
    // without per-event savepoints and fall back to them when one event fails.
    optimisticBatches: true,
    batchHandlers: options.handlers ? {} : entitlementBatchHandlers(deps),
    ...(options.listen !== undefined && { listen: options.listen }),
    batchSize: options.batchSize ?? CLOUD_OUTBOX_BATCH_SIZE,
    onError: (error, context) =>
      deps.logger.error({ err: error, ...context }, context.eventId ? "billing event failed" : "outbox consumer error"),
  });
}
