-- AlterTable
ALTER TABLE "billing"."billing_charges" ADD COLUMN     "creditAppliedMinor" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "dueAt" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "billing"."billing_crypto_payments" ADD COLUMN     "blockHash" TEXT,
ADD COLUMN     "blockNumber" BIGINT,
ADD COLUMN     "depositIndex" INTEGER,
ADD COLUMN     "quotedMinor" INTEGER,
ADD COLUMN     "rateAnswer" TEXT,
ADD COLUMN     "rateDecimals" INTEGER,
ADD COLUMN     "rateUpdatedAt" TIMESTAMPTZ(3),
ADD COLUMN     "receivedBaseUnits" TEXT,
ADD COLUMN     "receivedMinor" INTEGER;

-- CreateTable
CREATE TABLE "billing"."billing_customer_credits" (
    "id" TEXT NOT NULL,
    "billingProfileId" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "amountMinor" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "invoiceId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "billing_customer_credits_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "billing_customer_credits_source_key" ON "billing"."billing_customer_credits"("source");

-- CreateIndex
CREATE INDEX "billing_customer_credits_billingProfileId_createdAt_idx" ON "billing"."billing_customer_credits"("billingProfileId", "createdAt");

-- CreateIndex
CREATE INDEX "billing_charges_provider_status_dueAt_idx" ON "billing"."billing_charges"("provider", "status", "dueAt");

-- CreateIndex
CREATE UNIQUE INDEX "billing_crypto_payments_depositIndex_key" ON "billing"."billing_crypto_payments"("depositIndex");

-- Hand-written (Prisma cannot express a standalone sequence): child indexes of per-quote deposit
-- addresses under CRYPTO_DEPOSIT_XPUB, allocated once each, never reused (BIP-32 non-hardened
-- indexes stop at 2^31 - 1).
CREATE SEQUENCE "billing"."billing_crypto_deposit_index_seq" AS integer MINVALUE 0 START 0 MAXVALUE 2147483647;
