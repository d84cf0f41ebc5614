-- Data migration, written by hand (Prisma cannot express it; no schema change). From this version
-- an e-mail address or phone number logs in only through an identity: there is no fallback to a
-- user's primary "email"/"phone" column any more (issue 18 §2).

-- 1. A primary address without an identity on an account that has unlinked an identity of that
--    kind is most likely the unlinked address that the old fallback still let in: clear it (fail
--    closed; the user can link it again).
UPDATE "auth_users" AS u SET "email" = NULL, "emailVerifiedAt" = NULL
WHERE u."email" IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM "auth_identities" AS i
                  WHERE i."tenantId" = u."tenantId" AND i."provider" = 'email' AND i."subject" = u."email")
  AND EXISTS (SELECT 1 FROM "auth_audit_logs" AS a
              WHERE a."userId" = u."id" AND a."eventType" = 'identity_unlinked' AND a."details"->>'provider' = 'email');

UPDATE "auth_users" AS u SET "phone" = NULL, "phoneVerifiedAt" = NULL
WHERE u."phone" IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM "auth_identities" AS i
                  WHERE i."tenantId" = u."tenantId" AND i."provider" = 'sms' AND i."subject" = u."phone")
  AND EXISTS (SELECT 1 FROM "auth_audit_logs" AS a
              WHERE a."userId" = u."id" AND a."eventType" = 'identity_unlinked' AND a."details"->>'provider' = 'sms');

-- 2. Every other primary address that logged in through the fallback (an OAuth-proven e-mail, an
--    address given to `admin grant`) keeps logging in, now as an identity the user sees and can unlink.
INSERT INTO "auth_identities" ("id", "tenantId", "userId", "provider", "subject", "createdAt")
SELECT gen_random_uuid()::text, u."tenantId", u."id", 'email', u."email", COALESCE(u."emailVerifiedAt", u."createdAt")
FROM "auth_users" AS u
WHERE u."email" IS NOT NULL AND u."deletedAt" IS NULL
ON CONFLICT ("tenantId", "provider", "subject") DO NOTHING;

INSERT INTO "auth_identities" ("id", "tenantId", "userId", "provider", "subject", "createdAt")
SELECT gen_random_uuid()::text, u."tenantId", u."id", 'sms', u."phone", COALESCE(u."phoneVerifiedAt", u."createdAt")
FROM "auth_users" AS u
WHERE u."phone" IS NOT NULL AND u."deletedAt" IS NULL
ON CONFLICT ("tenantId", "provider", "subject") DO NOTHING;
