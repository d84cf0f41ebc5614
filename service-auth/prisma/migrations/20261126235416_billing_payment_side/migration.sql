-- DropIndex
DROP INDEX "billing"."billing_crypto_payments_chainId_txHash_key";

-- AlterTable
ALTER TABLE "billing"."billing_charges" ADD COLUMN     "attempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "graceEndsAt" TIMESTAMPTZ(3),
ADD COLUMN     "graceExpiredAt" TIMESTAMPTZ(3),
ADD COLUMN     "nextAttemptAt" TIMESTAMPTZ(3),
ADD COLUMN     "onBehalfOf" TEXT,
ADD COLUMN     "tenantId" TEXT,
ADD COLUMN     "userId" TEXT;

-- AlterTable
ALTER TABLE "billing"."billing_crypto_payments" ADD COLUMN     "decimals" INTEGER NOT NULL DEFAULT 18,
ADD COLUMN     "invoiceAmountMinor" INTEGER,
ADD COLUMN     "invoiceCurrency" TEXT,
ADD COLUMN     "logIndex" INTEGER,
ADD COLUMN     "tenantId" TEXT,
ADD COLUMN     "userId" TEXT;

-- CreateIndex
CREATE INDEX "billing_charges_status_nextAttemptAt_idx" ON "billing"."billing_charges"("status", "nextAttemptAt");

-- CreateIndex
CREATE UNIQUE INDEX "billing_crypto_payments_chainId_txHash_logIndex_key" ON "billing"."billing_crypto_payments"("chainId", "txHash", "logIndex");
