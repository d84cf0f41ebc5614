import { AppError } from "@atlas/errors";
import { decodeJwt } from "jose";
import type { Deps } from "../../ports.ts";
import { recordAudit } from "../audit/audit.service.ts";
import type { RequestContext } from "../login/request-context.ts";
import { constantTimeEqual, sha256Hex } from "../platform/crypto.ts";
import { authenticatePat, PAT_PREFIX, parsePat } from "./pat.service.ts";
import { isSessionActive, revokeSessionTx } from "./session.service.ts";

/** RFC 7662 response. Inactive tokens say nothing else. */
export type IntrospectionResponse =
  | { active: false }
  | {
      active: true;
      token_type: "access_token" | "refresh_token" | "pat";
      sub: string;
      tid: string;
      scope?: string;
      exp?: number;
      iat?: number;
      nbf?: number;
      aud?: string;
      iss?: string;
      jti?: string;
      sid?: string;
      amr?: string[];
    };

const INACTIVE = { active: false } as const;
const looksLikeJwt = (t: string) => t.split(".").length === 3;

/**
 * Authenticates a service client from an HTTP Basic header against INTROSPECTION_CLIENTS.
 * Returns the client id, or null when no Basic credentials were sent.
 */
export function authenticateClient(deps: Pick<Deps, "config">, header: string | undefined): string | null {
  if (!header?.startsWith("Basic ")) return null;
  let decoded: string;
  try {
    decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
  } catch {
    decoded = "";
  }
  const i = decoded.indexOf(":");
  // RFC 6749 §2.3.1: client id and secret are form-urlencoded inside Basic credentials.
  const id = i > 0 ? safeDecode(decoded.slice(0, i)) : "";
  const secret = i > 0 ? safeDecode(decoded.slice(i + 1)) : "";
  const expected = deps.config.INTROSPECTION_CLIENTS.get(id);
  // Compare against something even for unknown ids, so timing does not reveal which ids exist.
  const ok = constantTimeEqual(sha256Hex(secret), sha256Hex(expected ?? "\0unknown-client"));
  if (!expected || !ok) {
    throw new AppError("INVALID_CREDENTIALS", {
      detail: "Invalid client credentials",
      headers: { "WWW-Authenticate": 'Basic realm="atlas"' },
    });
  }
  return id;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replaceAll("+", " "));
  } catch {
    return s;
  }
}

/**
 * RFC 7662: what a token is, for a resource server. Revoked sessions' access tokens are inactive,
 * and so is every token (PAT, access, refresh) of a deactivated tenant.
 */
export async function introspect(deps: Deps, token: string): Promise<IntrospectionResponse> {
  const now = deps.now();
  if (token.startsWith(PAT_PREFIX)) {
    const pat = await authenticatePat(deps, token);
    // A deactivated tenant's PATs are inactive (its users must not keep reaching resource servers).
    if (!pat || !(await deps.tenantCache.isActive(deps, pat.tenantId))) return INACTIVE;
    return {
      active: true,
      token_type: "pat",
      sub: pat.userId,
      tid: pat.tenantId,
      scope: pat.scopes.join(" "),
      iat: Math.floor(pat.createdAt.getTime() / 1000),
      ...(pat.expiresAt ? { exp: Math.floor(pat.expiresAt.getTime() / 1000) } : {}),
      jti: pat.id,
    };
  }
  if (looksLikeJwt(token)) {
    try {
      const c = await deps.jwt.verify(token, now);
      if (!(await isSessionActive(deps, c.sid, now))) return INACTIVE;
      if (!(await deps.tenantCache.isActive(deps, c.tid))) return INACTIVE;
      return {
        active: true,
        token_type: "access_token",
        sub: c.sub,
        tid: c.tid,
        scope: c.scope,
        exp: c.exp,
        iat: c.iat,
        nbf: c.nbf,
        aud: typeof c.aud === "string" ? c.aud : undefined,
        iss: c.iss,
        jti: c.jti,
        sid: c.sid,
        amr: c.amr,
      };
    } catch {
      return INACTIVE;
    }
  }
  const rt = await deps.prisma.refreshToken.findUnique({
    where: { tokenHash: sha256Hex(token) },
    include: { family: { include: { session: true } } },
  });
  if (!rt || rt.usedAt || rt.revokedAt || rt.expiresAt <= now || rt.family.revokedAt) return INACTIVE;
  const session = rt.family.session;
  if (!(await isSessionActive(deps, session.id, now))) return INACTIVE;
  if (!(await deps.tenantCache.isActive(deps, session.tenantId))) return INACTIVE;
  return {
    active: true,
    token_type: "refresh_token",
    sub: session.userId,
    tid: session.tenantId,
    exp: Math.floor(rt.expiresAt.getTime() / 1000),
    sid: session.id,
  };
}

/**
 * RFC 7009 revocation. A service client may revoke any token; a user only their own. Revoking
 * an access or refresh token ends its session (and so the whole refresh family); revoking a PAT
 * ends that PAT. Unknown or foreign tokens change nothing and still answer 200.
 */
export async function revokeToken(
  deps: Deps,
  token: string,
  actor: { clientId: string } | { userId: string },
  context: RequestContext,
): Promise<void> {
  const now = deps.now();
  const mayAct = (ownerId: string) => "clientId" in actor || actor.userId === ownerId;
  let target: { userId: string; tenantId: string; sessionId?: string; patId?: string } | null = null;

  if (token.startsWith(PAT_PREFIX)) {
    const parsed = parsePat(token);
    const pat = parsed ? await deps.prisma.personalAccessToken.findUnique({ where: { id: parsed.id } }) : null;
    if (pat && parsed && constantTimeEqual(sha256Hex(parsed.secret), pat.tokenHash)) {
      target = { userId: pat.userId, tenantId: pat.tenantId, patId: pat.id };
    }
  } else if (looksLikeJwt(token)) {
    // An expired access token can still name its session: revoke on the signature alone.
    const claims = await deps.jwt.verify(token, now).catch(async (e: unknown) => {
      if (!(e instanceof AppError) || e.code !== "EXPIRED_TOKEN") return null;
      const exp = decodeJwt(token).exp;
      return exp ? deps.jwt.verify(token, new Date((exp - 1) * 1000)).catch(() => null) : null;
    });
    if (claims) target = { userId: claims.sub, tenantId: claims.tid, sessionId: claims.sid };
  } else {
    const rt = await deps.prisma.refreshToken.findUnique({
      where: { tokenHash: sha256Hex(token) },
      include: { family: { include: { session: true } } },
    });
    if (rt)
      target = {
        userId: rt.family.session.userId,
        tenantId: rt.family.session.tenantId,
        sessionId: rt.family.sessionId,
      };
  }
  if (!target || !mayAct(target.userId)) return;

  const t = target;
  await deps.prisma.$transaction(async (tx) => {
    if (t.patId) {
      const { count } = await tx.personalAccessToken.updateMany({
        where: { id: t.patId, revokedAt: null },
        data: { revokedAt: now },
      });
      if (count)
        await recordAudit(
          tx,
          {
            eventType: "pat_revoked",
            tenantId: t.tenantId,
            userId: t.userId,
            context,
            details: { patId: t.patId, via: "revocation_endpoint" },
          },
          now,
        );
    } else if (t.sessionId && (await revokeSessionTx(tx, t.sessionId, "token_revoked", now))) {
      await recordAudit(
        tx,
        {
          eventType: "token_revoked",
          tenantId: t.tenantId,
          userId: t.userId,
          context,
          details: { sessionId: t.sessionId },
        },
        now,
      );
    }
  });
}
