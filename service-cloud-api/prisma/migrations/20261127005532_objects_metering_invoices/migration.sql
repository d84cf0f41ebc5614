-- DropIndex
DROP INDEX "cloud_invoices_userId_createdAt_idx";

-- AlterTable
ALTER TABLE "cloud_entitlements" ADD COLUMN     "cancelAtPeriodEnd" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "collection" TEXT NOT NULL DEFAULT 'invoice',
ADD COLUMN     "currentPeriodEnd" TIMESTAMPTZ(3),
ADD COLUMN     "currentPeriodStart" TIMESTAMPTZ(3),
ADD COLUMN     "subscriptionId" TEXT;

-- AlterTable
ALTER TABLE "cloud_invoice_lines" ADD COLUMN     "includedQuantity" BIGINT,
ADD COLUMN     "prepaid" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "usedQuantity" BIGINT;

-- AlterTable
ALTER TABLE "cloud_invoices" ADD COLUMN     "amountDueMinor" INTEGER NOT NULL,
ADD COLUMN     "failureCode" TEXT,
ADD COLUMN     "paidAmountMinor" INTEGER,
ADD COLUMN     "paymentProvider" TEXT,
ADD COLUMN     "paymentReference" TEXT,
ADD COLUMN     "planId" TEXT NOT NULL;

-- AlterTable
ALTER TABLE "cloud_objects" ADD COLUMN     "blobId" TEXT NOT NULL;

-- CreateTable
CREATE TABLE "cloud_object_chunks" (
    "blobId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,

    CONSTRAINT "cloud_object_chunks_pkey" PRIMARY KEY ("blobId","seq")
);

-- CreateTable
CREATE TABLE "cloud_storage_usage" (
    "tenantId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "bytes" BIGINT NOT NULL DEFAULT 0,
    "objects" INTEGER NOT NULL DEFAULT 0,
    "accruedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "cloud_storage_usage_pkey" PRIMARY KEY ("tenantId","userId")
);

-- CreateTable
CREATE TABLE "cloud_billing_periods" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "subscriptionId" TEXT NOT NULL,
    "planId" TEXT NOT NULL,
    "periodStart" TIMESTAMPTZ(3) NOT NULL,
    "periodEnd" TIMESTAMPTZ(3) NOT NULL,
    "collection" TEXT NOT NULL,
    "invoiceId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "cloud_billing_periods_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "cloud_customers" (
    "tenantId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "billingProfileId" TEXT NOT NULL,
    "stripeCustomerId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cloud_customers_pkey" PRIMARY KEY ("tenantId","userId")
);

-- CreateTable
CREATE TABLE "cloud_reconciliation_findings" (
    "id" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "tenantId" TEXT,
    "userId" TEXT,
    "subject" TEXT NOT NULL,
    "details" JSONB NOT NULL,
    "repaired" BOOLEAN NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cloud_reconciliation_findings_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "cloud_billing_periods_invoiceId_key" ON "cloud_billing_periods"("invoiceId");

-- CreateIndex
CREATE INDEX "cloud_billing_periods_invoiceId_periodEnd_idx" ON "cloud_billing_periods"("invoiceId", "periodEnd");

-- CreateIndex
CREATE UNIQUE INDEX "cloud_billing_periods_tenantId_userId_periodStart_key" ON "cloud_billing_periods"("tenantId", "userId", "periodStart");

-- CreateIndex
CREATE INDEX "cloud_reconciliation_findings_createdAt_idx" ON "cloud_reconciliation_findings"("createdAt");

-- CreateIndex
CREATE INDEX "cloud_invoices_tenantId_userId_createdAt_idx" ON "cloud_invoices"("tenantId", "userId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "cloud_objects_blobId_key" ON "cloud_objects"("blobId");

-- Finalized invoices are immutable: amounts, numbers, periods and lines never change once the
-- invoice leaves `draft`; only the payment outcome (status, paid/failed fields) moves. Enforced
-- here so that no code path (or operator's UPDATE) can rewrite an issued invoice.
CREATE OR REPLACE FUNCTION "cloud"."cloud_invoices_immutable"() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD."status" <> 'draft' THEN
      RAISE EXCEPTION 'invoice % is finalized and cannot be deleted', OLD."id" USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN OLD;
  END IF;
  IF OLD."status" <> 'draft' AND (
       NEW."tenantId", NEW."userId", NEW."number", NEW."periodStart", NEW."periodEnd", NEW."planId",
       NEW."currency", NEW."subtotalMinor", NEW."totalMinor", NEW."amountDueMinor", NEW."finalizedAt"
     ) IS DISTINCT FROM (
       OLD."tenantId", OLD."userId", OLD."number", OLD."periodStart", OLD."periodEnd", OLD."planId",
       OLD."currency", OLD."subtotalMinor", OLD."totalMinor", OLD."amountDueMinor", OLD."finalizedAt"
     ) THEN
    RAISE EXCEPTION 'invoice % is finalized and immutable', OLD."id" USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF OLD."status" <> 'draft' AND NEW."status" = 'draft' THEN
    RAISE EXCEPTION 'invoice % cannot return to draft', OLD."id" USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "cloud_invoices_immutable" BEFORE UPDATE OR DELETE ON "cloud"."cloud_invoices"
  FOR EACH ROW EXECUTE FUNCTION "cloud"."cloud_invoices_immutable"();

CREATE OR REPLACE FUNCTION "cloud"."cloud_invoice_lines_immutable"() RETURNS trigger AS $$
DECLARE
  invoice_status TEXT;
BEGIN
  SELECT "status" INTO invoice_status FROM "cloud"."cloud_invoices"
   WHERE "id" = (CASE WHEN TG_OP = 'DELETE' THEN OLD."invoiceId" ELSE NEW."invoiceId" END);
  IF invoice_status IS NOT NULL AND invoice_status <> 'draft' THEN
    RAISE EXCEPTION 'the lines of a finalized invoice are immutable' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "cloud_invoice_lines_immutable" BEFORE INSERT OR UPDATE OR DELETE ON "cloud"."cloud_invoice_lines"
  FOR EACH ROW EXECUTE FUNCTION "cloud"."cloud_invoice_lines_immutable"();
