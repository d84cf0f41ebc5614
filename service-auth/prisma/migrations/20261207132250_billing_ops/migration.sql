-- AlterTable
ALTER TABLE "billing"."billing_events" ADD COLUMN     "discardReason" TEXT,
ADD COLUMN     "discardedAt" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "billing"."billing_reconciliation_findings" (
    "id" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "tenantId" TEXT,
    "userId" TEXT,
    "subject" TEXT NOT NULL,
    "details" JSONB NOT NULL,
    "repaired" BOOLEAN NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "billing_reconciliation_findings_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "billing_reconciliation_findings_createdAt_idx" ON "billing"."billing_reconciliation_findings"("createdAt");
