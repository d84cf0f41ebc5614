-- DropIndex
DROP INDEX "billing"."billing_events_aggregateKey_processed_idx";

-- AlterTable
ALTER TABLE "billing"."billing_events" ADD COLUMN     "seq" BIGSERIAL NOT NULL;

-- CreateIndex
CREATE INDEX "billing_events_aggregateKey_processed_seq_idx" ON "billing"."billing_events"("aggregateKey", "processed", "seq");
