-- AlterTable
ALTER TABLE "auth_refresh_tokens" ADD COLUMN     "graceKekId" TEXT,
ADD COLUMN     "graceSecretCiphertext" TEXT;
