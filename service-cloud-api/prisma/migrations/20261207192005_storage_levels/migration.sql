-- CreateTable
CREATE TABLE "cloud_storage_levels" (
    "tenantId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "hourStart" TIMESTAMPTZ(3) NOT NULL,
    "peakBytes" BIGINT NOT NULL,
    "endBytes" BIGINT NOT NULL,

    CONSTRAINT "cloud_storage_levels_pkey" PRIMARY KEY ("tenantId","userId","hourStart")
);

-- Customers already storing bytes: their current level, from the hour it was last accrued.
INSERT INTO "cloud"."cloud_storage_levels" ("tenantId", "userId", "hourStart", "peakBytes", "endBytes")
SELECT "tenantId", "userId", date_trunc('hour', "accruedAt" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', "bytes", "bytes"
  FROM "cloud"."cloud_storage_usage" WHERE "bytes" > 0;
