// Per-tenant webhook signing secrets: generated at tenant creation and at rotation, shown once,
// stored only as KEK ciphertext. During a rotation's grace period old and new secrets both sign.

import type { Prisma } from "../../../generated/prisma/client.ts";
import type { Deps, RandomSource } from "../../ports.ts";

export const WEBHOOK_SECRET_PREFIX = "whsec_";

type Tx = Prisma.TransactionClient;

const aad = (id: string) => `tenant-webhook-secret:${id}`;

/** A new secret: `whsec_` + 256 random bits (base64url). The HMAC key is this whole string. */
export function generateWebhookSecret(random: RandomSource): string {
  return `${WEBHOOK_SECRET_PREFIX}${random.token(32)}`;
}

/** Creates a tenant's first secret (inside the transaction creating the tenant); returns it in clear, once. */
export async function createWebhookSecret(
  tx: Tx,
  deps: Pick<Deps, "keyRing" | "random">,
  tenantId: string,
  now: Date,
): Promise<string> {
  const secret = generateWebhookSecret(deps.random);
  const id = deps.random.uuid();
  const sealed = deps.keyRing.encrypt(secret, aad(id));
  await tx.tenantWebhookSecret.create({
    data: { id, tenantId, secretCiphertext: sealed.ciphertext, kekId: sealed.kekId, createdAt: now },
  });
  return secret;
}

/**
 * Rotation: a new current secret; the previous live ones keep signing until `now + graceMs`
 * (unless they already expire sooner). Secrets whose grace period is over are deleted.
 */
export async function rotateWebhookSecret(
  tx: Tx,
  deps: Pick<Deps, "keyRing" | "random">,
  input: { tenantId: string; now: Date; graceMs: number },
): Promise<{ secret: string; previousSecretsExpireAt: Date }> {
  const { tenantId, now } = input;
  const previousSecretsExpireAt = new Date(now.getTime() + input.graceMs);
  await tx.tenantWebhookSecret.deleteMany({ where: { tenantId, expiresAt: { lte: now } } });
  await tx.tenantWebhookSecret.updateMany({
    where: { tenantId, OR: [{ expiresAt: null }, { expiresAt: { gt: previousSecretsExpireAt } }] },
    data: { expiresAt: previousSecretsExpireAt },
  });
  const secret = await createWebhookSecret(tx, deps, tenantId, now);
  return { secret, previousSecretsExpireAt };
}

/** The secrets that sign a tenant's webhooks now, newest first (more than one during a rotation). */
export async function signingSecrets(
  deps: Pick<Deps, "prisma" | "keyRing">,
  tenantId: string,
  now: Date,
): Promise<string[]> {
  const rows = await deps.prisma.tenantWebhookSecret.findMany({
    where: { tenantId, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
  return rows.map((r) => deps.keyRing.decrypt(r.secretCiphertext, r.kekId, aad(r.id)).toString("utf8"));
}

/** KEK rotation: re-encrypts secrets left under an older KEK with the current one (run at boot). */
export async function rewrapWebhookSecrets(deps: Pick<Deps, "prisma" | "keyRing">): Promise<number> {
  const stale = await deps.prisma.tenantWebhookSecret.findMany({ where: { kekId: { not: deps.keyRing.currentId } } });
  for (const row of stale) {
    const plain = deps.keyRing.decrypt(row.secretCiphertext, row.kekId, aad(row.id));
    const sealed = deps.keyRing.encrypt(plain, aad(row.id));
    await deps.prisma.tenantWebhookSecret.updateMany({
      where: { id: row.id, kekId: row.kekId },
      data: { secretCiphertext: sealed.ciphertext, kekId: sealed.kekId },
    });
  }
  return stale.length;
}
