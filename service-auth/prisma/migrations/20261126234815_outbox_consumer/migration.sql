-- AlterTable
ALTER TABLE "billing"."billing_events" ADD COLUMN     "aggregateKey" TEXT;

-- CreateIndex
CREATE INDEX "billing_events_eventType_processed_availableAt_idx" ON "billing"."billing_events"("eventType", "processed", "availableAt");

-- CreateIndex
CREATE INDEX "billing_events_aggregateKey_processed_idx" ON "billing"."billing_events"("aggregateKey", "processed");

-- Wake outbox consumers (LISTEN billing_events) when an event commits; the payload is the event
-- type, so a consumer ignores types it does not handle. Postgres folds identical notifications
-- of one transaction into one. Consumers poll as well: a lost notification only delays.
CREATE OR REPLACE FUNCTION "billing"."billing_events_notify"() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('billing_events', NEW."eventType");
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "billing_events_notify" AFTER INSERT ON "billing"."billing_events"
  FOR EACH ROW EXECUTE FUNCTION "billing"."billing_events_notify"();
