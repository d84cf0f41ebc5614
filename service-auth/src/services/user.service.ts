import type { Deps } from "../deps.ts";
import type { User } from "../generated/prisma/client.ts";

/** A proven address: an e-mail (magic link) or a phone number (SMS code). */
export type ProvenAddress = { kind: "email"; value: string } | { kind: "phone"; value: string };

/**
 * The user a proven e-mail or phone number logs in: found by it (and marked verified) or created
 * on first login, with its identity recorded (`lastUsedAt` now). One transaction.
 */
export async function userForProvenAddress(
  deps: Pick<Deps, "prisma">,
  tenantId: string,
  address: ProvenAddress,
  now: Date,
): Promise<User> {
  const provider = address.kind === "email" ? "email" : "sms";
  return deps.prisma.$transaction(async (tx) => {
    const found =
      address.kind === "email"
        ? await tx.user.findUnique({ where: { tenantId_email: { tenantId, email: address.value } } })
        : await tx.user.findUnique({ where: { tenantId_phone: { tenantId, phone: address.value } } });
    const verified = address.kind === "email" ? { emailVerifiedAt: now } : { phoneVerifiedAt: now };
    const alreadyVerified = address.kind === "email" ? found?.emailVerifiedAt : found?.phoneVerifiedAt;
    const user = found
      ? alreadyVerified
        ? found
        : await tx.user.update({ where: { id: found.id }, data: verified })
      : await tx.user.create({ data: { tenantId, [address.kind]: address.value, ...verified } });
    await tx.identity.upsert({
      where: { tenantId_provider_subject: { tenantId, provider, subject: address.value } },
      update: { lastUsedAt: now },
      create: { tenantId, userId: user.id, provider, subject: address.value, createdAt: now, lastUsedAt: now },
    });
    return user;
  });
}
