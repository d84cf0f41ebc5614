import { AppError } from "@atlas/errors";
import type { Deps } from "../deps.ts";
import type { Prisma, Session, User } from "../generated/prisma/client.ts";
import { recordAudit } from "./audit.service.ts";
import { randomToken, sha256Hex } from "./crypto.ts";
import { USER_SCOPES } from "./jwt.service.ts";
import type { RequestContext } from "./request-context.ts";

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
const secretContext = (tokenId: string) => `refresh-token:${tokenId}`;

async function insertRefreshToken(
  deps: Deps,
  tx: Tx,
  familyId: string,
  parentId: string | null,
  expiresAt: Date,
  now: Date,
): Promise<string> {
  const secret = randomToken(32);
  const id = crypto.randomUUID();
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
        details: { amr: input.amr, sessionId: session.id },
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

type RefreshOutcome =
  | { kind: "rotated"; secret: string; session: Session & { user: User }; audience: string }
  | { kind: "reuse"; session: Session };

interface LockedToken {
  id: string;
  familyId: string;
  usedAt: Date | null;
  revokedAt: Date | null;
  expiresAt: Date;
}

/**
 * Rotates a refresh token. Ordered checks, under a row lock on the presented token so that
 * concurrent refreshes of one token run one after another:
 *  1. known token, live family and session, not expired;
 *  2. unused → mark used, issue one successor;
 *  3. used within the grace window → hand out that same successor (several tabs refreshing at
 *     once all get a working pair; never two live successors);
 *  4. used after the grace window → reuse: revoke the family and its session, audit, 401.
 */
export async function refreshSession(deps: Deps, presented: string, context: RequestContext): Promise<TokenResponse> {
  const now = deps.now();
  const graceMs = deps.config.REFRESH_GRACE_SEC * 1000;
  const outcome = await deps.prisma.$transaction(async (tx): Promise<RefreshOutcome> => {
    const [token] = await tx.$queryRaw<LockedToken[]>`
      SELECT id, "familyId", "usedAt", "revokedAt", "expiresAt" FROM "auth"."auth_refresh_tokens"
      WHERE "tokenHash" = ${sha256Hex(presented)} FOR UPDATE`;
    if (!token) throw new AppError("INVALID_TOKEN", { detail: "Unknown refresh token" });
    const family = await tx.refreshTokenFamily.findUniqueOrThrow({
      where: { id: token.familyId },
      include: { session: { include: { user: { include: { tenant: true } } } } },
    });
    const { session } = family;
    if (family.revokedAt || session.revokedAt || token.revokedAt || session.user.deletedAt) {
      throw new AppError("INVALID_TOKEN", { detail: "Refresh token revoked" });
    }
    if (token.expiresAt <= now || session.expiresAt <= now) {
      throw new AppError("EXPIRED_TOKEN", { detail: "Refresh token expired" });
    }
    const audience = session.user.tenant.jwtAudience;

    if (token.usedAt === null) {
      await tx.refreshToken.update({
        where: { id: token.id },
        data: { usedAt: now, graceSecretCiphertext: null, graceKekId: null },
      });
      const expiresAt = new Date(
        Math.min(now.getTime() + deps.config.REFRESH_TOKEN_TTL_SEC * 1000, session.expiresAt.getTime()),
      );
      const secret = await insertRefreshToken(deps, tx, family.id, token.id, expiresAt, now);
      await tx.session.update({ where: { id: session.id }, data: { lastSeenAt: now } });
      return { kind: "rotated", secret, session, audience };
    }

    if (now.getTime() - token.usedAt.getTime() <= graceMs) {
      const successor = await tx.refreshToken.findUnique({ where: { parentId: token.id } });
      if (
        successor &&
        !successor.usedAt &&
        !successor.revokedAt &&
        successor.graceSecretCiphertext &&
        successor.graceKekId
      ) {
        const secret = deps.keyRing
          .decrypt(successor.graceSecretCiphertext, successor.graceKekId, secretContext(successor.id))
          .toString();
        return { kind: "rotated", secret, session, audience };
      }
      // The successor already moved on: refuse, but this is no evidence of theft.
      throw new AppError("INVALID_TOKEN", { detail: "Refresh token already rotated" });
    }

    await revokeSessionTx(tx, session.id, "reuse_detected", now);
    await recordAudit(
      tx,
      {
        eventType: "refresh_token_reuse",
        tenantId: session.tenantId,
        userId: session.userId,
        context,
        details: { sessionId: session.id, familyId: family.id, tokenId: token.id },
      },
      now,
    );
    return { kind: "reuse", session };
  });

  if (outcome.kind === "reuse") {
    deps.logger.warn({ sessionId: outcome.session.id }, "refresh token reuse: family and session revoked");
    throw new AppError("INVALID_TOKEN", { detail: "Refresh token reuse detected; the session was revoked" });
  }
  const access = await accessTokenFor(deps, outcome.session, outcome.audience, now);
  return {
    accessToken: access.token,
    refreshToken: outcome.secret,
    tokenType: "Bearer",
    expiresIn: access.expiresIn,
    user: publicUser(outcome.session.user),
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
