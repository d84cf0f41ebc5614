export {
  BILLING_EVENT_TYPES,
  type BillingEventPayload,
  type BillingEventType,
  billingEventSchemas,
  isBillingEventType,
  parseBillingEventPayload,
  SOURCE_SERVICES,
  type SourceService,
} from "./events.ts";
export { consumerOf, type OutboxRow, outboxRow } from "./outbox.ts";
