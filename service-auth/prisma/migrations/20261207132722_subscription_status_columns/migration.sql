-- AlterTable
ALTER TABLE "billing"."billing_plans" ADD COLUMN     "trialDays" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "billing"."billing_subscriptions" ADD COLUMN     "dunningState" TEXT NOT NULL DEFAULT 'none',
ADD COLUMN     "stripeStatus" TEXT;

-- Data migration (hand-written: Prisma cannot express it). Until now one `status` column held
-- both Stripe's status and Atlas's dunning state; a local past_due/unpaid came from dunning while
-- Stripe still said active. Split it so that effectiveStatus(stripeStatus, dunningState) = status.
UPDATE "billing"."billing_subscriptions"
   SET "dunningState" = CASE WHEN "status" IN ('past_due', 'unpaid') THEN "status" ELSE 'none' END,
       "stripeStatus" = CASE
         WHEN "stripeSubscriptionId" IS NULL THEN NULL
         WHEN "status" IN ('past_due', 'unpaid') THEN 'active'
         ELSE "status"
       END;
