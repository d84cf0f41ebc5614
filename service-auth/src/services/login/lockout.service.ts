import { AppError } from "@atlas/errors";
import type { Deps } from "../../ports.ts";
import { recordAudit } from "../audit/audit.service.ts";
import { sha256Hex } from "../platform/crypto.ts";
import type { ResolvedTenant } from "../tenancy/tenant.service.ts";
import type { RequestContext } from "./request-context.ts";

/**
 * Lockout that an attacker cannot turn against the owner.
 *
 * - Per (account, client IP): after BACKOFF_AFTER failures, each further failure doubles a wait
 *   (1 s, 2 s, 4 s … capped at 15 min) before that pair may try again (429 + Retry-After). Other
 *   IPs — the owner's — are unaffected.
 * - Per account (all IPs, failures in the last hour): beyond ELEVATED_AFTER the account is
 *   "under attack". It is not locked: its logins demand stronger proof (the second factor even
 *   on trusted devices; a fresh e-mail link for users without MFA).
 * - A hard lock (423 ACCOUNT_LOCKED for ACCOUNT_LOCK_MINUTES) only where the tenant configures
 *   `settings.lockout = "hard"`.
 * Accounts are keyed by user id when known, else by a hash of the identifier (phone, address).
 */
export const BACKOFF_AFTER = 10;
export const ELEVATED_AFTER = 20;
const MAX_BACKOFF_MS = 15 * 60_000;
const ACCOUNT_WINDOW_MS = 60 * 60_000;
const ACCOUNT_LOCK_MS = 15 * 60_000;

export type AccountRef = { userId: string } | { identifier: string };
const accountKey = (a: AccountRef) => ("userId" in a ? `user:${a.userId}` : `id:${sha256Hex(a.identifier)}`);
const pairKey = (a: AccountRef, ip: string) => `${accountKey(a)}|ip:${sha256Hex(ip).slice(0, 32)}`;

/** Refuses an attempt while this (account, IP) pair is backing off, or the account is hard-locked. */
export async function assertNotBackedOff(
  deps: Pick<Deps, "prisma" | "now">,
  input: { tenant: ResolvedTenant; account: AccountRef; context: RequestContext },
): Promise<void> {
  const now = deps.now();
  const rows = await deps.prisma.lockoutState.findMany({
    where: {
      tenantId: input.tenant.id,
      key: { in: [pairKey(input.account, input.context.ipAddress), accountKey(input.account)] },
      blockedUntil: { gt: now },
    },
  });
  for (const row of rows) {
    const retryAfter = String(Math.max(1, Math.ceil(((row.blockedUntil as Date).getTime() - now.getTime()) / 1000)));
    if (row.key === accountKey(input.account)) {
      throw new AppError("ACCOUNT_LOCKED", {
        detail: "This account is locked for a while",
        headers: { "Retry-After": retryAfter },
      });
    }
    throw new AppError("RATE_LIMITED", {
      detail: "Too many failed attempts; wait and retry",
      headers: { "Retry-After": retryAfter },
    });
  }
}

/** Counts a failed attempt against the pair and the account; starts backoff or a hard lock. */
export async function recordLoginFailure(
  deps: Pick<Deps, "prisma" | "now">,
  input: { tenant: ResolvedTenant; account: AccountRef; context: RequestContext; userId?: string | null },
): Promise<void> {
  const now = deps.now();
  const tenantId = input.tenant.id;
  const pair = await bump(deps, tenantId, pairKey(input.account, input.context.ipAddress), now, null);
  if (pair.failures >= BACKOFF_AFTER) {
    const waitMs = Math.min(1000 * 2 ** (pair.failures - BACKOFF_AFTER), MAX_BACKOFF_MS);
    await deps.prisma.lockoutState.update({
      where: { id: pair.id },
      data: { blockedUntil: new Date(now.getTime() + waitMs) },
    });
    await recordAudit(
      deps.prisma,
      {
        eventType: "account_backoff",
        tenantId,
        userId: input.userId ?? null,
        context: input.context,
        details: { scope: "account_ip", failures: pair.failures, waitMs },
      },
      now,
    );
  }
  const account = await bump(deps, tenantId, accountKey(input.account), now, ACCOUNT_WINDOW_MS);
  if (account.failures === ELEVATED_AFTER || (input.tenant.lockout === "hard" && account.failures >= ELEVATED_AFTER)) {
    const hard = input.tenant.lockout === "hard";
    if (hard) {
      await deps.prisma.lockoutState.update({
        where: { id: account.id },
        data: { blockedUntil: new Date(now.getTime() + ACCOUNT_LOCK_MS) },
      });
    }
    await recordAudit(
      deps.prisma,
      {
        eventType: "account_backoff",
        tenantId,
        userId: input.userId ?? null,
        context: input.context,
        details: { scope: "account", failures: account.failures, outcome: hard ? "locked" : "stronger_proof_required" },
      },
      now,
    );
  }
}

/**
 * Whether any of the user's handles (the user id, its phone number, its wallet addresses) has
 * seen ELEVATED_AFTER or more failures in the last hour.
 */
export async function accountUnderAttack(
  deps: Pick<Deps, "prisma" | "now">,
  tenantId: string,
  accounts: AccountRef[],
): Promise<boolean> {
  const since = new Date(deps.now().getTime() - ACCOUNT_WINDOW_MS);
  const hot = await deps.prisma.lockoutState.count({
    where: {
      tenantId,
      key: { in: accounts.map(accountKey) },
      failures: { gte: ELEVATED_AFTER },
      lastFailureAt: { gt: since },
    },
  });
  return hot > 0;
}

/** The lockout handles of a user: its id, its phone, its wallet addresses. */
export async function accountRefsOf(
  deps: Pick<Deps, "prisma">,
  user: { id: string; phone: string | null },
): Promise<AccountRef[]> {
  const wallets = await deps.prisma.identity.findMany({
    where: { userId: user.id, provider: { in: ["siwe", "siws", "arweave"] } },
    select: { subject: true },
  });
  return [
    { userId: user.id },
    ...(user.phone ? [{ identifier: `phone:${user.phone}` }] : []),
    // Backoff is kept per address (guardWallet): a contract wallet's CAIP-10 id counts as its address.
    ...wallets.map((w) => ({ identifier: `wallet:${w.subject.replace(/^eip155:\d+:/, "")}` })),
  ];
}

/** A success from this pair clears its backoff (the account-wide count decays with time). */
export async function clearPairBackoff(
  deps: Pick<Deps, "prisma">,
  input: { tenant: ResolvedTenant; account: AccountRef; context: RequestContext },
): Promise<void> {
  await deps.prisma.lockoutState.deleteMany({
    where: { tenantId: input.tenant.id, key: pairKey(input.account, input.context.ipAddress) },
  });
}

/** Atomically adds one failure (restarting the count when the last one is older than `windowMs`). */
async function bump(
  deps: Pick<Deps, "prisma">,
  tenantId: string,
  key: string,
  now: Date,
  windowMs: number | null,
): Promise<{ id: string; failures: number }> {
  const since = windowMs === null ? new Date(0) : new Date(now.getTime() - windowMs);
  const rows = await deps.prisma.$queryRaw<{ id: string; failures: number }[]>`
    INSERT INTO "auth"."auth_lockout_states" (id, "tenantId", key, failures, "lastFailureAt", "updatedAt")
    VALUES (gen_random_uuid()::text, ${tenantId}, ${key}, 1, ${now}, ${now})
    ON CONFLICT ("tenantId", key) DO UPDATE SET
      failures = CASE WHEN "auth_lockout_states"."lastFailureAt" < ${since} THEN 1
                      ELSE "auth_lockout_states".failures + 1 END,
      "lastFailureAt" = ${now}, "updatedAt" = ${now}
    RETURNING id, failures`;
  return rows[0] as { id: string; failures: number };
}
