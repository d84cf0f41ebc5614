// Consent users gave OpenID clients (auth_oidc_consents), and "Connected apps": the clients a user
// consented to, and revoking one (its consent, grants, codes and refresh tokens).
import { AppError } from "@atlas/errors";
import type { Prisma } from "../../../generated/prisma/client.ts";
import type { Deps } from "../../ports.ts";
import { recordAudit } from "../audit/audit.service.ts";
import type { RequestContext } from "../login/request-context.ts";

/** The scopes the user consented to for the client (empty when none). */
export async function consentedScopes(deps: Pick<Deps, "prisma">, userId: string, clientId: string) {
  const row = await deps.prisma.oidcConsent.findUnique({ where: { userId_clientId: { userId, clientId } } });
  return new Set(row?.scopes ?? []);
}

/** Adds `scopes` to the user's consent for the client (a later request for a subset skips the page). */
export async function rememberConsent(
  tx: Prisma.TransactionClient,
  consent: { userId: string; clientId: string; tenantId: string; scopes: string[] },
  now: Date,
): Promise<void> {
  const existing = await tx.oidcConsent.findUnique({
    where: { userId_clientId: { userId: consent.userId, clientId: consent.clientId } },
  });
  const scopes = [...new Set([...(existing?.scopes ?? []), ...consent.scopes])].sort();
  await tx.oidcConsent.upsert({
    where: { userId_clientId: { userId: consent.userId, clientId: consent.clientId } },
    create: { ...consent, scopes, grantedAt: now, updatedAt: now },
    update: { scopes, updatedAt: now },
  });
}

export interface ConnectedApp {
  clientId: string;
  name: string;
  logoUri: string | null;
  scopes: string[];
  grantedAt: string;
}

/** The clients the user consented to, newest first. */
export async function listConnectedApps(deps: Pick<Deps, "prisma">, userId: string): Promise<ConnectedApp[]> {
  const consents = await deps.prisma.oidcConsent.findMany({ where: { userId }, orderBy: { grantedAt: "desc" } });
  const clients = await deps.prisma.oidcClient.findMany({ where: { id: { in: consents.map((c) => c.clientId) } } });
  const byId = new Map(clients.map((c) => [c.id, c]));
  return consents.flatMap((c) => {
    const client = byId.get(c.clientId);
    if (!client) return [];
    return [
      {
        clientId: c.clientId,
        name: client.name,
        logoUri: client.logoUri,
        scopes: c.scopes,
        grantedAt: c.grantedAt.toISOString(),
      },
    ];
  });
}

/**
 * Forgets the consent and deletes every grant, code and refresh token the client holds for the
 * user (its JWT access tokens expire on their own). 404 when the user has no consent or grant
 * for it. Audited `oidc_consent_revoked`.
 */
export async function revokeConnectedApp(
  deps: Pick<Deps, "prisma" | "now">,
  user: { userId: string; tenantId: string },
  clientId: string,
  context: RequestContext,
): Promise<void> {
  const now = deps.now();
  await deps.prisma.$transaction(async (tx) => {
    const { count } = await tx.oidcConsent.deleteMany({ where: { userId: user.userId, clientId } });
    const artefacts = await tx.$executeRaw`DELETE FROM "auth"."auth_oidc_payloads"
      WHERE "tenantId" = ${user.tenantId} AND payload->>'accountId' = ${user.userId}
        AND payload->>'clientId' = ${clientId}`;
    if (count === 0 && artefacts === 0) throw new AppError("NOT_FOUND", { detail: "No such connected app" });
    await recordAudit(
      tx,
      {
        eventType: "oidc_consent_revoked",
        tenantId: user.tenantId,
        userId: user.userId,
        context,
        details: { clientId },
      },
      now,
    );
  });
}
