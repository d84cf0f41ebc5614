// Managing one's passkeys: list, rename, remove (own credentials only).
import { AppError } from "@atlas/errors";
import type { WebAuthnCredential } from "../../../../generated/prisma/client.ts";
import type { Deps } from "../../../ports.ts";
import { recordAudit } from "../../audit/audit.service.ts";
import type { RequestContext } from "../../login/request-context.ts";

/** What the client sees of a stored passkey (never the public key or the counter). */
export interface PasskeySummary {
  id: string;
  friendlyName: string | null;
  deviceType: string | null;
  backedUp: boolean;
  createdAt: string;
  lastUsedAt: string | null;
  transports: string[];
}

export const toPasskeySummary = (c: WebAuthnCredential): PasskeySummary => ({
  id: c.id,
  friendlyName: c.friendlyName,
  deviceType: c.deviceType,
  backedUp: c.backedUp,
  createdAt: c.createdAt.toISOString(),
  lastUsedAt: c.lastUsedAt?.toISOString() ?? null,
  transports: c.transports,
});

/** The caller's passkeys, oldest first. */
export async function listPasskeys(deps: Deps, userId: string): Promise<PasskeySummary[]> {
  const rows = await deps.prisma.webAuthnCredential.findMany({ where: { userId }, orderBy: { createdAt: "asc" } });
  return rows.map(toPasskeySummary);
}

/** Renames one of the caller's passkeys; another user's is 404 NOT_FOUND. */
export async function renamePasskey(
  deps: Deps,
  input: { userId: string; id: string; friendlyName: string },
): Promise<PasskeySummary> {
  const [updated] = await deps.prisma.webAuthnCredential.updateManyAndReturn({
    where: { id: input.id, userId: input.userId },
    data: { friendlyName: input.friendlyName },
  });
  if (!updated) throw new AppError("NOT_FOUND", { detail: "No such passkey" });
  return toPasskeySummary(updated);
}

/**
 * Removes one of the caller's passkeys (another user's is 404 NOT_FOUND), as long as another way to
 * log in remains (else 409 CONFLICT) — the rule `DELETE /auth/identities/{id}` applies too.
 */
export async function deletePasskey(
  deps: Deps,
  input: { tenantId: string; userId: string; id: string; context: RequestContext },
): Promise<void> {
  const now = deps.now();
  await deps.prisma.$transaction(async (tx) => {
    // Lock the user's identities (as unlinking does) and passkeys, so parallel removals of the
    // last two ways to log in are serialised and the second one sees the first.
    await tx.$queryRaw`SELECT id FROM "auth"."auth_identities" WHERE "userId" = ${input.userId} FOR UPDATE`;
    await tx.$queryRaw`SELECT id FROM "auth"."auth_webauthn_credentials" WHERE "userId" = ${input.userId} FOR UPDATE`;
    const passkey = await tx.webAuthnCredential.findFirst({ where: { id: input.id, userId: input.userId } });
    if (!passkey) throw new AppError("NOT_FOUND", { detail: "No such passkey" });
    const identities = await tx.identity.count({ where: { userId: input.userId } });
    const others = await tx.webAuthnCredential.count({ where: { userId: input.userId, id: { not: input.id } } });
    if (identities + others === 0) {
      throw new AppError("CONFLICT", { detail: "This is your last way to log in; add another before removing it" });
    }
    await tx.webAuthnCredential.delete({ where: { id: passkey.id } });
    await recordAudit(
      tx,
      {
        eventType: "passkey_removed",
        tenantId: input.tenantId,
        userId: input.userId,
        context: input.context,
        details: { passkeyId: passkey.id, friendlyName: passkey.friendlyName },
      },
      now,
    );
  });
}
