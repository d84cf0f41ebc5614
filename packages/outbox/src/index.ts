export { listParkedEvents, type ParkedEvent, unparkEvents } from "./admin.ts";
export { type OutboxBacklog, outboxBacklog } from "./backlog.ts";
export { type BackoffPolicy, backoffDelayMs, DEFAULT_BACKOFF } from "./backoff.ts";
export {
  type BatchResult,
  type OutboxBatchHandler,
  OutboxConsumer,
  type OutboxConsumerOptions,
  type OutboxHandler,
} from "./consumer.ts";
export { type OutboxDatabase, type OutboxListener, outboxDatabaseOf, poolOutboxDatabase } from "./database.ts";
export { enqueueOutboxEvent, type NewOutboxEvent } from "./enqueue.ts";
export { errorText, PoisonEventError } from "./errors.ts";
export { OUTBOX_CHANNEL, OUTBOX_TABLE, type OutboxEvent, type OutboxTransaction } from "./sql.ts";
