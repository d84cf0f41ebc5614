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
