import { AppError } from "@atlas/errors";
import type { Deps } from "../../ports.ts";
import { recordAudit } from "../audit/audit.service.ts";
import type { RequestContext } from "../login/request-context.ts";
import { revokeSessionTx } from "./session.service.ts";

/** What "log out everywhere" ended. */
export interface LogoutEverywhereResult {
  sessions: number;
  trustedDevices: number;
  /** null when PATs were not asked for. */
  pats: number | null;
}

/**
 * Logs a user out everywhere (api.md "Logout everywhere"): every session with its refresh family,
 * every trusted device (else a thief's trusted browser would skip the second factor at its next
 * login), and every PAT when `includePats` is set. One transaction, one `logout_all` audit row
 * with the counts.
 */
export async function logoutEverywhere(
  deps: Pick<Deps, "prisma" | "now">,
  input: { userId: string; tenantId: string; includePats: boolean; context: RequestContext },
): Promise<LogoutEverywhereResult> {
  const now = deps.now();
  const { userId } = input;
  return deps.prisma.$transaction(async (tx) => {
    const sessions = await tx.session.findMany({ where: { userId, revokedAt: null }, select: { id: true } });
    for (const s of sessions) await revokeSessionTx(tx, s.id, "logout_all", now);
    const devices = await tx.trustedDevice.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: now } });
    const pats = input.includePats
      ? (await tx.personalAccessToken.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: now } }))
          .count
      : null;
    const result = { sessions: sessions.length, trustedDevices: devices.count, pats };
    await recordAudit(
      tx,
      { eventType: "logout_all", tenantId: input.tenantId, userId, context: input.context, details: { ...result } },
      now,
    );
    return result;
  });
}

/** The caller of a session operation: the session's user, in its tenant. */
interface SessionOwner {
  userId: string;
  tenantId: string;
  context: RequestContext;
}

/**
 * Revokes one of the user's live sessions (its refresh family dies with it) and audits
 * `session_revoked`, in one transaction; 404 NOT_FOUND when the user has no such live session.
 */
export async function revokeOwnSession(
  deps: Pick<Deps, "prisma" | "now">,
  input: SessionOwner & { sessionId: string },
): Promise<void> {
  const now = deps.now();
  const { sessionId: id, userId } = input;
  await deps.prisma.$transaction(async (tx) => {
    const owned = await tx.session.findFirst({ where: { id, userId, revokedAt: null } });
    if (!owned) throw new AppError("NOT_FOUND", { detail: "No such session" });
    await revokeSessionTx(tx, id, "revoked_by_user", now);
    await recordAudit(
      tx,
      {
        eventType: "session_revoked",
        tenantId: input.tenantId,
        userId,
        context: input.context,
        details: { sessionId: id },
      },
      now,
    );
  });
}

/** Ends the current session and its refresh family and audits `logout`, in one transaction. */
export async function logout(
  deps: Pick<Deps, "prisma" | "now">,
  input: SessionOwner & { sessionId: string },
): Promise<void> {
  const now = deps.now();
  await deps.prisma.$transaction(async (tx) => {
    await revokeSessionTx(tx, input.sessionId, "logout", now);
    await recordAudit(
      tx,
      {
        eventType: "logout",
        tenantId: input.tenantId,
        userId: input.userId,
        context: input.context,
        details: { sessionId: input.sessionId },
      },
      now,
    );
  });
}
