import { PAT_FORMAT, PAT_PREFIX } from "@atlas/auth-verify/tokens";
import { AppError } from "@atlas/errors";
import type { PersonalAccessToken, Prisma } from "../../../generated/prisma/client.ts";
import type { Deps, RandomSource } from "../../ports.ts";
import { recordAudit } from "../audit/audit.service.ts";
import type { RequestContext } from "../login/request-context.ts";
import { constantTimeEqual, sha256Hex } from "../platform/crypto.ts";

/** Defined with the scopes in @atlas/auth-verify/tokens, the one home the clients share. */
export { PAT_PREFIX };

const LAST_USED_RESOLUTION_MS = 60_000;

/** A PAT as lists show it: never the secret, never its hash. */
export interface PatSummary {
  id: string;
  name: string;
  scopes: string[];
  displayPrefix: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

const summary = (p: PersonalAccessToken): PatSummary => ({
  id: p.id,
  name: p.name,
  scopes: p.scopes,
  displayPrefix: p.displayPrefix,
  createdAt: p.createdAt.toISOString(),
  expiresAt: p.expiresAt?.toISOString() ?? null,
  lastUsedAt: p.lastUsedAt?.toISOString() ?? null,
});

/** Splits `atlas_pat_<id>_<secret>`; null when it is not a well-formed PAT. */
export function parsePat(token: string): { id: string; secret: string } | null {
  const m = PAT_FORMAT.exec(token);
  if (!m?.[1] || !m[2]) return null;
  const h = m[1];
  const id = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  return { id, secret: m[2] };
}

/** Creates a PAT; the token is returned once and only its secret's SHA-256 is stored. */
export async function createPat(
  deps: Deps,
  input: PatInput & { context: RequestContext },
): Promise<PatSummary & { token: string }> {
  const now = deps.now();
  return deps.prisma.$transaction(async (tx) => {
    const created = await insertPat(tx, deps.random, input, now);
    await recordAudit(
      tx,
      {
        eventType: "pat_created",
        tenantId: input.tenantId,
        userId: input.userId,
        context: input.context,
        details: { patId: created.id, scopes: created.scopes },
      },
      now,
    );
    return created;
  });
}

export interface PatInput {
  userId: string;
  tenantId: string;
  name: string;
  scopes: string[];
  expiresInDays?: number | undefined;
}

/**
 * Inserts a PAT inside the caller's transaction (which also writes its audit row): the one place
 * a PAT's secret is made. Returns the token once.
 */
export async function insertPat(
  tx: Prisma.TransactionClient,
  random: RandomSource,
  input: PatInput,
  now: Date,
): Promise<PatSummary & { token: string }> {
  const id = random.uuid();
  const secret = random.token(32);
  const token = `${PAT_PREFIX}${id.replaceAll("-", "")}_${secret}`;
  const pat = await tx.personalAccessToken.create({
    data: {
      id,
      tenantId: input.tenantId,
      userId: input.userId,
      name: input.name,
      scopes: [...new Set(input.scopes)],
      tokenHash: sha256Hex(secret),
      displayPrefix: token.slice(0, PAT_PREFIX.length + 8),
      createdAt: now,
      expiresAt: input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * 86_400_000) : null,
    },
  });
  return { ...summary(pat), token };
}

export async function listPats(deps: Deps, userId: string): Promise<PatSummary[]> {
  const rows = await deps.prisma.personalAccessToken.findMany({
    where: { userId, revokedAt: null },
    orderBy: { createdAt: "desc" },
  });
  return rows.map(summary);
}

/** Revokes one of the caller's PATs; another user's id answers 404 (no BOLA). */
export async function revokePat(deps: Deps, userId: string, patId: string, context: RequestContext): Promise<void> {
  const now = deps.now();
  await deps.prisma.$transaction(async (tx) => {
    const { count } = await tx.personalAccessToken.updateMany({
      where: { id: patId, userId, revokedAt: null },
      data: { revokedAt: now },
    });
    if (count === 0) throw new AppError("NOT_FOUND", { detail: "No such token" });
    const pat = await tx.personalAccessToken.findUniqueOrThrow({ where: { id: patId } });
    await recordAudit(
      tx,
      { eventType: "pat_revoked", tenantId: pat.tenantId, userId, context, details: { patId } },
      now,
    );
  });
}

/**
 * Looks a PAT up by id and checks its secret in constant time. Returns the row when the token is
 * live (not revoked, not expired, user not deleted), else null. Records `lastUsedAt` (to the minute).
 */
export async function authenticatePat(deps: Deps, token: string): Promise<PersonalAccessToken | null> {
  const parsed = parsePat(token);
  if (!parsed) return null;
  const now = deps.now();
  const pat = await deps.prisma.personalAccessToken.findUnique({
    where: { id: parsed.id },
    include: { user: { select: { deletedAt: true } } },
  });
  if (!pat || !constantTimeEqual(sha256Hex(parsed.secret), pat.tokenHash)) return null;
  if (pat.revokedAt || (pat.expiresAt && pat.expiresAt <= now) || pat.user.deletedAt) return null;
  if (!pat.lastUsedAt || now.getTime() - pat.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await deps.prisma.personalAccessToken.update({ where: { id: pat.id }, data: { lastUsedAt: now } });
  }
  return pat;
}
