-- CreateTable
CREATE TABLE "auth_device_authorizations" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "deviceCodeHash" TEXT NOT NULL,
    "userCodeHash" TEXT NOT NULL,
    "clientName" TEXT NOT NULL,
    "hostname" TEXT,
    "scopes" TEXT[],
    "status" TEXT NOT NULL DEFAULT 'pending',
    "requestIp" TEXT NOT NULL,
    "requestGeo" TEXT,
    "requestUserAgent" TEXT,
    "interval" INTEGER NOT NULL,
    "lastPolledAt" TIMESTAMPTZ(3),
    "userId" TEXT,
    "patId" TEXT,
    "decidedAt" TIMESTAMPTZ(3),
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "auth_device_authorizations_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "auth_device_authorizations_deviceCodeHash_key" ON "auth_device_authorizations"("deviceCodeHash");

-- CreateIndex
CREATE UNIQUE INDEX "auth_device_authorizations_userCodeHash_key" ON "auth_device_authorizations"("userCodeHash");

-- CreateIndex
CREATE INDEX "auth_device_authorizations_expiresAt_idx" ON "auth_device_authorizations"("expiresAt");

-- AddForeignKey
ALTER TABLE "auth_device_authorizations" ADD CONSTRAINT "auth_device_authorizations_userId_fkey" FOREIGN KEY ("userId") REFERENCES "auth_users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
