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

-- Hand-written: a fee is 0..100 % of a charge, and the money returned on a charge is never
-- negative. Enforced by triggers rather than CHECK constraints: the offline schema engine
-- (@prisma/schema-engine-wasm) panics when it diffs a database holding CHECK constraints, which
-- would break `db:migration:create` and the schema/migrations agreement test.
CREATE OR REPLACE FUNCTION "billing"."billing_connected_accounts_fee_range"() RETURNS trigger AS $$
BEGIN
  IF NEW."applicationFeeBps" < 0 OR NEW."applicationFeeBps" > 10000 THEN
    RAISE EXCEPTION 'applicationFeeBps % is outside 0..10000', NEW."applicationFeeBps" USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "billing_connected_accounts_fee_range" BEFORE INSERT OR UPDATE ON "billing"."billing_connected_accounts"
  FOR EACH ROW EXECUTE FUNCTION "billing"."billing_connected_accounts_fee_range"();

CREATE OR REPLACE FUNCTION "billing"."billing_refunds_amounts_nonnegative"() RETURNS trigger AS $$
BEGIN
  IF NEW."amountMinor" < 0 OR NEW."withdrawnMinor" < 0 OR NEW."reinstatedMinor" < 0 THEN
    RAISE EXCEPTION 'refund % has a negative amount', NEW."stripeId" USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "billing_refunds_amounts_nonnegative" BEFORE INSERT OR UPDATE ON "billing"."billing_refunds"
  FOR EACH ROW EXECUTE FUNCTION "billing"."billing_refunds_amounts_nonnegative"();
