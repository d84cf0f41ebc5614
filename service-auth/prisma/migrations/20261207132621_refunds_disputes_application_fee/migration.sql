-- AlterTable
ALTER TABLE "billing"."billing_connected_accounts" ADD COLUMN     "applicationFeeBps" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "billing"."billing_refunds" (
    "id" TEXT NOT NULL,
    "stripeId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "chargeId" TEXT NOT NULL,
    "invoiceId" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "amountMinor" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "reason" TEXT,
    "status" TEXT NOT NULL,
    "withdrawnMinor" INTEGER NOT NULL DEFAULT 0,
    "reinstatedMinor" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "billing_refunds_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "billing_refunds_stripeId_key" ON "billing"."billing_refunds"("stripeId");

-- CreateIndex
CREATE INDEX "billing_refunds_chargeId_idx" ON "billing"."billing_refunds"("chargeId");

-- Hand-written (Prisma cannot express CHECK constraints): a fee is 0..100 % of a charge, and the
-- money returned on a charge is never negative.
ALTER TABLE "billing"."billing_connected_accounts"
  ADD CONSTRAINT "billing_connected_accounts_fee_bps_range" CHECK ("applicationFeeBps" BETWEEN 0 AND 10000);
ALTER TABLE "billing"."billing_refunds"
  ADD CONSTRAINT "billing_refunds_amounts_nonnegative"
  CHECK ("amountMinor" >= 0 AND "withdrawnMinor" >= 0 AND "reinstatedMinor" >= 0);
