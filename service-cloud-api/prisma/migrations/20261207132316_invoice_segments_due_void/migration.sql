-- AlterTable
ALTER TABLE "cloud_billing_periods" ADD COLUMN     "scheduledEnd" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "cloud_invoices" ADD COLUMN     "dueAt" TIMESTAMPTZ(3),
ADD COLUMN     "voidReason" TEXT,
ADD COLUMN     "voidedAt" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "cloud_billing_period_segments" (
    "id" TEXT NOT NULL,
    "periodId" TEXT NOT NULL,
    "planId" TEXT NOT NULL,
    "collection" TEXT NOT NULL,
    "startsAt" TIMESTAMPTZ(3) NOT NULL,
    "endsAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cloud_billing_period_segments_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "cloud_billing_period_segments_periodId_startsAt_key" ON "cloud_billing_period_segments"("periodId", "startsAt");

-- AddForeignKey
ALTER TABLE "cloud_billing_period_segments" ADD CONSTRAINT "cloud_billing_period_segments_periodId_fkey" FOREIGN KEY ("periodId") REFERENCES "cloud_billing_periods"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written below (data migration and trigger: Prisma cannot express them).

-- Periods not invoiced yet get their one segment: the plan the period row carries, from its start.
INSERT INTO "cloud"."cloud_billing_period_segments" ("id", "periodId", "planId", "collection", "startsAt", "endsAt", "createdAt")
SELECT gen_random_uuid()::text, p."id", p."planId", p."collection", p."periodStart", NULL, CURRENT_TIMESTAMP
  FROM "cloud"."cloud_billing_periods" p WHERE p."invoiceId" IS NULL;

-- Issued invoices are due INVOICE_DUE_DAYS (default 14) after finalization; set before the trigger
-- below makes "dueAt" immutable.
UPDATE "cloud"."cloud_invoices" SET "dueAt" = "finalizedAt" + interval '14 days'
 WHERE "finalizedAt" IS NOT NULL AND "dueAt" IS NULL;

-- The immutability trigger, with "dueAt" frozen too, and exactly one way to void: a finalized or
-- failed invoice (never paid, never a draft) moves to 'void', setting "voidedAt"/"voidReason" in
-- that same update; a void invoice never changes again.
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
       NEW."currency", NEW."subtotalMinor", NEW."totalMinor", NEW."amountDueMinor", NEW."finalizedAt", NEW."dueAt"
     ) IS DISTINCT FROM (
       OLD."tenantId", OLD."userId", OLD."number", OLD."periodStart", OLD."periodEnd", OLD."planId",
       OLD."currency", OLD."subtotalMinor", OLD."totalMinor", OLD."amountDueMinor", OLD."finalizedAt", OLD."dueAt"
     ) THEN
    RAISE EXCEPTION 'invoice % is finalized and immutable', OLD."id" USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF OLD."status" <> 'draft' AND NEW."status" = 'draft' THEN
    RAISE EXCEPTION 'invoice % cannot return to draft', OLD."id" USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF OLD."status" = 'void' THEN
    IF ROW(NEW.*) IS DISTINCT FROM ROW(OLD.*) THEN
      RAISE EXCEPTION 'invoice % is void and cannot change', OLD."id" USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
  END IF;
  IF NEW."status" = 'void' THEN
    IF OLD."status" NOT IN ('finalized', 'failed') THEN
      RAISE EXCEPTION 'invoice % is % and cannot be voided', OLD."id", OLD."status" USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW."voidedAt" IS NULL THEN
      RAISE EXCEPTION 'a void invoice needs voidedAt' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
  ELSIF (NEW."voidedAt", NEW."voidReason") IS DISTINCT FROM (OLD."voidedAt", OLD."voidReason") THEN
    RAISE EXCEPTION 'voidedAt and voidReason are set only when voiding' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
