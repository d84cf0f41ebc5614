-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "cloud";

-- CreateTable
CREATE TABLE "cloud_objects" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "sizeBytes" BIGINT NOT NULL,
    "contentType" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "cloud_objects_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "cloud_usage_records" (
    "tenantId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "metric" TEXT NOT NULL,
    "hourStart" TIMESTAMPTZ(3) NOT NULL,
    "value" BIGINT NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cloud_usage_records_pkey" PRIMARY KEY ("tenantId","userId","metric","hourStart")
);

-- CreateTable
CREATE TABLE "cloud_entitlements" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "planId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "limits" JSONB NOT NULL,
    "sourceEventAt" TIMESTAMPTZ(3) NOT NULL,
    "sourceEventId" TEXT NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "cloud_entitlements_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "cloud_invoice_sequences" (
    "tenantId" TEXT NOT NULL,
    "lastNumber" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "cloud_invoice_sequences_pkey" PRIMARY KEY ("tenantId")
);

-- CreateTable
CREATE TABLE "cloud_invoices" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "number" INTEGER,
    "periodStart" TIMESTAMPTZ(3) NOT NULL,
    "periodEnd" TIMESTAMPTZ(3) NOT NULL,
    "status" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "subtotalMinor" INTEGER NOT NULL,
    "totalMinor" INTEGER NOT NULL,
    "finalizedAt" TIMESTAMPTZ(3),
    "paidAt" TIMESTAMPTZ(3),
    "failedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "cloud_invoices_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "cloud_invoice_lines" (
    "id" TEXT NOT NULL,
    "invoiceId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "description" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "quantity" BIGINT NOT NULL,
    "unitPriceMinor" INTEGER NOT NULL,
    "amountMinor" INTEGER NOT NULL,

    CONSTRAINT "cloud_invoice_lines_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "cloud_objects_tenantId_userId_createdAt_idx" ON "cloud_objects"("tenantId", "userId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "cloud_objects_tenantId_userId_key_key" ON "cloud_objects"("tenantId", "userId", "key");

-- CreateIndex
CREATE INDEX "cloud_usage_records_userId_hourStart_idx" ON "cloud_usage_records"("userId", "hourStart");

-- CreateIndex
CREATE UNIQUE INDEX "cloud_entitlements_tenantId_userId_key" ON "cloud_entitlements"("tenantId", "userId");

-- CreateIndex
CREATE INDEX "cloud_invoices_userId_createdAt_idx" ON "cloud_invoices"("userId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "cloud_invoices_tenantId_number_key" ON "cloud_invoices"("tenantId", "number");

-- CreateIndex
CREATE UNIQUE INDEX "cloud_invoices_tenantId_userId_periodStart_key" ON "cloud_invoices"("tenantId", "userId", "periodStart");

-- CreateIndex
CREATE UNIQUE INDEX "cloud_invoice_lines_invoiceId_position_key" ON "cloud_invoice_lines"("invoiceId", "position");

-- AddForeignKey
ALTER TABLE "cloud_invoice_lines" ADD CONSTRAINT "cloud_invoice_lines_invoiceId_fkey" FOREIGN KEY ("invoiceId") REFERENCES "cloud_invoices"("id") ON DELETE CASCADE ON UPDATE CASCADE;
