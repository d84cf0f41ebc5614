// The challenge store (src/services/challenges/) against the attacks on single-use secrets, for
// every kind it holds: replay, a secret past its lifetime, a secret carried to another tenant or
// to another user, guessing past the attempt budget, racing two uses of one secret, and a
// database leak. The login routes' own tests (email, sms, siwe, wallets, passkey, oauth, mfa)
// check the same rules end to end; this file checks that no kind escapes them.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  CHALLENGE_KINDS,
  type ChallengeFailure,
  type ChallengeKind,
  consumeChallenge,
  findLiveChallenge,
  issueChallenge,
} from "../src/services/challenges/challenge-store.ts";
import { sha256Hex } from "../src/services/platform/crypto.ts";
import { hashLowEntropySecret, verifyLowEntropySecret } from "../src/services/platform/password-hash.ts";
import { createTestApp, type TestApp } from "./harness.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

/** Who issues or presents a challenge: a tenant, and a user of it. */
interface Party {
  tenantId: string;
  userId: string;
}
/** The owner, another user of the owner's tenant, and a user of another tenant. */
let owner: Party;
let otherUser: Party;
let otherTenant: Party;

beforeEach(async () => {
  await t.reset();
  const db = t.deps.prisma;
  const home = await db.tenant.findUniqueOrThrow({ where: { slug: "default" } });
  const away = await db.tenant.create({
    data: {
      name: "Other",
      slug: "other",
      allowedOrigins: ["https://other.example"],
      allowedMethods: ["email", "sms", "siwe", "siws", "arweave", "passkey", "oauth:github"],
      jwtAudience: "other-api",
    },
  });
  const user = async (tenantId: string, email: string) =>
    ({ tenantId, userId: (await db.user.create({ data: { tenantId, email } })).id }) satisfies Party;
  owner = await user(home.id, "owner@example.test");
  otherUser = await user(home.id, "other@example.test");
  otherTenant = await user(away.id, "owner@example.test");
});

const later = (ms: number) => {
  t.clock.now = new Date(t.clock.now.getTime() + ms);
};

const EMAIL = "owner@example.test";
const PHONE = "+14155550123";
const ceremony = { rpID: "localhost", origin: "http://localhost:3000" };

interface Outcome {
  ok: boolean;
  reason?: ChallengeFailure;
  tenantId?: string;
}
const outcome = (r: { ok: boolean; reason?: ChallengeFailure; challenge?: { tenantId: string } }): Outcome => ({
  ok: r.ok,
  ...(r.reason ? { reason: r.reason } : {}),
  ...(r.challenge ? { tenantId: r.challenge.tenantId } : {}),
});

/**
 * How each kind is issued and presented, as its service does. `answer` is a correct or a wrong
 * answer where the kind checks one (the SMS code itself; the MFA factor).
 */
interface KindCase {
  issue(to: Party): Promise<string>;
  consume(token: string, as: Party, answer?: boolean): Promise<Outcome>;
  /** The consumer names the user (or may, for kinds bound to a user only sometimes). */
  userBound: boolean;
}

const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");
const nonceCase = (kind: "siwe_nonce" | "siws_nonce" | "arweave_nonce"): KindCase => ({
  issue: (to) => issueChallenge(t.deps, kind, { tenantId: to.tenantId, data: {} }),
  consume: async (token, as) => outcome(await consumeChallenge(t.deps, kind, token, { tenantId: as.tenantId })),
  userBound: false,
});

const CASES = {
  magic_link: {
    issue: (to) =>
      issueChallenge(t.deps, "magic_link", {
        tenantId: to.tenantId,
        subject: EMAIL,
        data: { redirectTo: null, ipAddress: "203.0.113.7" },
      }),
    consume: async (token, as) =>
      outcome(await consumeChallenge(t.deps, "magic_link", token, { tenantId: as.tenantId })),
    userBound: false,
  },
  email_code: {
    // The pending sign-in's token finds it; the e-mail's code (hashed in its data) is the answer.
    issue: async (to) =>
      issueChallenge(t.deps, "email_code", {
        tenantId: to.tenantId,
        data: {
          email: EMAIL,
          codeHash: await hashLowEntropySecret("246810"),
          redirectTo: null,
          linkHash: "0".repeat(64),
        },
      }),
    consume: async (token, as, answer = true) =>
      outcome(
        await consumeChallenge(t.deps, "email_code", token, {
          tenantId: as.tenantId,
          verify: (ch) => verifyLowEntropySecret(ch.data.codeHash, answer ? "246810" : "135791"),
        }),
      ),
    userBound: false,
  },
  link_email: {
    issue: (to) =>
      issueChallenge(t.deps, "link_email", { tenantId: to.tenantId, userId: to.userId, data: { email: EMAIL } }),
    consume: async (token, as) =>
      outcome(await consumeChallenge(t.deps, "link_email", token, { tenantId: as.tenantId, userId: as.userId })),
    userBound: true,
  },
  sms_otp: {
    issue: (to) => issueChallenge(t.deps, "sms_otp", { tenantId: to.tenantId, subject: PHONE, data: {} }),
    consume: async (code, as, answer = true) =>
      outcome(
        await consumeChallenge(t.deps, "sms_otp", answer ? code : wrongCode(code), {
          tenantId: as.tenantId,
          subject: PHONE,
        }),
      ),
    userBound: false,
  },
  siwe_nonce: nonceCase("siwe_nonce"),
  siws_nonce: nonceCase("siws_nonce"),
  arweave_nonce: nonceCase("arweave_nonce"),
  webauthn_register: {
    issue: async (to) => {
      const secret = t.deps.random.token(32);
      await issueChallenge(t.deps, "webauthn_register", {
        tenantId: to.tenantId,
        userId: to.userId,
        secret,
        data: { ...ceremony, friendlyName: null },
      });
      return secret;
    },
    consume: async (token, as) =>
      outcome(await consumeChallenge(t.deps, "webauthn_register", token, { tenantId: as.tenantId, userId: as.userId })),
    userBound: true,
  },
  webauthn_login: {
    // Bound to the user an address hinted; passkey.service checks the credential's owner against it.
    issue: async (to) => {
      const secret = t.deps.random.token(32);
      await issueChallenge(t.deps, "webauthn_login", {
        tenantId: to.tenantId,
        userId: to.userId,
        secret,
        data: ceremony,
      });
      return secret;
    },
    consume: async (token, as) =>
      outcome(await consumeChallenge(t.deps, "webauthn_login", token, { tenantId: as.tenantId, userId: as.userId })),
    userBound: true,
  },
  oauth_state: {
    // A linking flow (bound to its user). The callback cannot name a tenant: see the test below.
    issue: (to) =>
      issueChallenge(t.deps, "oauth_state", {
        tenantId: to.tenantId,
        userId: to.userId,
        data: { provider: "github", redirectTo: null, nonce: null },
      }),
    consume: async (token, as) =>
      outcome(await consumeChallenge(t.deps, "oauth_state", token, { tenantId: as.tenantId, userId: as.userId })),
    userBound: true,
  },
  mfa_token: {
    issue: (to) =>
      issueChallenge(t.deps, "mfa_token", {
        tenantId: to.tenantId,
        userId: to.userId,
        data: { purpose: "login", amr: ["email"] },
      }),
    consume: async (token, as, answer = true) =>
      outcome(
        await consumeChallenge(t.deps, "mfa_token", token, {
          tenantId: as.tenantId,
          userId: as.userId,
          verify: async () => answer,
        }),
      ),
    userBound: true,
  },
} satisfies Record<ChallengeKind, KindCase>;

const kinds = Object.keys(CASES).filter((k): k is ChallengeKind => k in CHALLENGE_KINDS);

/** What a database leak yields: the stored hash, never the secret. */
async function storedHash(kind: ChallengeKind, secret: string): Promise<string> {
  const db = t.deps.prisma;
  const row =
    kind === "magic_link"
      ? await db.magicLink.findFirstOrThrow({ orderBy: { createdAt: "desc" } })
      : kind === "sms_otp"
        ? await db.otpCode.findFirstOrThrow({ orderBy: { createdAt: "desc" } })
        : await db.authChallenge.findFirstOrThrow({ where: { kind }, orderBy: { createdAt: "desc" } });
  const hash = "challengeHash" in row ? row.challengeHash : "tokenHash" in row ? row.tokenHash : row.codeHash;
  expect(JSON.stringify(row)).not.toContain(secret);
  return hash;
}

it("covers every kind of the store", () => {
  expect(kinds.sort()).toEqual(Object.keys(CHALLENGE_KINDS).sort());
});

describe.each(kinds)("%s", (kind) => {
  const c: KindCase = CASES[kind];
  const spec = CHALLENGE_KINDS[kind];

  it("attack: replaying a used secret — the second use fails", async () => {
    const token = await c.issue(owner);
    expect(await c.consume(token, owner)).toMatchObject({ ok: true });
    const replay = await c.consume(token, owner);
    expect(replay.ok).toBe(false);
    // A code is looked up by its number: once used, that number has no live code.
    expect(replay.reason).toBe(spec.secret === "argon2id" ? "unknown" : "used");
  });

  it("attack: using a secret past its lifetime — works until then, never at or after it", async () => {
    const early = await c.issue(owner);
    later(spec.ttlMs - 1);
    expect(await c.consume(early, owner)).toMatchObject({ ok: true });
    const late = await c.issue(owner);
    later(spec.ttlMs);
    // A code is looked up among its number's live codes: an expired one is not among them.
    expect(await c.consume(late, owner)).toMatchObject({
      ok: false,
      reason: spec.secret === "argon2id" ? "unknown" : "expired",
    });
  });

  it("attack: presenting a secret in another tenant — refused there, still good at home", async () => {
    const token = await c.issue(owner);
    const away = await c.consume(token, otherTenant);
    expect(away).toMatchObject({ ok: false, reason: spec.secret === "argon2id" ? "unknown" : "foreign_tenant" });
    expect(await c.consume(token, owner)).toMatchObject({ ok: true, tenantId: owner.tenantId });
  });

  it("attack: another user presenting a user's secret — refused where the consumer names a user", async () => {
    const token = await c.issue(owner);
    if (c.userBound) {
      expect(await c.consume(token, otherUser)).toMatchObject({ ok: false, reason: "foreign_user" });
    } else {
      // Bound to no user: proof of an address or a key, not of an account.
      expect(spec.user).toBe("none");
    }
    expect(await c.consume(token, owner)).toMatchObject({ ok: true });
  });

  it("attack: racing two uses of one secret — exactly one wins", async () => {
    const token = await c.issue(owner);
    const results = await Promise.all([c.consume(token, owner), c.consume(token, owner), c.consume(token, owner)]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it("attack: a database leak — only a hash is stored (SHA-256 of tokens, argon2id of codes)", async () => {
    const token = await c.issue(owner);
    const hash = await storedHash(kind, token);
    if (spec.secret === "argon2id") {
      expect(hash).toMatch(/^\$argon2id\$/);
      expect(await verifyLowEntropySecret(hash, token)).toBe(true);
    } else {
      expect(hash).toBe(sha256Hex(token));
      expect(token.length).toBeGreaterThanOrEqual(32);
    }
  });

  if (spec.maxAttempts !== null) {
    const max = spec.maxAttempts;

    it(`attack: guessing past the budget — ${max} wrong answers kill it, even for the right one after`, async () => {
      const token = await c.issue(owner);
      for (let i = 0; i < max; i++) expect(await c.consume(token, owner, false)).toMatchObject({ reason: "rejected" });
      expect((await c.consume(token, owner)).ok).toBe(false);
    });

    it("the last attempt of the budget may still be the right one", async () => {
      const token = await c.issue(owner);
      for (let i = 0; i < max - 1; i++) expect((await c.consume(token, owner, false)).ok).toBe(false);
      expect(await c.consume(token, owner)).toMatchObject({ ok: true });
    });

    it("attack: parallel guesses — no more are checked than the budget allows", async () => {
      const token = await c.issue(owner);
      const guesses = await Promise.all(Array.from({ length: 2 * max }, () => c.consume(token, owner, false)));
      expect(guesses.filter((g) => g.reason === "rejected")).toHaveLength(max);
      expect(guesses.every((g) => !g.ok)).toBe(true);
      expect((await c.consume(token, owner)).ok).toBe(false);
    });
  }
});

describe("rules of particular kinds", () => {
  it("attack: an OAuth callback cannot move a flow to another tenant — the flow's tenant is the one answered", async () => {
    const state = await issueChallenge(t.deps, "oauth_state", {
      tenantId: owner.tenantId,
      data: { provider: "github", redirectTo: null, nonce: null },
    });
    const flow = await consumeChallenge(t.deps, "oauth_state", state, {});
    expect(flow.ok && flow.challenge.tenantId).toBe(owner.tenantId);
  });

  it("attack: an older SMS code after a new one was sent — only the latest works", async () => {
    const old = await CASES.sms_otp.issue(owner);
    const fresh = await CASES.sms_otp.issue(owner);
    if (old !== fresh) expect((await CASES.sms_otp.consume(old, owner)).ok).toBe(false);
    expect(await CASES.sms_otp.consume(fresh, owner)).toMatchObject({ ok: true });
  });

  it("a consume may lower the budget (maxAttempts): the MFA token dies after two wrong answers", async () => {
    const token = await CASES.mfa_token.issue(owner);
    const answer = (ok: boolean) =>
      consumeChallenge(t.deps, "mfa_token", token, {
        tenantId: owner.tenantId,
        maxAttempts: 2,
        verify: async () => ok,
      });
    expect(await answer(false)).toMatchObject({ reason: "rejected" });
    expect(await answer(false)).toMatchObject({ reason: "rejected" });
    expect(await answer(true)).toMatchObject({ ok: false, reason: "used" });
  });

  it("looking at a live MFA token neither uses it nor spends an attempt; a used or foreign one is not found", async () => {
    const token = await CASES.mfa_token.issue(owner);
    const seen = await findLiveChallenge(t.deps, "mfa_token", token, { tenantId: owner.tenantId });
    expect(seen).toMatchObject({ userId: owner.userId, attempts: 0, data: { purpose: "login", amr: ["email"] } });
    expect(await findLiveChallenge(t.deps, "mfa_token", token, { tenantId: otherTenant.tenantId })).toBeNull();
    expect(await CASES.mfa_token.consume(token, owner)).toMatchObject({ ok: true });
    expect(await findLiveChallenge(t.deps, "mfa_token", token, { tenantId: owner.tenantId })).toBeNull();
  });

  it("a secret of one kind is unknown to every other kind", async () => {
    const nonce = await CASES.siwe_nonce.issue(owner);
    expect(await CASES.siws_nonce.consume(nonce, owner)).toMatchObject({ ok: false, reason: "unknown" });
    expect(await CASES.siwe_nonce.consume(nonce, owner)).toMatchObject({ ok: true });
  });
});
