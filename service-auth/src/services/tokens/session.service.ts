import type { Prisma, Session, User } from "../../../generated/prisma/client.ts";
import type { Deps } from "../../ports.ts";
import { recordAudit } from "../audit/audit.service.ts";
import { USER_SCOPES } from "../jwt.service.ts";
import type { RequestContext } from "../login/request-context.ts";
import { sha256Hex } from "../platform/crypto.ts";

/** The body every token-issuing endpoint answers (api.md). */
export interface TokenResponse {
  accessToken: string;
  refreshToken: string;
  tokenType: "Bearer";
  expiresIn: number;
  user: PublicUser;
}

export interface PublicUser {
  id: string;
  tenantId: string;
  email: string | null;
  phone: string | null;
  displayName: string | null;
  roles: string[];
}

export const publicUser = (u: User): PublicUser => ({
  id: u.id,
  tenantId: u.tenantId,
  email: u.email,
  phone: u.phone,
  displayName: u.displayName,
  roles: u.roles,
});

type Tx = Prisma.TransactionClient;
/** The encryption context of a refresh token's sealed copy (kept for the grace window). */
export const secretContext = (tokenId: string) => `refresh-token:${tokenId}`;

async function insertRefreshToken(
  deps: Deps,
  tx: Tx,
  familyId: string,
  parentId: string | null,
  expiresAt: Date,
  now: Date,
): Promise<string> {
  const secret = deps.random.token(32);
  const id = deps.random.uuid();
  // Kept encrypted only so concurrent refreshes of the parent can be handed this same token.
  const sealed = parentId ? deps.keyRing.encrypt(secret, secretContext(id)) : null;
  await tx.refreshToken.create({
    data: {
      id,
      familyId,
      parentId,
      tokenHash: sha256Hex(secret),
      createdAt: now,
      expiresAt,
      graceSecretCiphertext: sealed?.ciphertext ?? null,
      graceKekId: sealed?.kekId ?? null,
    },
  });
  return secret;
}

async function accessTokenFor(deps: Deps, session: Session & { user: User }, audience: string, now: Date) {
  return deps.jwt.sign(
    {
      userId: session.userId,
      sessionId: session.id,
      tenantId: session.tenantId,
      audience,
      amr: session.amr,
      scopes: USER_SCOPES,
      roles: session.user.roles,
    },
    now,
  );
}

/**
 * Opens a session for a user who just proved `amr`, with one refresh-token family, and
 * returns the first token pair. Every login method ends here.
 */
export async function createSession(
  deps: Deps,
  input: { user: User; audience: string; amr: string[]; context: RequestContext; mfaVerified?: boolean },
): Promise<TokenResponse & { sessionId: string }> {
  const now = deps.now();
  const { config } = deps;
  const sessionExpires = new Date(now.getTime() + config.SESSION_MAX_AGE_DAYS * 86_400_000);
  const refreshExpires = new Date(
    Math.min(now.getTime() + config.REFRESH_TOKEN_TTL_SEC * 1000, sessionExpires.getTime()),
  );
  const { session, refreshToken } = await deps.prisma.$transaction(async (tx) => {
    const session = await tx.session.create({
      data: {
        tenantId: input.user.tenantId,
        userId: input.user.id,
        amr: input.amr,
        ipAddress: input.context.ipAddress,
        userAgent: input.context.userAgent,
        deviceHash: input.context.deviceHash,
        createdAt: now,
        lastSeenAt: now,
        mfaVerifiedAt: input.mfaVerified ? now : null,
        expiresAt: sessionExpires,
      },
    });
    const family = await tx.refreshTokenFamily.create({ data: { sessionId: session.id, createdAt: now } });
    const refreshToken = await insertRefreshToken(deps, tx, family.id, null, refreshExpires, now);
    await recordAudit(
      tx,
      {
        eventType: "login_success",
        tenantId: input.user.tenantId,
        userId: input.user.id,
        context: input.context,
        details: {
          amr: input.amr,
          sessionId: session.id,
          // Coordinates of this login (for the next one's impossible-travel check); never the IP.
          ...(input.context.geo?.latitude != null && input.context.geo.longitude != null
            ? { geo: { lat: input.context.geo.latitude, lon: input.context.geo.longitude } }
            : {}),
        },
      },
      now,
    );
    return { session, refreshToken };
  });
  const access = await accessTokenFor(deps, { ...session, user: input.user }, input.audience, now);
  return {
    sessionId: session.id,
    accessToken: access.token,
    refreshToken,
    tokenType: "Bearer",
    expiresIn: access.expiresIn,
    user: publicUser(input.user),
  };
}

/**
 * After a step-up on a live session: the session records the verification time and the factors
 * (`amr`), and a fresh access token carries them. The refresh family is unchanged.
 */
export async function stepUpSession(
  deps: Deps,
  input: { sessionId: string; amr: string[]; audience: string },
): Promise<Omit<TokenResponse, "refreshToken">> {
  const now = deps.now();
  const session = await deps.prisma.session.update({
    where: { id: input.sessionId },
    data: { mfaVerifiedAt: now, amr: input.amr },
    include: { user: true },
  });
  const access = await accessTokenFor(deps, session, input.audience, now);
  return {
    accessToken: access.token,
    tokenType: "Bearer",
    expiresIn: access.expiresIn,
    user: publicUser(session.user),
  };
}

/** Revokes a session, its refresh family and every token in it (in the caller's transaction). */
export async function revokeSessionTx(tx: Tx, sessionId: string, reason: string, now: Date): Promise<boolean> {
  const { count } = await tx.session.updateMany({
    where: { id: sessionId, revokedAt: null },
    data: { revokedAt: now, revokedReason: reason },
  });
  await tx.refreshTokenFamily.updateMany({
    where: { sessionId, revokedAt: null },
    data: { revokedAt: now, revokedReason: reason },
  });
  await tx.refreshToken.updateMany({
    where: { family: { sessionId }, revokedAt: null },
    data: { revokedAt: now, graceSecretCiphertext: null, graceKekId: null },
  });
  return count > 0;
}

/** Whether a session can still be used (not revoked, not expired, user not deleted). */
export async function isSessionActive(deps: Pick<Deps, "prisma">, sessionId: string, now: Date): Promise<boolean> {
  const s = await deps.prisma.session.findUnique({
    where: { id: sessionId },
    select: { revokedAt: true, expiresAt: true, user: { select: { deletedAt: true } } },
  });
  return !!s && !s.revokedAt && s.expiresAt > now && !s.user.deletedAt;
}
