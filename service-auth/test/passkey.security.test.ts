// Passkeys against MFA (issue 18 §1): a passkey login counts as two factors, so registering one
// needs the same recent second factor as removing one. And the decoy answer for unknown addresses
// (issue 18 §6). Real software authenticators, real TOTP.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { totpBytesFromBase32, totpCode } from "../src/services/mfa/totp.ts";
import { jsonPost, loginTestUser } from "./fixtures.ts";
import { createTestApp, type TestApp } from "./harness.ts";
import { SoftAuthenticator } from "./soft-authenticator.ts";

const ORIGIN = "http://localhost:3000";
const EMAIL = "victim@example.test";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
beforeEach(() => t.reset());
afterAll(() => t.close());

const later = (ms: number) => {
  t.clock.now = new Date(t.clock.now.getTime() + ms);
};

async function emailLogin(headers: Record<string, string> = {}) {
  await t.app.request("/auth/email/start", jsonPost({ email: EMAIL }));
  const items = ((await (await t.app.request("/dev/outbox")).json()) as { items: { token: string }[] }).items;
  return t.app.request("/auth/email/verify", jsonPost({ token: items[0]?.token }, headers));
}

/** A user with TOTP on; `code()` is the current TOTP code. */
async function userWithMfa() {
  const first = (await (await emailLogin()).json()) as { accessToken: string };
  const auth = { authorization: `Bearer ${first.accessToken}` };
  const setup = (await (await t.app.request("/auth/mfa/totp/setup", { method: "POST", headers: auth })).json()) as {
    secret: string;
  };
  const key = totpBytesFromBase32(setup.secret);
  const code = () => totpCode(key, t.clock.now.getTime());
  expect((await t.app.request("/auth/mfa/totp/enable", jsonPost({ code: code() }, auth))).status).toBe(200);
  return { auth, code };
}

const registerOptions = (auth: Record<string, string>) =>
  t.app.request("/auth/passkey/register/options", jsonPost({}, { ...auth, origin: ORIGIN }));
const registerVerify = (auth: Record<string, string>, response: unknown) =>
  t.app.request("/auth/passkey/register/verify", jsonPost({ response }, { ...auth, origin: ORIGIN }));

async function expectStepUp(res: Response) {
  expect(res.status).toBe(401);
  const body = (await res.json()) as { code: string; mfaToken: string; methods: string[] };
  expect(body.code).toBe("MFA_REQUIRED");
  expect(body.methods).toContain("totp");
  return body;
}

describe("passkey registration needs a recent second factor", () => {
  it("a stolen access token without a recent second factor cannot add a passkey (MFA bypass); a step-up can", async () => {
    const { auth, code } = await userWithMfa();
    later(11 * 60_000); // past MFA_STEP_UP_MAX_AGE_MIN (10), within the access token's 15 minutes
    const first = await expectStepUp(await registerOptions(auth));
    expect(await t.deps.prisma.authChallenge.count({ where: { kind: "webauthn_register" } })).toBe(0);

    // The owner steps up; options fetched inside the window do not carry over once it lapses:
    // verify asks again, stores nothing, and leaves the challenge usable after the next step-up.
    later(30_000);
    const stepUp = await t.app.request("/auth/mfa/verify", jsonPost({ mfaToken: first.mfaToken, code: code() }));
    expect(stepUp.status).toBe(200);
    // The step-up answers a fresh access token for the same session.
    const auth2 = { authorization: `Bearer ${((await stepUp.json()) as { accessToken: string }).accessToken}` };
    later(9 * 60_000);
    const optionsRes = await registerOptions(auth2);
    expect(optionsRes.status).toBe(200);
    const authenticator = new SoftAuthenticator(ORIGIN);
    const response = authenticator.create((await optionsRes.json()) as never);
    later(2 * 60_000);
    const refused = await expectStepUp(await registerVerify(auth2, response));
    expect(await t.deps.prisma.webAuthnCredential.count()).toBe(0);

    later(30_000);
    const stepped = await t.app.request("/auth/mfa/verify", jsonPost({ mfaToken: refused.mfaToken, code: code() }));
    expect(stepped.status).toBe(200);
    expect((await registerVerify(auth2, response)).status).toBe(201);
    expect(await t.deps.prisma.webAuthnCredential.count()).toBe(1);
  });

  it("a trusted-device session cannot add a passkey without the second factor (same answer as removing one)", async () => {
    const { code } = await userWithMfa();
    later(60_000);
    const ua = { "user-agent": "Laptop/1.0" };
    const challenged = (await (await emailLogin(ua)).json()) as { mfaToken: string };
    const trusted = await t.app.request(
      "/auth/mfa/verify",
      jsonPost({ mfaToken: challenged.mfaToken, code: code(), trustDevice: true }, ua),
    );
    expect(trusted.status).toBe(200);
    const cookie = (trusted.headers.getSetCookie().find((c) => c.startsWith("atlas_device=")) ?? "").split(";")[0];
    // The trusted browser logs in with the e-mail link alone: no second factor on this session.
    const skipped = await emailLogin({ ...ua, cookie: cookie ?? "" });
    expect(skipped.status).toBe(200);
    const auth = { authorization: `Bearer ${((await skipped.json()) as { accessToken: string }).accessToken}` };

    const add = await expectStepUp(await registerOptions(auth));
    const passkey = await t.deps.prisma.webAuthnCredential.findFirst();
    expect(passkey).toBeNull();
    // Removing any credential from this session is refused with the same code.
    const remove = await t.app.request("/auth/passkeys/00000000-0000-4000-8000-000000000000", {
      method: "DELETE",
      headers: auth,
    });
    expect((await remove.json()) as { code: string }).toMatchObject({ code: add.code });
    expect(await t.deps.prisma.authChallenge.count({ where: { kind: "webauthn_register" } })).toBe(0);
    const audit = await t.deps.prisma.authAuditLog.findMany({ where: { eventType: "mfa_challenge" } });
    expect(audit.map((a) => (a.details as { purpose: string }).purpose)).toContain("step_up");
  });
});

/** A roaming security key: a longer credential id, USB and NFC transports. */
class SecurityKey extends SoftAuthenticator {
  override readonly credentialId = randomBytes(64);
  override create(...args: Parameters<SoftAuthenticator["create"]>) {
    const response = super.create(...args);
    return {
      ...response,
      authenticatorAttachment: "cross-platform" as const,
      response: { ...response.response, transports: ["usb", "nfc"] },
    };
  }
}

interface RequestOptions {
  challenge: string;
  allowCredentials: { id: string; type: string; transports?: string[] }[];
}

describe("passkey login options for an address", () => {
  const loginOptions = async (email: string) => {
    const res = await t.app.request("/auth/passkey/login/options", jsonPost({ email }, { origin: ORIGIN }));
    expect(res.status).toBe(200);
    return (await res.json()) as RequestOptions;
  };
  /** Everything an observer can compare without knowing the ids. */
  const shape = (options: RequestOptions) => ({
    members: Object.keys(options).sort(),
    allowCredentials: options.allowCredentials.map((c) => ({
      members: Object.keys(c).sort(),
      type: c.type,
      idBytes: Buffer.from(c.id, "base64url").length,
      transports: c.transports,
    })),
  });

  it("an unknown address gets decoys shaped like a real account's answer (account enumeration)", async () => {
    const owner = await loginTestUser(t, { email: "owner@example.test" });
    for (const authenticator of [new SoftAuthenticator(ORIGIN), new SecurityKey(ORIGIN)]) {
      const options = await registerOptions(owner.auth);
      expect((await registerVerify(owner.auth, authenticator.create((await options.json()) as never))).status).toBe(
        201,
      );
      later(60_000);
    }
    const real = await loginOptions("owner@example.test");
    expect(shape(real).allowCredentials.map((c) => [c.idBytes, c.transports])).toEqual([
      [32, ["internal", "hybrid"]],
      [64, ["usb", "nfc"]],
    ]);

    const unknown = await loginOptions("nobody@example.test");
    expect(shape(unknown)).toEqual(shape(real));
    const realIds = real.allowCredentials.map((c) => c.id);
    for (const decoy of unknown.allowCredentials) expect(realIds).not.toContain(decoy.id);
    // Stable per address (asking twice is no tell), different between addresses.
    expect((await loginOptions("nobody@example.test")).allowCredentials).toEqual(unknown.allowCredentials);
    const other = await loginOptions("someone-else@example.test");
    expect(shape(other)).toEqual(shape(real));
    expect(other.allowCredentials.map((c) => c.id)).not.toEqual(unknown.allowCredentials.map((c) => c.id));
    // A decoy's challenge names no user: only the real account's does.
    const challenges = await t.deps.prisma.authChallenge.findMany({ where: { kind: "webauthn_login" } });
    expect(challenges.filter((c) => c.userId !== null)).toHaveLength(1);
  });
});
