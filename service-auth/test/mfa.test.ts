import { randomBytes } from "node:crypto";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { rewrapTotpSecrets } from "../src/services/mfa/mfa-factors.service.ts";
import { hotpCode, matchTotpStep, totpBytesFromBase32, totpCode } from "../src/services/mfa/totp.ts";
import { KeyRing } from "../src/services/platform/crypto.ts";
import { jsonPost } from "./fixtures.ts";
import { createTestApp, TEST_KEK, type TestApp } from "./harness.ts";
import { SoftAuthenticator } from "./soft-authenticator.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
beforeEach(() => t.reset());
afterAll(() => t.close());

const ascii = (s: string) => new TextEncoder().encode(s);

describe("TOTP code path: RFC test vectors", () => {
  it("RFC 4226 appendix D (HOTP, SHA-1, 6 digits)", () => {
    const expected = [
      "755224",
      "287082",
      "359152",
      "969429",
      "338314",
      "254676",
      "287922",
      "162583",
      "399871",
      "520489",
    ];
    expected.forEach((code, counter) => {
      expect(hotpCode(ascii("12345678901234567890"), counter)).toBe(code);
    });
  });

  it("RFC 6238 appendix B (TOTP, SHA-1/256/512, 8 digits), generated and matched", () => {
    const seeds = {
      SHA1: ascii("12345678901234567890"),
      SHA256: ascii("12345678901234567890123456789012"),
      SHA512: ascii("1234567890123456789012345678901234567890123456789012345678901234"),
    } as const;
    const table: [number, string, string, string][] = [
      [59, "94287082", "46119246", "90693936"],
      [1111111109, "07081804", "68084774", "25091201"],
      [1111111111, "14050471", "67062674", "99943326"],
      [1234567890, "89005924", "91819424", "93441116"],
      [2000000000, "69279037", "90698825", "38618901"],
      [20000000000, "65353130", "77737706", "47863826"],
    ];
    for (const [time, sha1, sha256, sha512] of table) {
      const ms = time * 1000;
      const step = Math.floor(time / 30);
      for (const [algorithm, code] of [
        ["SHA1", sha1],
        ["SHA256", sha256],
        ["SHA512", sha512],
      ] as const) {
        expect(totpCode(seeds[algorithm], ms, { algorithm, digits: 8 })).toBe(code);
        expect(matchTotpStep(seeds[algorithm], code, ms, { algorithm, digits: 8 })).toBe(step);
        // ±1 step of drift is accepted, 2 steps is not.
        expect(matchTotpStep(seeds[algorithm], code, ms + 30_000, { algorithm, digits: 8 })).toBe(step);
        expect(matchTotpStep(seeds[algorithm], code, ms + 60_000, { algorithm, digits: 8 })).toBeNull();
      }
    }
    expect(matchTotpStep(seeds.SHA1, "abc", 59_000)).toBeNull();
  });
});

// ─── flows ─────────────────────────────────────────────────────────────────────────────────────

const later = (ms: number) => {
  t.clock.now = new Date(t.clock.now.getTime() + ms);
};

/** A real first factor: an e-mail magic link through the dev outbox. */
async function emailLogin(email: string, headers: Record<string, string> = {}) {
  await t.app.request("/auth/email/start", jsonPost({ email }));
  const items = ((await (await t.app.request("/dev/outbox")).json()) as { items: { token: string }[] }).items;
  return t.app.request("/auth/email/verify", jsonPost({ token: items[0]?.token }, headers));
}

/** Signs up by e-mail and enables TOTP: the secret (to compute codes), backup codes and the session. */
async function enrolledUser(email = "mfa@example.test") {
  const first = (await (await emailLogin(email)).json()) as { accessToken: string; user: { id: string } };
  const auth = { authorization: `Bearer ${first.accessToken}` };
  const setup = await t.app.request("/auth/mfa/totp/setup", { method: "POST", headers: auth });
  expect(setup.status).toBe(200);
  const { secret, otpauthUrl, qrCodeDataUrl } = (await setup.json()) as {
    secret: string;
    otpauthUrl: string;
    qrCodeDataUrl: string;
  };
  expect(otpauthUrl).toMatch(new RegExp(`^otpauth://totp/Atlas:${encodeURIComponent(email)}\\?`));
  expect(qrCodeDataUrl).toMatch(/^data:image\/png;base64,/);
  const key = totpBytesFromBase32(secret);
  const enable = await t.app.request(
    "/auth/mfa/totp/enable",
    jsonPost({ code: totpCode(key, t.clock.now.getTime()) }, auth),
  );
  expect(enable.status).toBe(200);
  const { backupCodes } = (await enable.json()) as { backupCodes: string[] };
  return { key, secret, backupCodes, auth, userId: first.user.id };
}

const codeNow = (key: Uint8Array) => totpCode(key, t.clock.now.getTime());

async function challenge(email = "mfa@example.test", headers: Record<string, string> = {}) {
  const res = await emailLogin(email, headers);
  expect(res.status).toBe(401);
  const body = (await res.json()) as { code: string; mfaToken: string; methods: string[] };
  expect(body.code).toBe("MFA_REQUIRED");
  return body;
}

const verify = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  t.app.request("/auth/mfa/verify", jsonPost(body, headers));

describe("TOTP enrolment", () => {
  it("needs a valid code, keeps the secret encrypted, and hashes 10 read-aloud backup codes", async () => {
    const first = (await (await emailLogin("e@example.test")).json()) as { accessToken: string; user: { id: string } };
    const auth = { authorization: `Bearer ${first.accessToken}` };
    const { secret } = (await (
      await t.app.request("/auth/mfa/totp/setup", { method: "POST", headers: auth })
    ).json()) as {
      secret: string;
    };
    const key = totpBytesFromBase32(secret);
    const wrong = await t.app.request(
      "/auth/mfa/totp/enable",
      jsonPost({ code: "000000" === codeNow(key) ? "111111" : "000000" }, auth),
    );
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ code: "INVALID_CREDENTIALS" });
    const ok = await t.app.request("/auth/mfa/totp/enable", jsonPost({ code: codeNow(key) }, auth));
    const { backupCodes } = (await ok.json()) as { backupCodes: string[] };
    expect(backupCodes).toHaveLength(10);
    for (const c of backupCodes) expect(c).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
    expect(new Set(backupCodes).size).toBe(10);

    // The database holds neither the secret nor the codes in a readable form.
    const settings = await t.deps.prisma.mFASettings.findUniqueOrThrow({ where: { userId: first.user.id } });
    const dump = JSON.stringify(settings, (_k, v) => (typeof v === "bigint" ? String(v) : v));
    expect(dump).not.toContain(secret);
    expect(dump).not.toContain(Buffer.from(key).toString("base64"));
    expect(dump).not.toContain(Buffer.from(key).toString("hex"));
    const hashes = await t.deps.prisma.backupCode.findMany({ where: { userId: first.user.id } });
    expect(hashes).toHaveLength(10);
    for (const h of hashes) {
      expect(h.codeHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      for (const c of backupCodes) expect(h.codeHash).not.toContain(c.replace("-", ""));
    }
    // Enabling twice, or setting up while enabled, is a conflict.
    expect((await t.app.request("/auth/mfa/totp/setup", { method: "POST", headers: auth })).status).toBe(409);
    expect(
      await t.deps.prisma.authAuditLog.count({ where: { eventType: "totp_enabled", userId: first.user.id } }),
    ).toBe(1);
  });
});

describe("MFA at login", () => {
  it("every first factor answers MFA_REQUIRED; a TOTP code completes it with amr of both factors", async () => {
    const { key } = await enrolledUser();
    later(60_000);
    const { mfaToken, methods } = await challenge();
    expect(methods).toEqual(["totp", "backup_code"]);
    const res = await verify({ mfaToken, code: codeNow(key) });
    expect(res.status).toBe(200);
    const tokens = (await res.json()) as { accessToken: string };
    expect(decodeJwt(tokens.accessToken).amr).toEqual(["email", "otp", "mfa"]);
    // The token is single use.
    expect((await verify({ mfaToken, code: codeNow(key) })).status).toBe(401);
    expect(await t.deps.prisma.authAuditLog.count({ where: { eventType: "mfa_challenge" } })).toBe(1);
    expect(await t.deps.prisma.authAuditLog.count({ where: { eventType: "mfa_success" } })).toBe(1);
  });

  it("an e-mail link's MFA step carries the flow's redirectTo (restored after the second factor)", async () => {
    const { key } = await enrolledUser("back@example.test");
    later(60_000);
    // Without a redirectTo, the problem has none.
    expect(await challenge("back@example.test")).not.toHaveProperty("redirectTo");
    await t.app.request(
      "/auth/email/start",
      jsonPost({ email: "back@example.test", redirectTo: "http://127.0.0.1:3000/device?user_code=BCDF-GHJK" }),
    );
    const items = ((await (await t.app.request("/dev/outbox")).json()) as { items: { token: string }[] }).items;
    const res = await t.app.request("/auth/email/verify", jsonPost({ token: items[0]?.token }));
    expect(res.status).toBe(401);
    const problem = (await res.json()) as { code: string; mfaToken: string; methods: string[]; redirectTo: string };
    expect(problem).toMatchObject({
      code: "MFA_REQUIRED",
      methods: ["totp", "backup_code"],
      redirectTo: "http://127.0.0.1:3000/device?user_code=BCDF-GHJK",
    });
    expect((await verify({ mfaToken: problem.mfaToken, code: codeNow(key) })).status).toBe(200);
  });

  it("a TOTP code replayed within its window is rejected", async () => {
    const { key } = await enrolledUser();
    later(60_000);
    const code = codeNow(key);
    const a = await challenge();
    expect((await verify({ mfaToken: a.mfaToken, code })).status).toBe(200);
    const b = await challenge();
    const replay = await verify({ mfaToken: b.mfaToken, code });
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ code: "INVALID_CREDENTIALS" });
    // The next step's code works.
    later(30_000);
    expect((await verify({ mfaToken: b.mfaToken, code: codeNow(key) })).status).toBe(200);
  });

  it("a backup code works exactly once and says how many remain", async () => {
    const { backupCodes } = await enrolledUser();
    const code = backupCodes[3] ?? "";
    const a = await challenge();
    const ok = await verify({ mfaToken: a.mfaToken, backupCode: code.toLowerCase() });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { accessToken: string; backupCodesRemaining: number };
    expect(body.backupCodesRemaining).toBe(9);
    expect(decodeJwt(body.accessToken).amr).toEqual(["email", "backup_code", "mfa"]);
    const b = await challenge();
    expect((await verify({ mfaToken: b.mfaToken, backupCode: code })).status).toBe(401);
    expect(await t.deps.prisma.authAuditLog.count({ where: { eventType: "backup_code_used" } })).toBe(1);
  });

  it("the 6th attempt on an mfaToken finds it dead, even with the right code", async () => {
    const { key } = await enrolledUser();
    later(60_000);
    const { mfaToken } = await challenge();
    const right = codeNow(key);
    const wrong = right === "123456" ? "654321" : "123456";
    for (let i = 0; i < 5; i++) {
      const res = await verify({ mfaToken, code: wrong });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: "INVALID_CREDENTIALS" });
    }
    const sixth = await verify({ mfaToken, code: right });
    expect(sixth.status).toBe(401);
    expect(await sixth.json()).toMatchObject({ code: "INVALID_TOKEN" });
    expect(await t.deps.prisma.authAuditLog.count({ where: { eventType: "mfa_failure" } })).toBe(6);
    // Expired tokens too.
    const fresh = await challenge();
    later(5 * 60_000 + 1);
    expect((await verify({ mfaToken: fresh.mfaToken, code: codeNow(key) })).status).toBe(401);
    // Bad bodies are 400.
    expect((await verify({ mfaToken: fresh.mfaToken })).status).toBe(400);
    expect((await verify({ mfaToken: fresh.mfaToken, code: "123456", backupCode: "ABCDE-FGHJK" })).status).toBe(400);
  });

  it("a trusted device skips MFA until revoked or expired, and only on the same device", async () => {
    const { key, auth } = await enrolledUser();
    const ua = { "user-agent": "Laptop/1.0", "accept-language": "en" };
    later(60_000);
    const { mfaToken } = await challenge(undefined, ua);
    const res = await verify({ mfaToken, code: codeNow(key), trustDevice: true }, ua);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("atlas_device="));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/auth/);
    const device = { ...ua, cookie: (cookie ?? "").split(";")[0] ?? "" };
    const direct = await emailLogin("mfa@example.test", device);
    expect(direct.status).toBe(200);
    // The same token from another device (other user agent) does not count.
    expect((await emailLogin("mfa@example.test", { ...device, "user-agent": "Thief/1.0" })).status).toBe(401);
    // Listed, then revoked.
    const list = (await (
      await t.app.request("/auth/mfa/trusted-devices", { headers: { ...auth, ...device } })
    ).json()) as {
      items: { id: string; current: boolean; label: string }[];
    };
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({ current: true, label: "Laptop/1.0" });
    const id = list.items[0]?.id ?? "";
    expect((await t.app.request(`/auth/mfa/trusted-devices/${id}`, { method: "DELETE", headers: auth })).status).toBe(
      204,
    );
    expect((await t.app.request(`/auth/mfa/trusted-devices/${id}`, { method: "DELETE", headers: auth })).status).toBe(
      404,
    );
    expect((await emailLogin("mfa@example.test", device)).status).toBe(401);

    // Expiry after MFA_TRUSTED_DEVICE_DAYS.
    later(60_000);
    const again = await challenge(undefined, ua);
    const res2 = await verify({ mfaToken: again.mfaToken, code: codeNow(key), trustDevice: true }, ua);
    const device2 = { ...ua, cookie: (res2.headers.getSetCookie()[0] ?? "").split(";")[0] ?? "" };
    expect((await emailLogin("mfa@example.test", device2)).status).toBe(200);
    later(30 * 86_400_000 + 1);
    expect((await emailLogin("mfa@example.test", device2)).status).toBe(401);
  });
});

describe("step-up for sensitive operations", () => {
  it("PAT creation, backup-code regeneration and disabling TOTP need recent MFA; a step-up restores it", async () => {
    const { key, auth } = await enrolledUser();
    // Just enabled: the session counts as verified.
    const pat = () => t.app.request("/auth/pats", jsonPost({ name: "ci", scopes: ["profile:read"] }, auth));
    expect((await pat()).status).toBe(201);
    later(11 * 60_000);
    const refused = await pat();
    expect(refused.status).toBe(401);
    const problem = (await refused.json()) as { code: string; mfaToken: string; methods: string[] };
    expect(problem.code).toBe("MFA_REQUIRED");
    const regen = await t.app.request("/auth/mfa/backup-codes", { method: "POST", headers: auth });
    expect(regen.status).toBe(401);
    // Changing billing too; the refusal is not stored as the Idempotency-Key's answer.
    const billing = await t.app.request(
      "/billing/subscriptions",
      jsonPost({ planId: "pro" }, { ...auth, "idempotency-key": "plan-change-1" }),
    );
    expect(billing.status).toBe(401);
    expect(await billing.json()).toMatchObject({ code: "MFA_REQUIRED" });
    const detach = await t.app.request("/billing/payment-methods/pm_123", { method: "DELETE", headers: auth });
    expect(detach.status).toBe(401);
    expect(await t.deps.prisma.idempotencyKey.count()).toBe(0);
    expect((await t.app.request("/auth/mfa/totp/disable", jsonPost({ code: codeNow(key) }, auth))).status).toBe(401);

    const stepped = await verify({ mfaToken: problem.mfaToken, code: codeNow(key) });
    expect(stepped.status).toBe(200);
    const fresh = (await stepped.json()) as { accessToken: string; refreshToken?: string };
    expect(fresh.refreshToken).toBeUndefined();
    expect(decodeJwt(fresh.accessToken).amr).toEqual(["email", "otp", "mfa"]);
    // The same session is verified now: the old access token works for step-up routes too.
    expect((await pat()).status).toBe(201);
    const codes = await t.app.request("/auth/mfa/backup-codes", { method: "POST", headers: auth });
    expect(codes.status).toBe(200);
    expect(((await codes.json()) as { backupCodes: string[] }).backupCodes).toHaveLength(10);
    later(30_000);
    expect((await t.app.request("/auth/mfa/totp/disable", jsonPost({ code: codeNow(key) }, auth))).status).toBe(204);
    // MFA off: logins go straight through again.
    expect((await emailLogin("mfa@example.test")).status).toBe(200);
  });

  it("users without MFA are not blocked", async () => {
    const first = (await (await emailLogin("plain@example.test")).json()) as { accessToken: string };
    const auth = { authorization: `Bearer ${first.accessToken}` };
    // Well past the step-up window (10 min), within the access token's life (15 min).
    later(14 * 60_000);
    expect((await t.app.request("/auth/pats", jsonPost({ name: "ci", scopes: ["profile:read"] }, auth))).status).toBe(
      201,
    );
  });
});

describe("tenant policy: MFA required", () => {
  it("a user without MFA enrols TOTP during login, then logs in with both factors", async () => {
    await t.deps.prisma.tenant.update({ where: { slug: "default" }, data: { settings: { mfa: "required" } } });
    t.app = (await import("../src/app.ts")).createApp(t.deps);
    const { mfaToken, methods } = await challenge("new@example.test");
    expect(methods).toEqual(["totp_setup"]);
    // A backup code is no way out when none exist.
    expect((await verify({ mfaToken, backupCode: "ABCDE-FGHJK" })).status).toBe(401);
    const setup = await t.app.request("/auth/mfa/enroll", jsonPost({ mfaToken }));
    expect(setup.status).toBe(200);
    const { secret } = (await setup.json()) as { secret: string };
    const done = await verify({ mfaToken, code: codeNow(totpBytesFromBase32(secret)) });
    expect(done.status).toBe(200);
    const body = (await done.json()) as { accessToken: string; backupCodes: string[] };
    expect(body.backupCodes).toHaveLength(10);
    expect(decodeJwt(body.accessToken).amr).toEqual(["email", "otp", "mfa"]);
    expect((await t.app.request("/auth/mfa/enroll", jsonPost({ mfaToken }))).status).toBe(401);
  });
});

describe("WebAuthn as the second factor", () => {
  const ORIGIN = "http://localhost:3000";
  async function addPasskey(auth: Record<string, string>) {
    const authenticator = new SoftAuthenticator(ORIGIN);
    const options = await t.app.request("/auth/passkey/register/options", jsonPost({}, { ...auth, origin: ORIGIN }));
    const res = await t.app.request(
      "/auth/passkey/register/verify",
      jsonPost({ response: authenticator.create((await options.json()) as never) }, { ...auth, origin: ORIGIN }),
    );
    expect(res.status).toBe(201);
    return { authenticator, passkey: (await res.json()) as { id: string } };
  }

  it("a registered passkey answers the MFA step; another user's passkey does not; deleting one needs step-up", async () => {
    const { auth } = await enrolledUser();
    const { authenticator, passkey } = await addPasskey(auth);
    const { mfaToken, methods } = await challenge();
    expect(methods).toEqual(["totp", "webauthn", "backup_code"]);
    const options = await t.app.request("/auth/mfa/webauthn/options", jsonPost({ mfaToken }, { origin: ORIGIN }));
    expect(options.status).toBe(200);
    const requestOptions = (await options.json()) as { challenge: string; allowCredentials: { id: string }[] };
    expect(requestOptions.allowCredentials.map((c) => c.id)).toEqual([authenticator.id]);

    // Someone else's passkey (registered to another account) is refused and costs an attempt.
    const other = await enrolledUser("other@example.test");
    const { authenticator: stranger } = await addPasskey(other.auth);
    const wrong = await verify({ mfaToken, webauthn: stranger.get(requestOptions) });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ code: "INVALID_CREDENTIALS" });

    const options2 = (await (
      await t.app.request("/auth/mfa/webauthn/options", jsonPost({ mfaToken }, { origin: ORIGIN }))
    ).json()) as { challenge: string };
    const ok = await verify({ mfaToken, webauthn: authenticator.get(options2) });
    expect(ok.status).toBe(200);
    expect(decodeJwt(((await ok.json()) as { accessToken: string }).accessToken).amr).toEqual(["email", "hwk", "mfa"]);
    expect((await t.app.request("/auth/mfa/webauthn/options", jsonPost({ mfaToken }, { origin: ORIGIN }))).status).toBe(
      401,
    );

    // Step-up guards passkey deletion.
    later(11 * 60_000);
    const del = await t.app.request(`/auth/passkeys/${passkey.id}`, { method: "DELETE", headers: auth });
    expect(del.status).toBe(401);
    expect(await del.json()).toMatchObject({ code: "MFA_REQUIRED" });
  });

  it("a passkey login (user verification) is not asked for another factor", async () => {
    const { auth } = await enrolledUser();
    const { authenticator } = await addPasskey(auth);
    const options = await t.app.request("/auth/passkey/login/options", jsonPost({}, { origin: ORIGIN }));
    const res = await t.app.request(
      "/auth/passkey/login/verify",
      jsonPost({ response: authenticator.get((await options.json()) as never) }),
    );
    expect(res.status).toBe(200);
    expect(decodeJwt(((await res.json()) as { accessToken: string }).accessToken).amr).toEqual(["hwk"]);
  });
});

describe("KEK rotation", () => {
  it("re-wraps TOTP secrets under the new KEK; codes keep working once the old KEK is gone", async () => {
    const { key, userId } = await enrolledUser();
    const original = t.deps.keyRing;
    try {
      const next = `k2:${randomBytes(32).toString("base64")}`;
      t.deps.keyRing = KeyRing.parse(`${next},${TEST_KEK}`, t.deps.random);
      expect(await rewrapTotpSecrets(t.deps)).toBe(1);
      expect(await rewrapTotpSecrets(t.deps)).toBe(0);
      const row = await t.deps.prisma.mFASettings.findUniqueOrThrow({ where: { userId } });
      expect(row.totpSecretKekId).toBe("k2");
      t.deps.keyRing = KeyRing.parse(next, t.deps.random);
      later(60_000);
      const { mfaToken } = await challenge();
      expect((await verify({ mfaToken, code: codeNow(key) })).status).toBe(200);
    } finally {
      t.deps.keyRing = original;
    }
  });
});
