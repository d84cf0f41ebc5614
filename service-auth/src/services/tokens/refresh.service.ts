// Refresh-token rotation (POST /auth/token/refresh): the service's hottest write path. Sessions
// and their first token pair are opened by session.service.ts.
import { AppError } from "@atlas/errors";
import type { Deps } from "../../ports.ts";
import { recordAudit } from "../audit/audit.service.ts";
import { USER_SCOPES } from "../jwt.service.ts";
import type { RequestContext } from "../login/request-context.ts";
import { sha256Hex } from "../platform/crypto.ts";
import { secretContext, type TokenResponse } from "./session.service.ts";

/** The presented token with everything a rotation needs, read (and locked) in one query. */
interface LockedToken {
  id: string;
  familyId: string;
  usedAt: Date | null;
  revokedAt: Date | null;
  expiresAt: Date;
  familyRevokedAt: Date | null;
  sessionId: string;
  sessionRevokedAt: Date | null;
  sessionExpiresAt: Date;
  amr: string[];
  tenantId: string;
  userId: string;
  email: string | null;
  phone: string | null;
  displayName: string | null;
  roles: string[];
  deletedAt: Date | null;
  jwtAudience: string;
  /** The tenant's `isActive`: a deactivated tenant's refresh tokens do not rotate. */
  tenantActive: boolean;
}

/**
 * One statement, one round trip, for the common case: lock the presented token (joined with its
 * family, session, user and tenant), and — only if it is unused and everything is live — mark
 * it used, insert its one successor and touch the session. Under READ COMMITTED a concurrent
 * refresh of the same token waits on the row lock and then sees the committed `usedAt`, so it
 * rotates nothing and falls through to the grace-window check. `rotated` tells which happened.
 */
const ROTATE_SQL = `
  WITH cur AS (
    SELECT t.id, t."familyId", t."usedAt", t."revokedAt", t."expiresAt",
           f."revokedAt" AS "familyRevokedAt",
           s.id AS "sessionId", s."revokedAt" AS "sessionRevokedAt", s."expiresAt" AS "sessionExpiresAt", s.amr, s."tenantId",
           u.id AS "userId", u.email, u.phone, u."displayName", u.roles, u."deletedAt",
           tn."jwtAudience", tn."isActive" AS "tenantActive"
    FROM "auth"."auth_refresh_tokens" t
    JOIN "auth"."auth_refresh_token_families" f ON f.id = t."familyId"
    JOIN "auth"."auth_sessions" s ON s.id = f."sessionId"
    JOIN "auth"."auth_users" u ON u.id = s."userId"
    JOIN "auth"."auth_tenants" tn ON tn.id = u."tenantId"
    WHERE t."tokenHash" = $1
    FOR UPDATE OF t
  ), used AS (
    UPDATE "auth"."auth_refresh_tokens" rt
    SET "usedAt" = $2, "graceSecretCiphertext" = NULL, "graceKekId" = NULL
    FROM cur
    WHERE rt.id = cur.id AND cur."tenantId" = $8 AND cur."usedAt" IS NULL AND cur."revokedAt" IS NULL AND cur."familyRevokedAt" IS NULL
      AND cur."sessionRevokedAt" IS NULL AND cur."deletedAt" IS NULL AND cur."tenantActive"
      AND cur."expiresAt" > $2 AND cur."sessionExpiresAt" > $2
    RETURNING rt.id
  ), successor AS (
    INSERT INTO "auth"."auth_refresh_tokens"
      (id, "familyId", "parentId", "tokenHash", "createdAt", "expiresAt", "graceSecretCiphertext", "graceKekId")
    SELECT $3, cur."familyId", cur.id, $4, $2, LEAST($5::timestamptz, cur."sessionExpiresAt"), $6, $7
    FROM cur JOIN used ON used.id = cur.id
    RETURNING "expiresAt"
  ), touched AS (
    UPDATE "auth"."auth_sessions" SET "lastSeenAt" = $2
    FROM cur, successor WHERE "auth"."auth_sessions".id = cur."sessionId"
  )
  SELECT cur.*, EXISTS (SELECT 1 FROM successor) AS rotated FROM cur`;

// Answers whether this statement revoked the session: of concurrent reuses of one token, the
// first revokes; the others wait on the session's row lock, find it revoked, and change nothing.
const REVOKE_SESSION_SQL = `
  WITH s AS (
    UPDATE "auth"."auth_sessions" SET "revokedAt" = $2, "revokedReason" = $3 WHERE id = $1 AND "revokedAt" IS NULL
    RETURNING id
  ), f AS (
    UPDATE "auth"."auth_refresh_token_families" SET "revokedAt" = $2, "revokedReason" = $3
    WHERE "sessionId" = $1 AND "revokedAt" IS NULL RETURNING id
  ), t AS (
    UPDATE "auth"."auth_refresh_tokens" SET "revokedAt" = $2, "graceSecretCiphertext" = NULL, "graceKekId" = NULL
    WHERE "familyId" IN (SELECT id FROM "auth"."auth_refresh_token_families" WHERE "sessionId" = $1) AND "revokedAt" IS NULL
  )
  SELECT EXISTS (SELECT 1 FROM s) AS revoked`;

type RefreshOutcome = { kind: "rotated"; secret: string; token: LockedToken } | { kind: "reuse"; token: LockedToken };

async function rotate(
  deps: Deps,
  presented: string,
  tenantId: string,
  now: Date,
  graceMs: number,
  context: RequestContext,
): Promise<RefreshOutcome> {
  // The successor is prepared up front; it is only inserted if the token really rotates.
  const id = deps.random.uuid();
  const secret = deps.random.token(32);
  // Kept encrypted only so concurrent refreshes of this token get this same successor.
  const sealed = deps.keyRing.encrypt(secret, secretContext(id));
  const maxExpiry = new Date(now.getTime() + deps.config.REFRESH_TOKEN_TTL_SEC * 1000);
  const [token] = await deps.database.query<LockedToken & { rotated: boolean }>(ROTATE_SQL, [
    sha256Hex(presented),
    now,
    id,
    sha256Hex(secret),
    maxExpiry,
    sealed.ciphertext,
    sealed.kekId,
    tenantId,
  ]);
  if (!token) throw new AppError("INVALID_TOKEN", { detail: "Unknown refresh token" });
  if (token.rotated) return { kind: "rotated", secret, token };
  // Another tenant's token changes nothing (the SQL above did not rotate it).
  if (token.tenantId !== tenantId) throw new AppError("INVALID_TOKEN", { detail: "Token is for another tenant" });
  // Checked on the row, not only by the tenant middleware: its cache may still hold the tenant.
  if (!token.tenantActive) throw new AppError("FORBIDDEN", { detail: "This tenant is inactive" });
  if (token.familyRevokedAt || token.sessionRevokedAt || token.revokedAt || token.deletedAt) {
    throw new AppError("INVALID_TOKEN", { detail: "Refresh token revoked" });
  }
  if (token.expiresAt <= now || token.sessionExpiresAt <= now) {
    throw new AppError("EXPIRED_TOKEN", { detail: "Refresh token expired" });
  }
  if (!token.usedAt) throw new AppError("INVALID_TOKEN", { detail: "Refresh token could not be rotated" });

  if (now.getTime() - token.usedAt.getTime() <= graceMs) {
    const [successor] = await deps.database.query<{
      id: string;
      usedAt: Date | null;
      revokedAt: Date | null;
      graceSecretCiphertext: string | null;
      graceKekId: string | null;
    }>(
      `SELECT id, "usedAt", "revokedAt", "graceSecretCiphertext", "graceKekId"
       FROM "auth"."auth_refresh_tokens" WHERE "parentId" = $1`,
      [token.id],
    );
    if (
      successor &&
      !successor.usedAt &&
      !successor.revokedAt &&
      successor.graceSecretCiphertext &&
      successor.graceKekId
    ) {
      const same = deps.keyRing.decrypt(
        successor.graceSecretCiphertext,
        successor.graceKekId,
        secretContext(successor.id),
      );
      return { kind: "rotated", secret: same.toString(), token };
    }
    // The successor already moved on: refuse, but this is no evidence of theft.
    throw new AppError("INVALID_TOKEN", { detail: "Refresh token already rotated" });
  }

  // Used after the grace window: reuse. Revocation is monotonic, so doing it in its own
  // transaction (after the detecting read) cannot undo anything a concurrent request did.
  await deps.database.transaction(async (q) => {
    const [result] = await q.query<{ revoked: boolean }>(REVOKE_SESSION_SQL, [token.sessionId, now, "reuse_detected"]);
    // Audited once per detected reuse, not once per concurrent request presenting the token.
    if (!result?.revoked) return;
    await recordAudit(
      q,
      {
        eventType: "refresh_token_reuse",
        tenantId: token.tenantId,
        userId: token.userId,
        context,
        details: { sessionId: token.sessionId, familyId: token.familyId, tokenId: token.id },
      },
      now,
    );
  });
  return { kind: "reuse", token };
}

/**
 * Rotates a refresh token. Ordered checks, under a row lock on the presented token so that
 * concurrent refreshes of one token run one after another:
 *  1. known token, live family and session, not expired;
 *  2. unused → mark used, issue one successor;
 *  3. used within the grace window → hand out that same successor (several tabs refreshing at
 *     once all get a working pair; never two live successors);
 *  4. used after the grace window → reuse: revoke the family and its session, audit, 401.
 * This is the hottest write path of the service: the common case is one SQL statement.
 */
export async function refreshSession(
  deps: Deps,
  presented: string,
  tenantId: string,
  context: RequestContext,
): Promise<TokenResponse> {
  const now = deps.now();
  const graceMs = deps.config.REFRESH_GRACE_SEC * 1000;
  const outcome = await rotate(deps, presented, tenantId, now, graceMs, context);
  const t = outcome.token;
  if (outcome.kind === "reuse") {
    deps.logger.warn({ sessionId: t.sessionId }, "refresh token reuse: family and session revoked");
    throw new AppError("INVALID_TOKEN", { detail: "Refresh token reuse detected; the session was revoked" });
  }
  const access = await deps.jwt.sign(
    {
      userId: t.userId,
      sessionId: t.sessionId,
      tenantId: t.tenantId,
      audience: t.jwtAudience,
      amr: t.amr,
      scopes: USER_SCOPES,
      roles: t.roles,
    },
    now,
  );
  return {
    accessToken: access.token,
    refreshToken: outcome.secret,
    tokenType: "Bearer",
    expiresIn: access.expiresIn,
    user: {
      id: t.userId,
      tenantId: t.tenantId,
      email: t.email,
      phone: t.phone,
      displayName: t.displayName,
      roles: t.roles,
    },
  };
}
