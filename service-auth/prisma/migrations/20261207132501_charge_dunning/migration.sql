-- AlterTable
ALTER TABLE "billing"."billing_charges" ADD COLUMN     "errorCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "lastError" TEXT;

-- CreateTable
CREATE TABLE "billing"."billing_invoice_payment_intents" (
    "id" TEXT NOT NULL,
    "invoiceId" TEXT NOT NULL,
    "stripePaymentIntentId" TEXT,
    "startedAt" TIMESTAMPTZ(3) NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "billing_invoice_payment_intents_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "billing"."billing_dunning_notices" (
    "id" TEXT NOT NULL,
    "chargeId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "claimedAt" TIMESTAMPTZ(3) NOT NULL,
    "sentAt" TIMESTAMPTZ(3),

    CONSTRAINT "billing_dunning_notices_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "billing_invoice_payment_intents_invoiceId_key" ON "billing"."billing_invoice_payment_intents"("invoiceId");

-- CreateIndex
CREATE UNIQUE INDEX "billing_invoice_payment_intents_stripePaymentIntentId_key" ON "billing"."billing_invoice_payment_intents"("stripePaymentIntentId");

-- CreateIndex
CREATE UNIQUE INDEX "billing_dunning_notices_chargeId_kind_key" ON "billing"."billing_dunning_notices"("chargeId", "kind");
