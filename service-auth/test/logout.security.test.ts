// "Log out everywhere" (issue 18 §9): what a thief kept from a stolen session — a trusted-device
// cookie that skips the second factor, a personal access token — must not survive it.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { totpBytesFromBase32, totpCode } from "../src/services/mfa/totp.ts";
import { jsonPost } from "./fixtures.ts";
import { createTestApp, type TestApp } from "./harness.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
beforeEach(() => t.reset());
afterAll(() => t.close());

const EMAIL = "owner@example.test";
const later = (ms: number) => {
  t.clock.now = new Date(t.clock.now.getTime() + ms);
};

async function emailLogin(headers: Record<string, string> = {}) {
  await t.app.request("/auth/email/start", jsonPost({ email: EMAIL }));
  const items = ((await (await t.app.request("/dev/outbox")).json()) as { items: { token: string }[] }).items;
  return t.app.request("/auth/email/verify", jsonPost({ token: items[0]?.token }, headers));
}

/** A user with TOTP, a trusted browser (its cookie) and a PAT: what a thief could have taken. */
async function userWithTrustedDeviceAndPat() {
  const first = (await (await emailLogin()).json()) as { accessToken: string };
  const auth = { authorization: `Bearer ${first.accessToken}` };
  const setup = (await (await t.app.request("/auth/mfa/totp/setup", { method: "POST", headers: auth })).json()) as {
    secret: string;
  };
  const key = totpBytesFromBase32(setup.secret);
  const code = () => totpCode(key, t.clock.now.getTime());
  expect((await t.app.request("/auth/mfa/totp/enable", jsonPost({ code: code() }, auth))).status).toBe(200);
  const pat = await t.app.request("/auth/pats", jsonPost({ name: "laptop", scopes: ["profile:read"] }, auth));
  expect(pat.status).toBe(201);
  const { token } = (await pat.json()) as { token: string };

  later(60_000);
  const ua = { "user-agent": "Thief/1.0" };
  const challenged = (await (await emailLogin(ua)).json()) as { mfaToken: string };
  const verified = await t.app.request(
    "/auth/mfa/verify",
    jsonPost({ mfaToken: challenged.mfaToken, code: code(), trustDevice: true }, ua),
  );
  expect(verified.status).toBe(200);
  const session = (await verified.json()) as { accessToken: string };
  const cookie = (verified.headers.getSetCookie().find((c) => c.startsWith("atlas_device=")) ?? "").split(";")[0];
  const device = { ...ua, cookie: cookie ?? "" };
  // The trusted browser skips the second factor.
  expect((await emailLogin(device)).status).toBe(200);
  return { code, device, pat: token, session: { authorization: `Bearer ${session.accessToken}` } };
}

const me = (auth: Record<string, string>) => t.app.request("/auth/me", { headers: auth });

describe("logout everywhere", () => {
  it("a stolen trusted-device cookie no longer skips MFA after logout-all (trusted-device persistence)", async () => {
    const { device, pat, session } = await userWithTrustedDeviceAndPat();
    const res = await t.app.request("/auth/logout-all", { method: "POST", headers: session });
    expect(res.status).toBe(204);
    expect((await me(session)).status).toBe(401);
    // The thief's trusted browser is asked for the second factor again.
    const again = await emailLogin(device);
    expect(again.status).toBe(401);
    expect(await again.json()).toMatchObject({ code: "MFA_REQUIRED" });
    expect(await t.deps.prisma.trustedDevice.count({ where: { revokedAt: null } })).toBe(0);
    // PATs were not asked for: they keep working.
    expect((await me({ authorization: `Bearer ${pat}` })).status).toBe(200);
    const audit = await t.deps.prisma.authAuditLog.findFirstOrThrow({ where: { eventType: "logout_all" } });
    expect(audit.details).toEqual({ sessions: 3, trustedDevices: 1, pats: null });
  });

  it("a stolen PAT stops working after logout-all with includePats (PAT persistence)", async () => {
    const { code, pat, session } = await userWithTrustedDeviceAndPat();
    expect((await me({ authorization: `Bearer ${pat}` })).status).toBe(200);
    const res = await t.app.request("/auth/logout-all", jsonPost({ includePats: true }, session));
    expect(res.status).toBe(204);
    const refused = await me({ authorization: `Bearer ${pat}` });
    expect(refused.status).toBe(401);
    expect(await t.deps.prisma.personalAccessToken.count({ where: { revokedAt: null } })).toBe(0);
    const audit = await t.deps.prisma.authAuditLog.findFirstOrThrow({ where: { eventType: "logout_all" } });
    expect(audit.details).toEqual({ sessions: 3, trustedDevices: 1, pats: 1 });

    // A strict body: unknown members and wrong types are 400, and change nothing.
    later(30_000);
    const challenged = (await (await emailLogin()).json()) as { mfaToken: string };
    const fresh = (await (
      await t.app.request("/auth/mfa/verify", jsonPost({ mfaToken: challenged.mfaToken, code: code() }))
    ).json()) as {
      accessToken: string;
    };
    const auth = { authorization: `Bearer ${fresh.accessToken}` };
    expect((await t.app.request("/auth/logout-all", jsonPost({ includePats: "yes" }, auth))).status).toBe(400);
    expect((await t.app.request("/auth/logout-all", jsonPost({ everything: true }, auth))).status).toBe(400);
    expect((await me(auth)).status).toBe(200);
  });
});
