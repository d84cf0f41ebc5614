import { AppError } from "@atlas/errors";
import type { Prisma } from "../../../generated/prisma/client.ts";
import type { Deps, RandomSource } from "../../ports.ts";
import { recordAudit } from "../audit/audit.service.ts";
import type { RequestContext } from "../login/request-context.ts";
import { hashLowEntropySecret, verifyLowEntropySecret } from "../platform/password-hash.ts";
import { matchTotpStep, newTotpSecret, otpauthUrl } from "./totp.ts";

export const BACKUP_CODE_COUNT = 10;
// Crockford base32: no I, L, O, U, so codes read aloud and typed back without ambiguity.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** `XXXXX-XXXXX`: 50 random bits, easy to read aloud. */
function newBackupCode(random: RandomSource): string {
  let s = "";
  for (let i = 0; i < 10; i++) s += ALPHABET[random.int(0, ALPHABET.length)];
  return `${s.slice(0, 5)}-${s.slice(5)}`;
}

/** The canonical form of a typed backup code: upper case, no separators, I/L→1, O→0. */
export function normaliseBackupCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, "").replaceAll("I", "1").replaceAll("L", "1").replaceAll("O", "0");
}

const secretContext = (userId: string) => `totp:${userId}`;

type Tx = Prisma.TransactionClient;

/**
 * Starts TOTP enrolment: a new secret, encrypted under the current KEK (bound to the user) and
 * not enabled until a valid code proves the app has it. Re-running replaces a pending secret;
 * an enabled TOTP must be disabled first (409).
 */
export async function setupTotp(
  deps: Pick<Deps, "prisma" | "keyRing" | "now">,
  input: { userId: string; issuer: string; label: string },
): Promise<{ secret: string; otpauthUrl: string; qrCodeDataUrl: string }> {
  const existing = await deps.prisma.mFASettings.findUnique({ where: { userId: input.userId } });
  if (existing?.totpEnabled) throw new AppError("CONFLICT", { detail: "TOTP is already enabled; disable it first" });
  const secret = newTotpSecret();
  const sealed = deps.keyRing.encrypt(Buffer.from(secret.bytes), secretContext(input.userId));
  const data = { totpSecret: sealed.ciphertext, totpSecretKekId: sealed.kekId, totpLastUsedStep: null };
  await deps.prisma.mFASettings.upsert({
    where: { userId: input.userId },
    update: data,
    create: { userId: input.userId, ...data },
  });
  const url = otpauthUrl({ secret: secret.bytes, issuer: input.issuer, label: input.label });
  return {
    secret: secret.base32,
    otpauthUrl: url,
    qrCodeDataUrl: await (await import("qrcode")).default.toDataURL(url),
  };
}

/**
 * Checks a TOTP code against the user's secret (pending or enabled) and records its time step
 * atomically: a code (or an older one) that was accepted once is never accepted again.
 */
export async function consumeTotp(
  deps: Pick<Deps, "prisma" | "keyRing" | "now">,
  userId: string,
  code: string,
  db: Tx | Deps["prisma"] = deps.prisma,
): Promise<boolean> {
  const settings = await db.mFASettings.findUnique({ where: { userId } });
  if (!settings?.totpSecret || !settings.totpSecretKekId) return false;
  const key = deps.keyRing.decrypt(settings.totpSecret, settings.totpSecretKekId, secretContext(userId));
  const step = matchTotpStep(new Uint8Array(key), code, deps.now().getTime());
  if (step === null) return false;
  const claimed = await db.$executeRaw`
    UPDATE "auth"."auth_mfa_settings" SET "totpLastUsedStep" = ${BigInt(step)}
    WHERE "userId" = ${userId} AND ("totpLastUsedStep" IS NULL OR "totpLastUsedStep" < ${BigInt(step)})`;
  return claimed === 1;
}

/** Replaces the user's backup codes with a fresh set of 10 (argon2id hashes); returns them once. */
export async function replaceBackupCodes(tx: Tx, random: RandomSource, userId: string, now: Date): Promise<string[]> {
  const codes = Array.from({ length: BACKUP_CODE_COUNT }, () => newBackupCode(random));
  const hashes = await Promise.all(codes.map((c) => hashLowEntropySecret(normaliseBackupCode(c))));
  const setId = random.uuid();
  await tx.backupCode.deleteMany({ where: { userId } });
  await tx.backupCode.createMany({ data: hashes.map((codeHash) => ({ userId, setId, codeHash, createdAt: now })) });
  return codes;
}

/**
 * Enables TOTP once a code from the app matches the pending secret; returns the first set of
 * backup codes. The current session counts as MFA-verified (the user just proved the factor).
 */
export async function enableTotp(
  deps: Pick<Deps, "prisma" | "keyRing" | "now" | "random">,
  input: { userId: string; tenantId: string; sessionId: string | null; code: string; context: RequestContext },
): Promise<string[]> {
  const now = deps.now();
  const settings = await deps.prisma.mFASettings.findUnique({ where: { userId: input.userId } });
  if (!settings?.totpSecret) throw new AppError("CONFLICT", { detail: "Start TOTP setup first" });
  if (settings.totpEnabled) throw new AppError("CONFLICT", { detail: "TOTP is already enabled" });
  if (!(await consumeTotp(deps, input.userId, input.code))) {
    await recordAudit(
      deps.prisma,
      {
        eventType: "mfa_failure",
        tenantId: input.tenantId,
        userId: input.userId,
        context: input.context,
        details: { factor: "totp", step: "enable" },
      },
      now,
    );
    throw new AppError("INVALID_CREDENTIALS", { detail: "The code does not match; check the app's clock and retry" });
  }
  return deps.prisma.$transaction(async (tx) => {
    await tx.mFASettings.update({ where: { userId: input.userId }, data: { totpEnabled: true, totpEnabledAt: now } });
    if (input.sessionId) await tx.session.update({ where: { id: input.sessionId }, data: { mfaVerifiedAt: now } });
    const codes = await replaceBackupCodes(tx, deps.random, input.userId, now);
    await recordAudit(
      tx,
      { eventType: "totp_enabled", tenantId: input.tenantId, userId: input.userId, context: input.context },
      now,
    );
    return codes;
  });
}

/**
 * Disables TOTP (the route requires recent MFA; the body's code must be valid too): the secret,
 * backup codes and trusted devices go.
 */
export async function disableTotp(
  deps: Pick<Deps, "prisma" | "keyRing" | "now">,
  input: { userId: string; tenantId: string; code: string; context: RequestContext },
): Promise<void> {
  const now = deps.now();
  if (!(await consumeTotp(deps, input.userId, input.code))) {
    throw new AppError("INVALID_CREDENTIALS", { detail: "The code does not match" });
  }
  await deps.prisma.$transaction(async (tx) => {
    await tx.mFASettings.update({
      where: { userId: input.userId },
      data: {
        totpEnabled: false,
        totpEnabledAt: null,
        totpSecret: null,
        totpSecretKekId: null,
        totpLastUsedStep: null,
      },
    });
    await tx.backupCode.deleteMany({ where: { userId: input.userId } });
    await tx.trustedDevice.updateMany({
      where: { userId: input.userId, revokedAt: null },
      data: { revokedAt: now },
    });
    await recordAudit(
      tx,
      { eventType: "totp_disabled", tenantId: input.tenantId, userId: input.userId, context: input.context },
      now,
    );
  });
}

/**
 * Uses a backup code: each unused code of the user is compared (argon2id, constant time); the
 * matching one is marked used atomically, so a code works exactly once even in parallel.
 * Returns how many remain, or null when no code matched.
 */
export async function consumeBackupCode(
  deps: Pick<Deps, "prisma" | "now">,
  userId: string,
  code: string,
): Promise<number | null> {
  const typed = normaliseBackupCode(code);
  const unused = await deps.prisma.backupCode.findMany({ where: { userId, usedAt: null } });
  for (const candidate of unused) {
    if (await verifyLowEntropySecret(candidate.codeHash, typed)) {
      const { count } = await deps.prisma.backupCode.updateMany({
        where: { id: candidate.id, usedAt: null },
        data: { usedAt: deps.now() },
      });
      if (count !== 1) return null;
      return deps.prisma.backupCode.count({ where: { userId, usedAt: null } });
    }
  }
  return null;
}

/** Re-rolls the backup codes (the route requires recent MFA). */
export async function regenerateBackupCodes(
  deps: Pick<Deps, "prisma" | "now" | "random">,
  input: { userId: string; tenantId: string; context: RequestContext },
): Promise<string[]> {
  const now = deps.now();
  const settings = await deps.prisma.mFASettings.findUnique({ where: { userId: input.userId } });
  if (!settings?.totpEnabled) throw new AppError("CONFLICT", { detail: "Enable TOTP before backup codes" });
  return deps.prisma.$transaction(async (tx) => {
    const codes = await replaceBackupCodes(tx, deps.random, input.userId, now);
    await recordAudit(
      tx,
      { eventType: "backup_codes_regenerated", tenantId: input.tenantId, userId: input.userId, context: input.context },
      now,
    );
    return codes;
  });
}

/** Re-encrypts TOTP secrets left under an older KEK with the current one (KEK rotation). */
export async function rewrapTotpSecrets(deps: Pick<Deps, "prisma" | "keyRing">): Promise<number> {
  const rows = await deps.prisma.mFASettings.findMany({
    where: { totpSecret: { not: null }, totpSecretKekId: { not: deps.keyRing.currentId } },
  });
  for (const row of rows) {
    const plain = deps.keyRing.decrypt(
      row.totpSecret as string,
      row.totpSecretKekId as string,
      secretContext(row.userId),
    );
    const sealed = deps.keyRing.encrypt(plain, secretContext(row.userId));
    await deps.prisma.mFASettings.updateMany({
      where: { id: row.id, totpSecretKekId: row.totpSecretKekId },
      data: { totpSecret: sealed.ciphertext, totpSecretKekId: sealed.kekId },
    });
  }
  return rows.length;
}
