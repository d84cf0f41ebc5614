// The three tables challenges live in, behind one shape, so challenge-store.ts states each rule
// once. Every write that decides single use is one conditional UPDATE … RETURNING on live rows
// (unconsumed, unexpired; under the attempt budget where one is counted): two concurrent
// consumes of one secret cannot both win, whatever the table.
import { z } from "zod";
import type { AuthChallenge, MagicLink, OtpCode, Prisma, PrismaClient } from "../../../generated/prisma/client.ts";
import type { ChallengeTable } from "./kinds.ts";

/** Where challenges are read and written: the client, or a transaction to commit them with other writes. */
export type ChallengeDb = PrismaClient | Prisma.TransactionClient;

/** A challenge row, whatever its table. `hash` is SHA-256 hex or an argon2id PHC string. */
export interface StoredChallenge {
  id: string;
  kind: string;
  tenantId: string;
  hash: string;
  userId: string | null;
  subject: string | null;
  /** The stored context, not yet checked against its kind's schema. */
  data: unknown;
  attempts: number;
  createdAt: Date;
  expiresAt: Date;
  consumedAt: Date | null;
}

export interface NewChallenge {
  kind: string;
  tenantId: string;
  hash: string;
  userId: string | null;
  subject: string | null;
  /** Already checked against its kind's schema. */
  data: unknown;
  maxAttempts: number | null;
  createdAt: Date;
  expiresAt: Date;
}

/** A row by its secret's hash (high-entropy kinds) or by id (a code found by its subject). */
export type Locator = { hash: string } | { id: string };

/** Which live row a consume may take: this kind's, and this tenant's / user's when they are given. */
export type Match = Locator & { kind: string; tenantId?: string | undefined; userId?: string | undefined };

/** The challenges of one kind sent to one address, in one tenant. */
export interface SubjectKey {
  kind: string;
  tenantId: string;
  subject: string;
}

export interface TableAdapter {
  insert(db: ChallengeDb, row: NewChallenge): Promise<void>;
  /** Tables of one-shot secrets: single use in one statement, marks the live matching row consumed and returns it. */
  consume?(db: ChallengeDb, match: Match, now: Date): Promise<StoredChallenge | null>;
  /** Marks a row consumed unless it already is: true when this call did it. */
  settle(db: ChallengeDb, id: string, now: Date): Promise<boolean>;
  /** Any row by locator, live or not (to name a failure). */
  find(db: ChallengeDb, locator: Locator): Promise<StoredChallenge | null>;
  /** Tables with an attempt counter: counts one on the live matching row still under `max`, and returns it. */
  spendAttempt?(db: ChallengeDb, match: Match, max: number | null, now: Date): Promise<StoredChallenge | null>;
  /** Tables whose rows are found by their subject (codes too short to be found by hash). */
  bySubject?: {
    /** Consumes the subject's live challenges (issuing a new one: only the latest works). */
    supersede(db: ChallengeDb, key: SubjectKey, now: Date): Promise<void>;
    /** The subject's newest live challenge. */
    latestLive(db: ChallengeDb, key: SubjectKey, now: Date): Promise<StoredChallenge | null>;
    /** When the subject's newest challenge was issued, live or not (resend cooldowns). */
    lastIssuedAt(db: ChallengeDb, key: SubjectKey): Promise<Date | null>;
  };
}

const live = (now: Date) => ({ consumedAt: null, expiresAt: { gt: now } });
const under = (max: number | null) => (max === null ? {} : { attempts: { lt: max } });
const bound = (m: Match) => ({
  ...(m.tenantId !== undefined ? { tenantId: m.tenantId } : {}),
  ...(m.userId !== undefined ? { userId: m.userId } : {}),
});

/**
 * The stored context exactly as the JSON column will hold it (an optional field left undefined is
 * dropped), typed as JSON for Prisma by a parse rather than a cast.
 */
const JsonObject = z.record(z.string(), z.json());
const toJsonColumn = (value: unknown) => JsonObject.parse(JSON.parse(JSON.stringify(value)));

/** auth_challenges: every kind but magic links and SMS codes. */
const challenges: TableAdapter = (() => {
  const at = (l: Locator) => ("hash" in l ? { challengeHash: l.hash } : { id: l.id });
  const where = (m: Match) => ({ ...at(m), kind: m.kind, ...bound(m) });
  const read = (row: AuthChallenge): StoredChallenge => ({
    ...row,
    hash: row.challengeHash,
    subject: null,
  });
  return {
    async insert(db, row) {
      if (row.subject !== null) throw new Error("auth_challenges stores no subject");
      await db.authChallenge.create({
        data: {
          tenantId: row.tenantId,
          kind: row.kind,
          challengeHash: row.hash,
          userId: row.userId,
          data: toJsonColumn(row.data),
          createdAt: row.createdAt,
          expiresAt: row.expiresAt,
        },
      });
    },
    async consume(db, m, now) {
      const [row] = await db.authChallenge.updateManyAndReturn({
        where: { ...where(m), ...live(now) },
        data: { consumedAt: now },
      });
      return row ? read(row) : null;
    },
    async spendAttempt(db, m, max, now) {
      const [row] = await db.authChallenge.updateManyAndReturn({
        where: { ...where(m), ...live(now), ...under(max) },
        data: { attempts: { increment: 1 } },
      });
      return row ? read(row) : null;
    },
    async settle(db, id, now) {
      const { count } = await db.authChallenge.updateMany({
        where: { id, consumedAt: null },
        data: { consumedAt: now },
      });
      return count === 1;
    },
    async find(db, l) {
      const row = await db.authChallenge.findFirst({ where: at(l) });
      return row ? read(row) : null;
    },
  };
})();

const MAGIC_LINK = "magic_link";
const MagicLinkColumns = z.object({ redirectTo: z.string().nullable(), ipAddress: z.string().nullable() });

/** auth_magic_links: the `magic_link` kind; the subject is the e-mail address. No attempt counter. */
const magicLinks: TableAdapter = (() => {
  const at = (l: Locator) => ("hash" in l ? { tokenHash: l.hash } : { id: l.id });
  const where = (m: Match) => {
    if (m.kind !== MAGIC_LINK || m.userId !== undefined) return null;
    return { ...at(m), ...(m.tenantId !== undefined ? { tenantId: m.tenantId } : {}) };
  };
  const read = (row: MagicLink): StoredChallenge => ({
    id: row.id,
    kind: MAGIC_LINK,
    tenantId: row.tenantId,
    hash: row.tokenHash,
    userId: null,
    subject: row.email,
    data: { redirectTo: row.redirectTo, ipAddress: row.ipAddress },
    attempts: 0,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    consumedAt: row.consumedAt,
  });
  return {
    async insert(db, row) {
      if (row.kind !== MAGIC_LINK || row.subject === null || row.userId !== null) {
        throw new Error("auth_magic_links holds magic links to an address, bound to no user");
      }
      const columns = MagicLinkColumns.parse(row.data);
      await db.magicLink.create({
        data: {
          tenantId: row.tenantId,
          email: row.subject,
          tokenHash: row.hash,
          ...columns,
          createdAt: row.createdAt,
          expiresAt: row.expiresAt,
        },
      });
    },
    async consume(db, m, now) {
      const w = where(m);
      if (!w) return null;
      const [row] = await db.magicLink.updateManyAndReturn({
        where: { ...w, ...live(now) },
        data: { consumedAt: now },
      });
      return row ? read(row) : null;
    },
    async settle(db, id, now) {
      const { count } = await db.magicLink.updateMany({ where: { id, consumedAt: null }, data: { consumedAt: now } });
      return count === 1;
    },
    async find(db, l) {
      const row = await db.magicLink.findFirst({ where: at(l) });
      return row ? read(row) : null;
    },
  };
})();

const SMS_OTP = "sms_otp";

/** auth_otp_codes: the `sms_otp` kind; the subject is the phone number, the hash argon2id. */
const otpCodes: TableAdapter = (() => {
  const where = (m: Match) => {
    if (m.kind !== SMS_OTP || m.userId !== undefined || !("id" in m)) return null;
    return { id: m.id, ...(m.tenantId !== undefined ? { tenantId: m.tenantId } : {}) };
  };
  const read = (row: OtpCode): StoredChallenge => ({
    id: row.id,
    kind: SMS_OTP,
    tenantId: row.tenantId,
    hash: row.codeHash,
    userId: null,
    subject: row.phone,
    data: {},
    attempts: row.attempts,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    consumedAt: row.consumedAt,
  });
  return {
    async insert(db, row) {
      if (row.kind !== SMS_OTP || row.subject === null || row.userId !== null || row.maxAttempts === null) {
        throw new Error("auth_otp_codes holds SMS codes to a number, bound to no user, with an attempt budget");
      }
      await db.otpCode.create({
        data: {
          tenantId: row.tenantId,
          phone: row.subject,
          codeHash: row.hash,
          maxAttempts: row.maxAttempts,
          createdAt: row.createdAt,
          expiresAt: row.expiresAt,
        },
      });
    },
    async spendAttempt(db, m, max, now) {
      const w = where(m);
      if (!w) return null;
      const [row] = await db.otpCode.updateManyAndReturn({
        where: { ...w, ...live(now), ...under(max) },
        data: { attempts: { increment: 1 } },
      });
      return row ? read(row) : null;
    },
    async settle(db, id, now) {
      const { count } = await db.otpCode.updateMany({ where: { id, consumedAt: null }, data: { consumedAt: now } });
      return count === 1;
    },
    async find(db, l) {
      if (!("id" in l)) return null;
      const row = await db.otpCode.findUnique({ where: { id: l.id } });
      return row ? read(row) : null;
    },
    bySubject: {
      async supersede(db, w, now) {
        await db.otpCode.updateMany({
          where: { tenantId: w.tenantId, phone: w.subject, consumedAt: null },
          data: { consumedAt: now },
        });
      },
      async latestLive(db, w, now) {
        if (w.kind !== SMS_OTP) return null;
        const row = await db.otpCode.findFirst({
          where: { tenantId: w.tenantId, phone: w.subject, ...live(now) },
          orderBy: { createdAt: "desc" },
        });
        return row ? read(row) : null;
      },
      async lastIssuedAt(db, w) {
        if (w.kind !== SMS_OTP) return null;
        const row = await db.otpCode.findFirst({
          where: { tenantId: w.tenantId, phone: w.subject },
          orderBy: { createdAt: "desc" },
          select: { createdAt: true },
        });
        return row?.createdAt ?? null;
      },
    },
  };
})();

export const TABLES: Record<ChallengeTable, TableAdapter> = {
  auth_challenges: challenges,
  auth_magic_links: magicLinks,
  auth_otp_codes: otpCodes,
};
