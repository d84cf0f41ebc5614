// Privacy by design (issue 7 item 8): GET /auth/me/export and DELETE /auth/me on a user with
// every kind of identity, factor, token and session, set up through the real endpoints where
// that is cheap (SIWE login, e-mail and phone linking, PAT, TOTP) and rows where it is not.
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { REDACTED, scrubAuditDetails, truncateIp } from "../src/services/audit/audit-retention.service.ts";
import { totpBytesFromBase32, totpCode } from "../src/services/mfa/totp.ts";
import { sha256Hex } from "../src/services/platform/crypto.ts";
import { jsonPost } from "./fixtures.ts";
import { createTestApp, type TestApp } from "./harness.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
beforeEach(() => t.reset());
afterAll(() => t.close());

const EMAIL = "alice.privacy@example.test";
const PHONE = "+14155550177";
const OAUTH_SUBJECT = "google-oauth-subject-8841729";
const OAUTH_EMAIL = "alice.google@example.test";

const later = (ms: number) => {
  t.clock.now = new Date(t.clock.now.getTime() + ms);
};

type Outbox = { items: { to: string; token?: string; code?: string; subject: string | null }[] };
const outbox = async () => ((await (await t.app.request("/dev/outbox")).json()) as Outbox).items;

function siweMessage(address: string, nonce: string) {
  return [
    "localhost:3000 wants you to sign in with your Ethereum account:",
    address,
    "",
    "Sign in to Atlas",
    "",
    "URI: http://localhost:3000",
    "Version: 1",
    "Chain ID: 1",
    `Nonce: ${nonce}`,
    `Issued At: ${t.clock.now.toISOString()}`,
  ].join("\n");
}

async function siwe(account: ReturnType<typeof privateKeyToAccount>, sign = account) {
  const nonce = ((await (await t.app.request("/auth/siwe/nonce")).json()) as { nonce: string }).nonce;
  const message = siweMessage(account.address, nonce);
  return t.app.request("/auth/siwe/verify", jsonPost({ message, signature: await sign.signMessage({ message }) }));
}

/** A user with every kind of personal data Atlas stores. */
async function fullUser() {
  const wallet = privateKeyToAccount(generatePrivateKey());
  const intruder = privateKeyToAccount(generatePrivateKey());
  // Wallet login (creates the user), plus a failed attempt naming the address (audit details).
  const login = await siwe(wallet);
  expect(login.status).toBe(200);
  expect((await siwe(wallet, intruder)).status).toBe(401);
  const tokens = (await login.json()) as { accessToken: string; user: { id: string; tenantId: string } };
  const userId = tokens.user.id;
  const tenantId = tokens.user.tenantId;
  let auth = { authorization: `Bearer ${tokens.accessToken}` };

  // E-mail and phone linked through their confirmation flows.
  expect((await t.app.request("/auth/identities/email/start", jsonPost({ email: EMAIL }, auth))).status).toBe(202);
  const link = (await outbox()).find((i) => i.to === EMAIL)?.token;
  expect((await t.app.request("/auth/identities/email/verify", jsonPost({ token: link }, auth))).status).toBe(201);
  expect((await t.app.request("/auth/identities/sms/start", jsonPost({ phone: PHONE }, auth))).status).toBe(202);
  const code = (await outbox()).find((i) => i.to === PHONE)?.code;
  expect((await t.app.request("/auth/identities/sms/verify", jsonPost({ phone: PHONE, code }, auth))).status).toBe(201);
  await t.deps.prisma.user.update({
    where: { id: userId },
    data: { email: EMAIL, phone: PHONE, displayName: "Alice Privacy" },
  });
  // A sign-in link requested for the address (a magic_link row and an audit row with its hash).
  expect((await t.app.request("/auth/email/start", jsonPost({ email: EMAIL }))).status).toBe(202);

  // OAuth identity and passkey as the flows store them (their flows need a browser or an IdP).
  await t.deps.prisma.identity.create({
    data: {
      tenantId,
      userId,
      provider: "oauth:google",
      subject: OAUTH_SUBJECT,
      metadata: { email: OAUTH_EMAIL, name: "Alice P." },
    },
  });
  const passkey = await t.deps.prisma.webAuthnCredential.create({
    data: {
      userId,
      credentialIdBase64: "cred-alice-1",
      publicKey: Buffer.from("public-key-bytes-of-alice"),
      friendlyName: "Alice's laptop",
      transports: ["internal"],
    },
  });

  // PAT, then TOTP (enabling it verifies the session's MFA).
  const patRes = await t.app.request("/auth/pats", jsonPost({ name: "alice-cli", scopes: ["profile:read"] }, auth));
  expect(patRes.status).toBe(201);
  const pat = (await patRes.json()) as { id: string; token: string };
  // A device login (`atlas login`) the user turned down.
  const device = (await (
    await t.app.request("/auth/device/code", jsonPost({ client_id: "atlas-cli", hostname: "alice-laptop" }))
  ).json()) as { user_code: string };
  expect((await t.app.request("/auth/device/deny", jsonPost({ user_code: device.user_code }, auth))).status).toBe(200);
  const setup = (await (await t.app.request("/auth/mfa/totp/setup", { method: "POST", headers: auth })).json()) as {
    secret: string;
  };
  const key = totpBytesFromBase32(setup.secret);
  const enable = await t.app.request(
    "/auth/mfa/totp/enable",
    jsonPost({ code: totpCode(key, t.clock.now.getTime()) }, auth),
  );
  expect(enable.status).toBe(200);
  await t.deps.prisma.trustedDevice.create({
    data: {
      userId,
      deviceHash: "alice-device-hash",
      tokenHash: sha256Hex("alice-device-token"),
      label: "Alice's phone",
      expiresAt: new Date(t.clock.now.getTime() + 86_400_000),
    },
  });
  // A second session (another device).
  const second = await siwe(wallet);
  expect(second.status).toBe(401); // MFA is on now: the wallet login owes a second factor.
  const mfaToken = ((await second.json()) as { mfaToken: string }).mfaToken;
  later(30_000);
  const verified = await t.app.request(
    "/auth/mfa/verify",
    jsonPost({ mfaToken, code: totpCode(key, t.clock.now.getTime()) }),
  );
  expect(verified.status).toBe(200);
  auth = { authorization: `Bearer ${((await verified.json()) as { accessToken: string }).accessToken}` };

  // Billing: a profile and a live subscription (rows as the billing code writes them).
  const profile = await t.deps.prisma.billingProfile.create({ data: { customerId: userId, tenantId } });
  const subscription = await t.deps.prisma.subscription.create({
    data: {
      billingProfileId: profile.id,
      planId: "pro",
      status: "active",
      currentPeriodStart: t.clock.now,
      currentPeriodEnd: new Date(t.clock.now.getTime() + 30 * 86_400_000),
    },
  });
  // A lockout counter keyed by the account.
  await t.deps.prisma.lockoutState.create({ data: { tenantId, key: `user:${userId}|ip:203.0.113.9`, failures: 2 } });
  // Counters of attempts against an identifier (not yet resolved to the user) are keyed by its hash.
  await t.deps.prisma.lockoutState.create({
    data: { tenantId, key: `id:${sha256Hex(wallet.address.toLowerCase())}`, failures: 1 },
  });
  // Geolocated audit rows (the risk engine's `country, city`).
  await t.deps.prisma.authAuditLog.updateMany({ where: { userId }, data: { geoLocation: "GB, London" } });
  return { userId, tenantId, auth, wallet: wallet.address, key, pat, passkey, subscription };
}

describe("GET /auth/me/export", () => {
  it("contains every identity, session, passkey, PAT (without secrets) and audit event of a fully set-up user", async () => {
    const u = await fullUser();
    const res = await t.app.request("/auth/me/export", { headers: u.auth });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("content-disposition")).toContain("attachment");
    const text = await res.text();
    const data = JSON.parse(text) as Record<string, unknown> & {
      identities: { id: string; provider: string; subject: string }[];
      sessions: { id: string }[];
      passkeys: { id: string; friendlyName: string }[];
      personalAccessTokens: { id: string; name: string }[];
      deviceAuthorizations: { hostname: string; status: string }[];
      auditEvents: { id: string }[];
      trustedDevices: { label: string }[];
      pendingSignIns: { magicLinks: { email: string }[]; smsCodes: { phone: string }[] };
      billing: { profile: { customerId: string } | null; subscriptions: { id: string; status: string }[] };
    };
    const db = t.deps.prisma;
    expect(data.user).toMatchObject({ id: u.userId, email: EMAIL, phone: PHONE, displayName: "Alice Privacy" });
    const identities = await db.identity.findMany({ where: { userId: u.userId } });
    expect(identities).toHaveLength(4);
    expect(data.identities.map((i) => i.id).sort()).toEqual(identities.map((i) => i.id).sort());
    expect(data.identities.map((i) => i.subject)).toEqual(
      expect.arrayContaining([EMAIL, PHONE, u.wallet, OAUTH_SUBJECT]),
    );
    const sessions = await db.session.findMany({ where: { userId: u.userId } });
    expect(sessions.length).toBeGreaterThanOrEqual(2);
    expect(data.sessions.map((s) => s.id).sort()).toEqual(sessions.map((s) => s.id).sort());
    expect(data.passkeys).toEqual([expect.objectContaining({ id: u.passkey.id, friendlyName: "Alice's laptop" })]);
    expect(data.personalAccessTokens).toEqual([expect.objectContaining({ id: u.pat.id, name: "alice-cli" })]);
    expect(data.deviceAuthorizations).toEqual([
      expect.objectContaining({ hostname: "alice-laptop", status: "denied", clientName: "Atlas CLI" }),
    ]);
    expect(data.mfa).toMatchObject({ totpEnabled: true, backupCodes: { total: 10, unused: 10 } });
    expect(data.trustedDevices).toEqual([expect.objectContaining({ label: "Alice's phone" })]);
    expect(data.pendingSignIns.magicLinks.map((m) => m.email)).toContain(EMAIL);
    expect(data.pendingSignIns.smsCodes.map((m) => m.phone)).toEqual([PHONE]);
    const audit = await db.authAuditLog.findMany({ where: { userId: u.userId } });
    // The export itself is audited after it was assembled.
    expect(data.auditEvents.map((e) => e.id).sort()).toEqual(
      audit
        .filter((a) => a.eventType !== "data_exported")
        .map((a) => a.id)
        .sort(),
    );
    expect(audit.some((a) => a.eventType === "data_exported")).toBe(true);
    expect(data.billing.profile).toMatchObject({ customerId: u.userId });
    expect(data.billing.subscriptions).toEqual([expect.objectContaining({ id: u.subscription.id, status: "active" })]);

    // No secrets: PAT token or hash, TOTP secret, backup-code hashes, refresh-token hashes, passkey public key.
    const pat = await db.personalAccessToken.findUniqueOrThrow({ where: { id: u.pat.id } });
    const mfa = await db.mFASettings.findUniqueOrThrow({ where: { userId: u.userId } });
    const secrets = [
      u.pat.token,
      pat.tokenHash,
      String(mfa.totpSecret),
      Buffer.from(u.key).toString("hex"),
      Buffer.from("public-key-bytes-of-alice").toString("base64url"),
      sha256Hex("alice-device-token"),
      ...(await db.backupCode.findMany({ where: { userId: u.userId } })).map((b) => b.codeHash),
      ...(await db.refreshToken.findMany()).map((r) => r.tokenHash),
    ];
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toContain("tokenHash");
    expect(text).not.toContain("codeHash");
  });

  it("needs authentication", async () => {
    expect((await t.app.request("/auth/me/export")).status).toBe(401);
  });
});

/** Every table of the given schemas, for the "nothing links the person any more" scan. */
async function rowsMentioning(needle: string) {
  const tables = await t.deps.prisma.$queryRaw<{ schema: string; name: string }[]>`
    SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
    WHERE table_schema IN ('auth', 'billing') AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'`;
  expect(tables.length).toBeGreaterThan(20);
  const hits: string[] = [];
  for (const { schema, name } of tables) {
    const [row] = await t.deps.prisma.$queryRawUnsafe<{ n: bigint }[]>(
      `SELECT count(*) AS n FROM "${schema}"."${name}" AS r WHERE r::text ILIKE $1`,
      `%${needle}%`,
    );
    if (row && row.n > 0n) hits.push(`${schema}.${name}`);
  }
  return hits;
}

describe("DELETE /auth/me", () => {
  it("asks MFA users for a recent second factor, then erases every link to their e-mail, phone, wallet and OAuth subject", async () => {
    const u = await fullUser();
    const needles = [
      EMAIL,
      PHONE,
      u.wallet,
      OAUTH_SUBJECT,
      OAUTH_EMAIL,
      sha256Hex(EMAIL),
      sha256Hex(PHONE),
      "Alice Privacy",
    ];
    // Before: the person is all over the place.
    expect(await rowsMentioning(EMAIL)).toEqual(
      expect.arrayContaining(["auth.auth_users", "auth.auth_identities", "auth.auth_magic_links"]),
    );
    expect(await rowsMentioning(u.wallet)).toEqual(expect.arrayContaining(["auth.auth_audit_logs"]));

    // Past the step-up window: MFA_REQUIRED, nothing deleted.
    later(11 * 60_000);
    const refused = await t.app.request("/auth/me", { method: "DELETE", headers: u.auth });
    expect(refused.status).toBe(401);
    const problem = (await refused.json()) as { code: string; mfaToken: string };
    expect(problem.code).toBe("MFA_REQUIRED");
    expect(await t.deps.prisma.identity.count({ where: { userId: u.userId } })).toBe(4);
    const stepped = await t.app.request(
      "/auth/mfa/verify",
      jsonPost({ mfaToken: problem.mfaToken, code: totpCode(u.key, t.clock.now.getTime()) }),
    );
    expect(stepped.status).toBe(200);

    const deleted = await t.app.request("/auth/me", { method: "DELETE", headers: u.auth });
    expect(deleted.status).toBe(204);

    for (const needle of needles) expect(await rowsMentioning(needle), needle).toEqual([]);
    const db = t.deps.prisma;
    const user = await db.user.findUniqueOrThrow({ where: { id: u.userId } });
    expect(user).toMatchObject({ email: null, phone: null, displayName: null, roles: [], deletedAt: t.clock.now });
    for (const count of [
      db.identity.count({ where: { userId: u.userId } }),
      db.session.count({ where: { userId: u.userId } }),
      db.refreshTokenFamily.count(),
      db.refreshToken.count(),
      db.personalAccessToken.count({ where: { userId: u.userId } }),
      db.deviceAuthorization.count({ where: { userId: u.userId } }),
      db.webAuthnCredential.count({ where: { userId: u.userId } }),
      db.mFASettings.count({ where: { userId: u.userId } }),
      db.backupCode.count({ where: { userId: u.userId } }),
      db.trustedDevice.count({ where: { userId: u.userId } }),
      db.authChallenge.count({ where: { userId: u.userId } }),
      db.magicLink.count(),
      db.otpCode.count(),
      db.lockoutState.count(),
    ]) {
      expect(await count).toBe(0);
    }
    // The audit trail stays, pseudonymised: truncated IPs, no user agents, no identifiers.
    const trail = await db.authAuditLog.findMany({ where: { userId: u.userId } });
    expect(trail.length).toBeGreaterThan(10);
    expect(trail.filter((r) => r.geoLocation === "GB").length).toBeGreaterThan(5);
    for (const row of trail) {
      expect(truncateIp(row.ipAddress)).toBe(row.ipAddress);
      expect(row.userAgent).toBeNull();
      expect(row.geoLocation === null || row.geoLocation === "GB").toBe(true);
    }
    const summary = trail.find((r) => r.eventType === "account_deleted");
    expect(summary?.details).toMatchObject({ identities: 4, subscriptionsCanceled: 1 });
    // The live subscription is canceled through the billing outbox.
    const event = await db.billingEvent.findFirstOrThrow({ where: { eventType: "subscription.canceled" } });
    expect(event).toMatchObject({
      sourceService: "service-auth",
      payload: { userId: u.userId, subscriptionId: u.subscription.id, planId: "pro", tenantId: u.tenantId },
    });
    // The address the account had hears that it was deleted (and nothing names the account).
    const notice = (await outbox()).find((i) => i.to === EMAIL && i.subject === "Your Atlas account was deleted");
    expect(notice).toBeDefined();
    // Every token of the account is dead: the access token, the PAT.
    expect((await t.app.request("/auth/me", { headers: u.auth })).status).toBe(401);
    expect((await t.app.request("/auth/me/export", { headers: u.auth })).status).toBe(401);
    expect((await t.app.request("/auth/pats", { headers: { authorization: `Bearer ${u.pat.token}` } })).status).toBe(
      401,
    );
    // The same e-mail later starts a brand-new account.
    await t.app.request("/auth/email/start", jsonPost({ email: EMAIL }));
    const token = (await outbox()).find((i) => i.to === EMAIL && i.subject?.includes("sign-in"))?.token;
    const fresh = await t.app.request("/auth/email/verify", jsonPost({ token }));
    expect(fresh.status).toBe(200);
    expect(((await fresh.json()) as { user: { id: string } }).user.id).not.toBe(u.userId);
  });

  it("deletes a user without MFA at once, and needs authentication", async () => {
    expect((await t.app.request("/auth/me", { method: "DELETE" })).status).toBe(401);
    const login = await siwe(privateKeyToAccount(generatePrivateKey()));
    const { accessToken, user } = (await login.json()) as { accessToken: string; user: { id: string } };
    const headers = { authorization: `Bearer ${accessToken}` };
    const noticesBefore = (await outbox()).filter((i) => i.subject?.endsWith("account was deleted")).length;
    expect((await t.app.request("/auth/me", { method: "DELETE", headers })).status).toBe(204);
    expect((await t.deps.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).deletedAt).toEqual(t.clock.now);
    expect(await t.deps.prisma.identity.count()).toBe(0);
    expect(await t.deps.prisma.billingEvent.count()).toBe(0);
    // A wallet-only account had no address to tell.
    expect((await outbox()).filter((i) => i.subject?.endsWith("account was deleted")).length).toBe(noticesBefore);
  });

  it("scrubs identifiers from audit details at any depth", () => {
    const needles = ["alice@example.test", "0xabc123"];
    expect(
      scrubAuditDetails(
        {
          method: "siwe",
          address: "0xABC123",
          nested: { note: "login by alice@example.test", list: ["ok", "0xAbC123 again"], count: 3 },
          emailHash: "f00",
        },
        needles,
      ),
    ).toEqual({
      method: "siwe",
      address: REDACTED,
      nested: { note: REDACTED, list: ["ok", REDACTED], count: 3 },
      emailHash: REDACTED,
    });
  });
});
