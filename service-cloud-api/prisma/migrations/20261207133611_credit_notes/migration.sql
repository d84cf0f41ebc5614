-- CreateTable
CREATE TABLE "cloud_credit_note_sequences" (
    "tenantId" TEXT NOT NULL,
    "lastNumber" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "cloud_credit_note_sequences_pkey" PRIMARY KEY ("tenantId")
);

-- CreateTable
CREATE TABLE "cloud_credit_notes" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "invoiceId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "amountMinor" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "reason" TEXT,
    "status" TEXT NOT NULL,
    "issuedAt" TIMESTAMPTZ(3) NOT NULL,
    "reversedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cloud_credit_notes_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "cloud_credit_notes_reference_key" ON "cloud_credit_notes"("reference");

-- CreateIndex
CREATE INDEX "cloud_credit_notes_tenantId_userId_issuedAt_idx" ON "cloud_credit_notes"("tenantId", "userId", "issuedAt");

-- CreateIndex
CREATE INDEX "cloud_credit_notes_invoiceId_idx" ON "cloud_credit_notes"("invoiceId");

-- CreateIndex
CREATE UNIQUE INDEX "cloud_credit_notes_tenantId_number_key" ON "cloud_credit_notes"("tenantId", "number");

-- AddForeignKey
ALTER TABLE "cloud_credit_notes" ADD CONSTRAINT "cloud_credit_notes_invoiceId_fkey" FOREIGN KEY ("invoiceId") REFERENCES "cloud_invoices"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Hand-written below (Prisma cannot express these). The value rules are a trigger, not CHECK
-- constraints: the offline schema engine (@prisma/schema-engine-wasm) panics when it diffs a
-- database holding CHECK constraints.
CREATE OR REPLACE FUNCTION "cloud"."cloud_credit_notes_values"() RETURNS trigger AS $$
BEGIN
  IF NEW."kind" NOT IN ('refund', 'dispute') OR NEW."status" NOT IN ('issued', 'reversed')
     OR NEW."amountMinor" <= 0 OR NEW."number" <= 0 THEN
    RAISE EXCEPTION 'credit note % breaks its value rules', NEW."id" USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "cloud_credit_notes_values" BEFORE INSERT OR UPDATE ON "cloud_credit_notes"
  FOR EACH ROW EXECUTE FUNCTION "cloud"."cloud_credit_notes_values"();

-- A credit note is a legal document like an invoice: once issued, nothing of it changes and it is
-- never deleted. The one move allowed: a dispute's note becomes `reversed` (once, with its time)
-- when the dispute is won and Stripe reinstates the money.
CREATE OR REPLACE FUNCTION "cloud"."cloud_credit_notes_immutable"() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'credit note % is issued and cannot be deleted', OLD."id" USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF (
       NEW."id", NEW."tenantId", NEW."userId", NEW."invoiceId", NEW."number", NEW."kind", NEW."reference",
       NEW."amountMinor", NEW."currency", NEW."reason", NEW."issuedAt", NEW."createdAt"
     ) IS DISTINCT FROM (
       OLD."id", OLD."tenantId", OLD."userId", OLD."invoiceId", OLD."number", OLD."kind", OLD."reference",
       OLD."amountMinor", OLD."currency", OLD."reason", OLD."issuedAt", OLD."createdAt"
     ) THEN
    RAISE EXCEPTION 'credit note % is immutable', OLD."id" USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF (NEW."status", NEW."reversedAt") IS DISTINCT FROM (OLD."status", OLD."reversedAt") AND NOT (
       OLD."kind" = 'dispute' AND OLD."status" = 'issued' AND NEW."status" = 'reversed' AND NEW."reversedAt" IS NOT NULL
     ) THEN
    RAISE EXCEPTION 'credit note % can only be reversed once, and only for a won dispute', OLD."id"
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "cloud_credit_notes_immutable" BEFORE UPDATE OR DELETE ON "cloud_credit_notes"
  FOR EACH ROW EXECUTE FUNCTION "cloud"."cloud_credit_notes_immutable"();
