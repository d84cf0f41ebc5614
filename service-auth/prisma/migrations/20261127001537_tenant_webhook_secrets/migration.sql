-- CreateTable
CREATE TABLE "auth_tenant_webhook_secrets" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "secretCiphertext" TEXT NOT NULL,
    "kekId" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "expiresAt" TIMESTAMPTZ(3),

    CONSTRAINT "auth_tenant_webhook_secrets_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "auth_tenant_webhook_secrets_tenantId_createdAt_idx" ON "auth_tenant_webhook_secrets"("tenantId", "createdAt");
