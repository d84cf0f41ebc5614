-- CreateTable
CREATE TABLE "auth_tenant_webhook_deliveries" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "auditLogId" TEXT NOT NULL,
    "eventType" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "availableAt" TIMESTAMPTZ(3) NOT NULL,
    "lastAttemptAt" TIMESTAMPTZ(3),
    "lastStatus" INTEGER,
    "lastError" TEXT,
    "deliveredAt" TIMESTAMPTZ(3),
    "parkedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "auth_tenant_webhook_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "auth_tenant_webhook_deliveries_auditLogId_key" ON "auth_tenant_webhook_deliveries"("auditLogId");

-- CreateIndex
CREATE INDEX "auth_tenant_webhook_deliveries_status_availableAt_idx" ON "auth_tenant_webhook_deliveries"("status", "availableAt");

-- CreateIndex
CREATE INDEX "auth_tenant_webhook_deliveries_tenantId_createdAt_idx" ON "auth_tenant_webhook_deliveries"("tenantId", "createdAt");
