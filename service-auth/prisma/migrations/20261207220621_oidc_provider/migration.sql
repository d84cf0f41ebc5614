-- AlterTable
ALTER TABLE "auth_tenants" ADD COLUMN     "brand" JSONB NOT NULL DEFAULT '{}';

-- CreateTable
CREATE TABLE "auth_oidc_payloads" (
    "tenantId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "grantId" TEXT,
    "userCode" TEXT,
    "uid" TEXT,
    "expiresAt" TIMESTAMPTZ(3),
    "consumedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "auth_oidc_payloads_pkey" PRIMARY KEY ("tenantId","kind","id")
);

-- CreateTable
CREATE TABLE "auth_oidc_clients" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "redirectUris" TEXT[],
    "postLogoutRedirectUris" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "allowedScopes" TEXT[],
    "firstParty" BOOLEAN NOT NULL DEFAULT false,
    "tokenEndpointAuthMethod" TEXT NOT NULL,
    "jwks" JSONB,
    "logoUri" TEXT,
    "secretHash" TEXT,
    "previousSecretHash" TEXT,
    "previousSecretExpiresAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "auth_oidc_clients_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "auth_oidc_consents" (
    "userId" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "scopes" TEXT[],
    "grantedAt" TIMESTAMPTZ(3) NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "auth_oidc_consents_pkey" PRIMARY KEY ("userId","clientId")
);

-- CreateIndex
CREATE INDEX "auth_oidc_payloads_tenantId_grantId_idx" ON "auth_oidc_payloads"("tenantId", "grantId");

-- CreateIndex
CREATE INDEX "auth_oidc_payloads_tenantId_kind_uid_idx" ON "auth_oidc_payloads"("tenantId", "kind", "uid");

-- CreateIndex
CREATE INDEX "auth_oidc_payloads_expiresAt_idx" ON "auth_oidc_payloads"("expiresAt");

-- CreateIndex
CREATE INDEX "auth_oidc_clients_tenantId_createdAt_id_idx" ON "auth_oidc_clients"("tenantId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "auth_oidc_consents_clientId_idx" ON "auth_oidc_consents"("clientId");
