// The one way service-auth issues and consumes single-use secrets (magic links, SMS codes, wallet
// nonces, WebAuthn challenges, OAuth flows, MFA tokens, link tokens). What differs between them
// is data in the table of kinds (kinds.ts); the rules are stated once, here:
// - only a hash is stored: SHA-256 of high-entropy tokens, argon2id of short codes;
// - a challenge is used once: the consume is one conditional UPDATE … RETURNING on a live row
//   (never read, then write), so concurrent consumes of one secret have one winner;
// - it matches only its kind, its tenant, and its user when the consumer names one;
// - where attempts are counted, each is spent (atomically, under the budget) before the secret
//   or answer is checked, and the failure that spends the last one kills the challenge.

import type { Prisma, PrismaClient } from "../../../generated/prisma/client.ts";
import type { RandomSource } from "../../ports.ts";
import { sha256Hex } from "../platform/crypto.ts";
import { hashLowEntropySecret, verifyLowEntropySecret } from "../platform/password-hash.ts";
import { CHALLENGE_KINDS, type ChallengeData, type ChallengeKind, type ChallengeRules, specOf } from "./kinds.ts";
import { type ChallengeDb, type Match, type StoredChallenge, TABLES, type TableAdapter } from "./tables.ts";

export type { ChallengeData, ChallengeKind } from "./kinds.ts";
export { CHALLENGE_KINDS } from "./kinds.ts";

/** What the store needs: the database and the clock. */
export interface ChallengeDeps {
  prisma: PrismaClient;
  now: () => Date;
}

/** A challenge as its consumer sees it: its context typed by its kind. */
export interface Challenge<K extends ChallengeKind> {
  id: string;
  kind: K;
  tenantId: string;
  userId: string | null;
  /** The address it was sent to (magic links, SMS codes); null for other kinds. */
  subject: string | null;
  data: ChallengeData<K>;
  /** Attempts spent, this one included (kinds that count them). */
  attempts: number;
  createdAt: Date;
  expiresAt: Date;
}

type Spec<K extends ChallengeKind> = ChallengeRules<K>;

/** What issuing a challenge of kind K needs: the bindings its kind requires, and its context. */
export type IssueInput<K extends ChallengeKind> = {
  tenantId: string;
  data: ChallengeData<K>;
  userId?: string | null | undefined;
  subject?: string | undefined;
  secret?: string | undefined;
} & (Spec<K>["user"] extends "required"
  ? { userId: string }
  : Spec<K>["user"] extends "none"
    ? { userId?: undefined }
    : unknown) &
  (Spec<K>["subject"] extends true ? { subject: string } : { subject?: undefined }) &
  (Spec<K>["newSecret"] extends null ? { secret: string } : { secret?: undefined });

/** What a consume of kind K may be limited to; the tenant is required unless the row decides it. */
export type ConsumeOptions<K extends ChallengeKind> = {
  tenantId?: string | undefined;
  /** Only this user's challenge matches (another user's is `foreign_user`). */
  userId?: string | undefined;
  /** Codes only: the address whose latest live code is checked. */
  subject?: string | undefined;
  /** Overrides the kind's attempt budget. */
  maxAttempts?: number | undefined;
  /**
   * A check the challenge must pass to be consumed (an MFA answer): called after the attempt is
   * spent; false leaves the challenge live (or kills it if that was the last attempt). What it
   * throws propagates, the attempt stays spent.
   */
  verify?: ((challenge: Challenge<K>) => Promise<boolean>) | undefined;
} & (Spec<K>["tenant"] extends "row" ? unknown : { tenantId: string }) &
  (Spec<K>["secret"] extends "argon2id" ? { subject: string } : { subject?: undefined }) &
  (Spec<K>["user"] extends "none" ? { userId?: undefined } : unknown);

/**
 * Why a consume failed. Before the challenge is found: `unknown` (no such secret of this kind),
 * `foreign_tenant`, `foreign_user`, `used`, `expired`, `exhausted` (no attempts left). After
 * (the challenge is returned with them): `rejected` (wrong code or answer), `raced` (accepted,
 * but a concurrent consume of the same challenge won).
 */
export type ChallengeFailure =
  | "unknown"
  | "foreign_tenant"
  | "foreign_user"
  | "used"
  | "expired"
  | "exhausted"
  | "rejected"
  | "raced";

export type ConsumeResult<K extends ChallengeKind> =
  | { ok: true; challenge: Challenge<K> }
  | { ok: false; reason: Exclude<ChallengeFailure, "rejected" | "raced">; challenge?: undefined }
  | { ok: false; reason: "rejected" | "raced"; challenge: Challenge<K> };

/** The table a kind lives in, checked against what the kind asks of it. */
function tableOf(kind: ChallengeKind): TableAdapter {
  const spec = specOf(kind);
  const table = TABLES[spec.table];
  const counted = spec.maxAttempts !== null || spec.secret === "argon2id";
  const bySubject = spec.secret === "argon2id" || spec.supersedes;
  if ((counted ? !table.spendAttempt : !table.consume) || (bySubject && !table.bySubject)) {
    throw new Error(`challenge kind ${kind}: table ${spec.table} cannot hold it`);
  }
  return table;
}
const isKind = (name: string): name is ChallengeKind => name in CHALLENGE_KINDS;
// Fail at load, not at the first login: every kind must fit its table.
for (const kind of Object.keys(CHALLENGE_KINDS).filter(isKind)) tableOf(kind);

function toChallenge<K extends ChallengeKind>(kind: K, row: StoredChallenge): Challenge<K> {
  return {
    id: row.id,
    kind,
    tenantId: row.tenantId,
    userId: row.userId,
    subject: row.subject,
    data: CHALLENGE_KINDS[kind].data.parse(row.data),
    attempts: row.attempts,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
  };
}

/**
 * Issues a challenge of `kind` and answers its secret (the only time it exists outside the
 * recipient). `alongside` runs in the same transaction, with the issue's instant (the audit row
 * that records the request); the secret is hashed before the transaction opens.
 *
 * @example
 * const nonce = await issueChallenge(deps, "siwe_nonce", { tenantId, data: {} });
 */
export async function issueChallenge<K extends ChallengeKind>(
  deps: ChallengeDeps & { random: RandomSource },
  kind: K,
  input: IssueInput<K>,
  alongside?: (tx: Prisma.TransactionClient, now: Date) => Promise<unknown>,
): Promise<string> {
  const spec = specOf(kind);
  const table = tableOf(kind);
  const userId = input.userId ?? null;
  const subject = input.subject ?? null;
  // The types say the same; checked again because a binding forgotten here is a security hole.
  if ((spec.user === "required" && !userId) || (spec.user === "none" && userId)) {
    throw new Error(`challenge kind ${kind}: wrong user binding`);
  }
  if (spec.subject !== (subject !== null)) throw new Error(`challenge kind ${kind}: wrong subject`);
  const secret = input.secret ?? spec.newSecret?.(deps.random);
  if (!secret) throw new Error(`challenge kind ${kind}: the caller brings the secret`);
  const now = deps.now();
  const hash = spec.secret === "argon2id" ? await hashLowEntropySecret(secret) : sha256Hex(secret);
  const row = {
    kind,
    tenantId: input.tenantId,
    hash,
    userId,
    subject,
    data: spec.data.parse(input.data),
    maxAttempts: spec.maxAttempts,
    createdAt: now,
    expiresAt: new Date(now.getTime() + spec.ttlMs),
  };
  if (!alongside && !spec.supersedes) {
    await table.insert(deps.prisma, row);
    return secret;
  }
  await deps.prisma.$transaction(async (tx) => {
    if (spec.supersedes && subject !== null) {
      await table.bySubject?.supersede(tx, { kind, tenantId: input.tenantId, subject }, now);
    }
    await table.insert(tx, row);
    await alongside?.(tx, now);
  });
  return secret;
}

/**
 * Consumes the challenge `token` names, once: live (unused, unexpired, attempts left), of this
 * kind, and of this tenant / user when given. Codes (argon2id kinds) are the subject's latest live
 * code, checked after the attempt is spent. Answers the challenge, or why it failed.
 *
 * @example
 * const r = await consumeChallenge(deps, "magic_link", token, { tenantId: tenant.id });
 * if (!r.ok) throw new AppError("INVALID_CREDENTIALS", { detail: "…" });
 */
export async function consumeChallenge<K extends ChallengeKind>(
  deps: ChallengeDeps,
  kind: K,
  token: string,
  options: ConsumeOptions<K>,
): Promise<ConsumeResult<K>> {
  const spec = specOf(kind);
  const table = tableOf(kind);
  const { tenantId, userId, subject, verify } = options;
  if (spec.tenant === "given" && !tenantId) throw new Error(`challenge kind ${kind}: consume needs the tenant`);
  if (spec.user === "none" && userId !== undefined) throw new Error(`challenge kind ${kind}: bound to no user`);
  if (spec.secret !== "argon2id" && subject !== undefined) throw new Error(`challenge kind ${kind}: found by hash`);
  const now = deps.now();
  const max = options.maxAttempts ?? spec.maxAttempts;
  const code = spec.secret === "argon2id";
  let match: Match;
  if (code) {
    if (!tenantId || !subject) throw new Error(`challenge kind ${kind}: a code is found by tenant and subject`);
    const current = await table.bySubject?.latestLive(deps.prisma, { kind, tenantId, subject }, now);
    if (!current) return { ok: false, reason: "unknown" };
    match = { id: current.id, kind, tenantId, userId };
  } else {
    match = { hash: sha256Hex(token), kind, tenantId, userId };
  }

  if (max === null && !verify && table.consume) {
    const row = await table.consume(deps.prisma, match, now);
    if (row) return { ok: true, challenge: toChallenge(kind, row) };
    return { ok: false, reason: await diagnose(deps.prisma, table, match, max, now) };
  }
  if (!table.spendAttempt) throw new Error(`challenge kind ${kind}: table ${spec.table} counts no attempts`);
  const counted = await table.spendAttempt(deps.prisma, match, max, now);
  if (!counted) return { ok: false, reason: await diagnose(deps.prisma, table, match, max, now) };
  const challenge = toChallenge(kind, counted);
  const passed =
    (!code || (await verifyLowEntropySecret(counted.hash, token))) && (!verify || (await verify(challenge)));
  if (!passed) {
    // The failure that spent the last attempt kills the challenge, even for the right answer later.
    if (max !== null && counted.attempts >= max) await table.settle(deps.prisma, counted.id, now);
    return { ok: false, reason: "rejected", challenge };
  }
  if (!(await table.settle(deps.prisma, counted.id, now))) return { ok: false, reason: "raced", challenge };
  return { ok: true, challenge };
}

/** Why no live challenge matched (a read after the failed write, only to name the reason). */
async function diagnose(
  db: ChallengeDb,
  table: TableAdapter,
  match: Match,
  max: number | null,
  now: Date,
): Promise<Exclude<ChallengeFailure, "rejected" | "raced">> {
  const row = await table.find(db, "hash" in match ? { hash: match.hash } : { id: match.id });
  if (!row || row.kind !== match.kind) return "unknown";
  if (match.tenantId !== undefined && row.tenantId !== match.tenantId) return "foreign_tenant";
  if (match.userId !== undefined && row.userId !== match.userId) return "foreign_user";
  if (row.consumedAt) return "used";
  if (row.expiresAt <= now) return "expired";
  if (max !== null && row.attempts >= max) return "exhausted";
  // It matched nothing a moment ago and looks live now: a concurrent consume changed it.
  return "used";
}

/**
 * The live challenge a high-entropy token names, without consuming it or spending an attempt
 * (an MFA token lets its user enrol a factor before answering with it).
 */
export async function findLiveChallenge<K extends ChallengeKind>(
  deps: ChallengeDeps,
  kind: K,
  token: string,
  options: { tenantId: string },
): Promise<Challenge<K> | null> {
  if (specOf(kind).secret !== "sha256") throw new Error(`challenge kind ${kind}: codes are not looked up`);
  const row = await tableOf(kind).find(deps.prisma, { hash: sha256Hex(token) });
  const now = deps.now();
  if (!row || row.kind !== kind || row.tenantId !== options.tenantId) return null;
  if (row.consumedAt || row.expiresAt <= now) return null;
  return toChallenge(kind, row);
}

/** When the subject's latest challenge of this kind was issued, used or not (resend cooldowns). */
export async function lastIssuedAt(
  deps: ChallengeDeps,
  kind: ChallengeKind,
  key: { tenantId: string; subject: string },
): Promise<Date | null> {
  const bySubject = tableOf(kind).bySubject;
  if (!bySubject) throw new Error(`challenge kind ${kind}: no subjects to look up`);
  return bySubject.lastIssuedAt(deps.prisma, { kind, ...key });
}
