-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "auth";

-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "billing";

-- CreateTable
CREATE TABLE "auth_tenants" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "allowedOrigins" JSONB NOT NULL,
    "allowedMethods" JSONB NOT NULL,
    "jwtAudience" TEXT NOT NULL,
    "webhookUrl" TEXT,
    "isActive" BOOLEAN NOT NULL DEFAULT true,
    "settings" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "auth_tenants_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "auth_users" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "email" TEXT,
    "emailVerifiedAt" TIMESTAMPTZ(3),
    "phone" TEXT,
    "phoneVerifiedAt" TIMESTAMPTZ(3),
    "displayName" TEXT,
    "roles" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "deletedAt" TIMESTAMPTZ(3),

    CONSTRAINT "auth_users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "auth_identities" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "chainFamily" TEXT,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMPTZ(3),

    CONSTRAINT "auth_identities_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "auth_sessions" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "amr" TEXT[],
    "ipAddress" TEXT,
    "userAgent" TEXT,
    "deviceHash" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "mfaVerifiedAt" TIMESTAMPTZ(3),
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "revokedAt" TIMESTAMPTZ(3),
    "revokedReason" TEXT,

    CONSTRAINT "auth_sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "auth_refresh_token_families" (
    "id" TEXT NOT NULL,
    "sessionId" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMPTZ(3),
    "revokedReason" TEXT,

    CONSTRAINT "auth_refresh_token_families_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "auth_refresh_tokens" (
    "id" TEXT NOT NULL,
    "familyId" TEXT NOT NULL,
    "parentId" TEXT,
    "tokenHash" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "usedAt" TIMESTAMPTZ(3),
    "revokedAt" TIMESTAMPTZ(3),

    CONSTRAINT "auth_refresh_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "auth_personal_access_tokens" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "displayPrefix" TEXT NOT NULL,
    "scopes" TEXT[],
    "expiresAt" TIMESTAMPTZ(3),
    "lastUsedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMPTZ(3),

    CONSTRAINT "auth_personal_access_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "auth_signing_keys" (
    "id" TEXT NOT NULL,
    "kid" TEXT NOT NULL,
    "alg" TEXT NOT NULL,
    "publicJwk" JSONB NOT NULL,
    "privateKeyCiphertext" BYTEA NOT NULL,
    "kekId" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "activatesAt" TIMESTAMPTZ(3) NOT NULL,
    "retiredAt" TIMESTAMPTZ(3),
    "unpublishAt" TIMESTAMPTZ(3),

    CONSTRAINT "auth_signing_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "auth_challenges" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "challengeHash" TEXT NOT NULL,
    "userId" TEXT,
    "data" JSONB NOT NULL DEFAULT '{}',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "consumedAt" TIMESTAMPTZ(3),

    CONSTRAINT "auth_challenges_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "auth_magic_links" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "redirectTo" TEXT,
    "ipAddress" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "consumedAt" TIMESTAMPTZ(3),

    CONSTRAINT "auth_magic_links_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "auth_otp_codes" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "phone" TEXT NOT NULL,
    "codeHash" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL DEFAULT 5,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "consumedAt" TIMESTAMPTZ(3),

    CONSTRAINT "auth_otp_codes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "auth_webauthn_credentials" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "credentialIdBase64" TEXT NOT NULL,
    "publicKey" BYTEA NOT NULL,
    "counter" BIGINT NOT NULL DEFAULT 0,
    "deviceType" TEXT,
    "friendlyName" TEXT,
    "transports" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "backedUp" BOOLEAN NOT NULL DEFAULT false,
    "aaguid" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMPTZ(3),

    CONSTRAINT "auth_webauthn_credentials_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "auth_mfa_settings" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "totpEnabled" BOOLEAN NOT NULL DEFAULT false,
    "totpSecret" TEXT,
    "totpSecretKekId" TEXT,
    "totpEnabledAt" TIMESTAMPTZ(3),
    "totpLastUsedStep" BIGINT,
    "backupCodes" TEXT,
    "trustedDevices" TEXT,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "auth_mfa_settings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "auth_backup_codes" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "setId" TEXT NOT NULL,
    "codeHash" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "usedAt" TIMESTAMPTZ(3),

    CONSTRAINT "auth_backup_codes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "auth_trusted_devices" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "deviceHash" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "label" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMPTZ(3),
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "revokedAt" TIMESTAMPTZ(3),

    CONSTRAINT "auth_trusted_devices_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "auth_audit_logs" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT,
    "userId" TEXT,
    "eventType" TEXT NOT NULL,
    "ipAddress" TEXT NOT NULL,
    "geoLocation" TEXT,
    "deviceHash" TEXT,
    "riskScore" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "userAgent" TEXT,
    "details" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "auth_audit_logs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "auth_lockout_states" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "lastFailureAt" TIMESTAMPTZ(3),
    "blockedUntil" TIMESTAMPTZ(3),
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "auth_lockout_states_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "auth_idempotency_keys" (
    "id" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "requestHash" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "responseStatus" INTEGER,
    "responseBody" JSONB,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMPTZ(3),
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "auth_idempotency_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "billing"."billing_plans" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'usd',
    "monthlyPriceMinor" INTEGER NOT NULL,
    "includedUsage" JSONB NOT NULL,
    "overagePrices" JSONB NOT NULL,
    "limits" JSONB NOT NULL,
    "stripePriceId" TEXT,
    "isActive" BOOLEAN NOT NULL DEFAULT true,
    "sortOrder" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "billing_plans_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "billing"."billing_profiles" (
    "id" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "stripeCustomerId" TEXT,
    "preferredProvider" TEXT NOT NULL DEFAULT 'stripe',
    "cryptoEnabled" BOOLEAN NOT NULL DEFAULT false,
    "billingAddress" JSONB,
    "connectedAccountId" TEXT,
    "defaultPaymentMethodId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "billing_profiles_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "billing"."billing_connected_accounts" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "stripeAccountId" TEXT NOT NULL,
    "chargesEnabled" BOOLEAN NOT NULL DEFAULT false,
    "payoutsEnabled" BOOLEAN NOT NULL DEFAULT false,
    "detailsSubmitted" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "billing_connected_accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "billing"."billing_payment_methods" (
    "id" TEXT NOT NULL,
    "billingProfileId" TEXT NOT NULL,
    "stripePaymentMethodId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "brand" TEXT,
    "last4" TEXT,
    "expMonth" INTEGER,
    "expYear" INTEGER,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "detachedAt" TIMESTAMPTZ(3),

    CONSTRAINT "billing_payment_methods_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "billing"."billing_subscriptions" (
    "id" TEXT NOT NULL,
    "billingProfileId" TEXT NOT NULL,
    "planId" TEXT NOT NULL,
    "stripeSubscriptionId" TEXT,
    "status" TEXT NOT NULL,
    "currentPeriodStart" TIMESTAMPTZ(3) NOT NULL,
    "currentPeriodEnd" TIMESTAMPTZ(3) NOT NULL,
    "cancelAtPeriodEnd" BOOLEAN NOT NULL DEFAULT false,
    "canceledAt" TIMESTAMPTZ(3),
    "stripeEventCreatedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "billing_subscriptions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "billing"."billing_charges" (
    "id" TEXT NOT NULL,
    "invoiceId" TEXT NOT NULL,
    "billingProfileId" TEXT NOT NULL,
    "amountMinor" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "stripePaymentIntentId" TEXT,
    "status" TEXT NOT NULL,
    "failureCode" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "billing_charges_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "billing"."billing_crypto_payments" (
    "id" TEXT NOT NULL,
    "invoiceId" TEXT NOT NULL,
    "billingProfileId" TEXT NOT NULL,
    "chainId" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "tokenAddress" TEXT,
    "recipient" TEXT NOT NULL,
    "amountBaseUnits" TEXT NOT NULL,
    "relayQuoteId" TEXT,
    "txHash" TEXT,
    "status" TEXT NOT NULL,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "confirmedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "billing_crypto_payments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "billing"."billing_processed_webhook_events" (
    "id" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "eventType" TEXT NOT NULL,
    "eventCreatedAt" TIMESTAMPTZ(3) NOT NULL,
    "processedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "billing_processed_webhook_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "billing"."billing_events" (
    "id" TEXT NOT NULL,
    "eventType" TEXT NOT NULL,
    "sourceService" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "processed" BOOLEAN NOT NULL DEFAULT false,
    "processedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "dedupeKey" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "availableAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastError" TEXT,
    "parkedAt" TIMESTAMPTZ(3),

    CONSTRAINT "billing_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "auth_tenants_slug_key" ON "auth_tenants"("slug");

-- CreateIndex
CREATE INDEX "auth_users_tenantId_createdAt_idx" ON "auth_users"("tenantId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "auth_users_tenantId_email_key" ON "auth_users"("tenantId", "email");

-- CreateIndex
CREATE UNIQUE INDEX "auth_users_tenantId_phone_key" ON "auth_users"("tenantId", "phone");

-- CreateIndex
CREATE INDEX "auth_identities_userId_idx" ON "auth_identities"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "auth_identities_tenantId_provider_subject_key" ON "auth_identities"("tenantId", "provider", "subject");

-- CreateIndex
CREATE INDEX "auth_sessions_userId_revokedAt_idx" ON "auth_sessions"("userId", "revokedAt");

-- CreateIndex
CREATE UNIQUE INDEX "auth_refresh_token_families_sessionId_key" ON "auth_refresh_token_families"("sessionId");

-- CreateIndex
CREATE UNIQUE INDEX "auth_refresh_tokens_parentId_key" ON "auth_refresh_tokens"("parentId");

-- CreateIndex
CREATE UNIQUE INDEX "auth_refresh_tokens_tokenHash_key" ON "auth_refresh_tokens"("tokenHash");

-- CreateIndex
CREATE INDEX "auth_refresh_tokens_familyId_idx" ON "auth_refresh_tokens"("familyId");

-- CreateIndex
CREATE UNIQUE INDEX "auth_personal_access_tokens_tokenHash_key" ON "auth_personal_access_tokens"("tokenHash");

-- CreateIndex
CREATE INDEX "auth_personal_access_tokens_userId_revokedAt_idx" ON "auth_personal_access_tokens"("userId", "revokedAt");

-- CreateIndex
CREATE UNIQUE INDEX "auth_signing_keys_kid_key" ON "auth_signing_keys"("kid");

-- CreateIndex
CREATE INDEX "auth_signing_keys_activatesAt_idx" ON "auth_signing_keys"("activatesAt");

-- CreateIndex
CREATE UNIQUE INDEX "auth_challenges_challengeHash_key" ON "auth_challenges"("challengeHash");

-- CreateIndex
CREATE INDEX "auth_challenges_expiresAt_idx" ON "auth_challenges"("expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "auth_magic_links_tokenHash_key" ON "auth_magic_links"("tokenHash");

-- CreateIndex
CREATE INDEX "auth_magic_links_tenantId_email_idx" ON "auth_magic_links"("tenantId", "email");

-- CreateIndex
CREATE INDEX "auth_otp_codes_tenantId_phone_createdAt_idx" ON "auth_otp_codes"("tenantId", "phone", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "auth_webauthn_credentials_credentialIdBase64_key" ON "auth_webauthn_credentials"("credentialIdBase64");

-- CreateIndex
CREATE INDEX "auth_webauthn_credentials_userId_idx" ON "auth_webauthn_credentials"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "auth_mfa_settings_userId_key" ON "auth_mfa_settings"("userId");

-- CreateIndex
CREATE INDEX "auth_backup_codes_userId_usedAt_idx" ON "auth_backup_codes"("userId", "usedAt");

-- CreateIndex
CREATE UNIQUE INDEX "auth_trusted_devices_tokenHash_key" ON "auth_trusted_devices"("tokenHash");

-- CreateIndex
CREATE INDEX "auth_trusted_devices_userId_revokedAt_idx" ON "auth_trusted_devices"("userId", "revokedAt");

-- CreateIndex
CREATE INDEX "auth_audit_logs_userId_createdAt_idx" ON "auth_audit_logs"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "auth_audit_logs_tenantId_eventType_createdAt_idx" ON "auth_audit_logs"("tenantId", "eventType", "createdAt");

-- CreateIndex
CREATE INDEX "auth_audit_logs_createdAt_idx" ON "auth_audit_logs"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "auth_lockout_states_tenantId_key_key" ON "auth_lockout_states"("tenantId", "key");

-- CreateIndex
CREATE INDEX "auth_idempotency_keys_expiresAt_idx" ON "auth_idempotency_keys"("expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "auth_idempotency_keys_scope_method_path_key_key" ON "auth_idempotency_keys"("scope", "method", "path", "key");

-- CreateIndex
CREATE UNIQUE INDEX "billing_plans_stripePriceId_key" ON "billing"."billing_plans"("stripePriceId");

-- CreateIndex
CREATE UNIQUE INDEX "billing_profiles_customerId_key" ON "billing"."billing_profiles"("customerId");

-- CreateIndex
CREATE UNIQUE INDEX "billing_profiles_stripeCustomerId_key" ON "billing"."billing_profiles"("stripeCustomerId");

-- CreateIndex
CREATE UNIQUE INDEX "billing_connected_accounts_tenantId_key" ON "billing"."billing_connected_accounts"("tenantId");

-- CreateIndex
CREATE UNIQUE INDEX "billing_connected_accounts_stripeAccountId_key" ON "billing"."billing_connected_accounts"("stripeAccountId");

-- CreateIndex
CREATE UNIQUE INDEX "billing_payment_methods_stripePaymentMethodId_key" ON "billing"."billing_payment_methods"("stripePaymentMethodId");

-- CreateIndex
CREATE INDEX "billing_payment_methods_billingProfileId_idx" ON "billing"."billing_payment_methods"("billingProfileId");

-- CreateIndex
CREATE UNIQUE INDEX "billing_subscriptions_stripeSubscriptionId_key" ON "billing"."billing_subscriptions"("stripeSubscriptionId");

-- CreateIndex
CREATE INDEX "billing_subscriptions_billingProfileId_status_idx" ON "billing"."billing_subscriptions"("billingProfileId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "billing_charges_invoiceId_key" ON "billing"."billing_charges"("invoiceId");

-- CreateIndex
CREATE UNIQUE INDEX "billing_charges_stripePaymentIntentId_key" ON "billing"."billing_charges"("stripePaymentIntentId");

-- CreateIndex
CREATE INDEX "billing_crypto_payments_invoiceId_idx" ON "billing"."billing_crypto_payments"("invoiceId");

-- CreateIndex
CREATE UNIQUE INDEX "billing_crypto_payments_chainId_txHash_key" ON "billing"."billing_crypto_payments"("chainId", "txHash");

-- CreateIndex
CREATE UNIQUE INDEX "billing_processed_webhook_events_provider_eventId_key" ON "billing"."billing_processed_webhook_events"("provider", "eventId");

-- CreateIndex
CREATE UNIQUE INDEX "billing_events_dedupeKey_key" ON "billing"."billing_events"("dedupeKey");

-- CreateIndex
CREATE INDEX "billing_events_processed_createdAt_idx" ON "billing"."billing_events"("processed", "createdAt");

-- CreateIndex
CREATE INDEX "billing_events_sourceService_processed_availableAt_idx" ON "billing"."billing_events"("sourceService", "processed", "availableAt");

-- AddForeignKey
ALTER TABLE "auth_users" ADD CONSTRAINT "auth_users_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "auth_tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "auth_identities" ADD CONSTRAINT "auth_identities_userId_fkey" FOREIGN KEY ("userId") REFERENCES "auth_users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "auth_sessions" ADD CONSTRAINT "auth_sessions_userId_fkey" FOREIGN KEY ("userId") REFERENCES "auth_users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "auth_refresh_token_families" ADD CONSTRAINT "auth_refresh_token_families_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "auth_sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "auth_refresh_tokens" ADD CONSTRAINT "auth_refresh_tokens_familyId_fkey" FOREIGN KEY ("familyId") REFERENCES "auth_refresh_token_families"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "auth_refresh_tokens" ADD CONSTRAINT "auth_refresh_tokens_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "auth_refresh_tokens"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "auth_personal_access_tokens" ADD CONSTRAINT "auth_personal_access_tokens_userId_fkey" FOREIGN KEY ("userId") REFERENCES "auth_users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "auth_webauthn_credentials" ADD CONSTRAINT "auth_webauthn_credentials_userId_fkey" FOREIGN KEY ("userId") REFERENCES "auth_users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "auth_mfa_settings" ADD CONSTRAINT "auth_mfa_settings_userId_fkey" FOREIGN KEY ("userId") REFERENCES "auth_users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "auth_backup_codes" ADD CONSTRAINT "auth_backup_codes_userId_fkey" FOREIGN KEY ("userId") REFERENCES "auth_users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "auth_trusted_devices" ADD CONSTRAINT "auth_trusted_devices_userId_fkey" FOREIGN KEY ("userId") REFERENCES "auth_users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "billing"."billing_payment_methods" ADD CONSTRAINT "billing_payment_methods_billingProfileId_fkey" FOREIGN KEY ("billingProfileId") REFERENCES "billing"."billing_profiles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "billing"."billing_subscriptions" ADD CONSTRAINT "billing_subscriptions_billingProfileId_fkey" FOREIGN KEY ("billingProfileId") REFERENCES "billing"."billing_profiles"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "billing"."billing_subscriptions" ADD CONSTRAINT "billing_subscriptions_planId_fkey" FOREIGN KEY ("planId") REFERENCES "billing"."billing_plans"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
