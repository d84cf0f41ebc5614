// Passkeys against a real software authenticator (P-256, CBOR attestation, ES256 assertions) and
// the real @simplewebauthn/server verification: registration, login, the attacks each check
// stops, and managing one's passkeys.
import { createHash } from "node:crypto";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { jsonPost, loginTestUser } from "./fixtures.ts";
import { createTestApp, type TestApp } from "./harness.ts";
import { FLAG, type Misbehaviour, SoftAuthenticator, strangerKey } from "./soft-authenticator.ts";

// One of the default tenant's allowed origins (DEFAULT_TENANT_ORIGINS' default).
const ORIGIN = "http://localhost:3000";
const OTHER_ALLOWED_ORIGIN = "http://127.0.0.1:3000";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
beforeEach(() => t.reset());
afterAll(() => t.close());

type Login = Awaited<ReturnType<typeof loginTestUser>>;
type Json = Record<string, unknown>;
interface CreationOptions {
  challenge: string;
  rp: { id: string; name: string };
  user: { id: string; name: string };
  excludeCredentials: { id: string }[];
  authenticatorSelection: Json;
}
interface RequestOptions {
  challenge: string;
  rpId: string;
  allowCredentials: { id: string; type: string; transports?: string[] }[];
  userVerification: string;
}

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  t.app.request(path, jsonPost(body, { origin: ORIGIN, ...headers }));

async function registrationOptions(login: Login, body: Json = {}, headers: Record<string, string> = {}) {
  const res = await post("/auth/passkey/register/options", body, { ...login.auth, ...headers });
  expect(res.status).toBe(200);
  return (await res.json()) as CreationOptions;
}

/** The whole registration ceremony; answers the verify response. */
async function register(login: Login, authenticator = new SoftAuthenticator(ORIGIN), body: Json = {}) {
  const options = await registrationOptions(login);
  const res = await post(
    "/auth/passkey/register/verify",
    { response: authenticator.create(options), ...body },
    login.auth,
  );
  return { res, authenticator, options };
}

async function registered(login?: Login) {
  const user = login ?? (await loginTestUser(t));
  const { res, authenticator } = await register(user);
  expect(res.status).toBe(201);
  return { login: user, authenticator, passkey: (await res.json()) as { id: string } };
}

async function loginOptions(body: Json = {}, headers: Record<string, string> = {}) {
  const res = await post("/auth/passkey/login/options", body, headers);
  expect(res.status).toBe(200);
  return (await res.json()) as RequestOptions;
}

const loginVerify = (response: unknown, headers: Record<string, string> = {}) =>
  t.app.request("/auth/passkey/login/verify", jsonPost({ response }, headers));

/** Login options, then an assertion (misbehaving as told), then verify. */
async function attempt(authenticator: SoftAuthenticator, bad: Misbehaviour = {}, headers: Record<string, string> = {}) {
  const options = await loginOptions({}, headers);
  return loginVerify(authenticator.get(options, bad), headers);
}

const failures = async () =>
  (await t.deps.prisma.authAuditLog.findMany({ where: { eventType: "login_failure" }, orderBy: { createdAt: "asc" } }))
    .map((e) => e.details as Json)
    .filter((d) => d.method === "passkey");

async function expectRefused(res: Response, reason: string) {
  expect(res.status).toBe(401);
  expect(await res.json()).toMatchObject({ code: "INVALID_CREDENTIALS" });
  expect((await failures()).map((d) => d.reason)).toContain(reason);
}

async function otherTenant(slug: string, allowedMethods: string[] = ["email", "passkey"]) {
  return t.deps.prisma.tenant.create({
    data: { name: `Tenant ${slug}`, slug, allowedOrigins: [ORIGIN], allowedMethods, jwtAudience: `${slug}-api` },
  });
}

describe("passkey registration", () => {
  it("options bind a discoverable, user-verified credential to the origin's host; verify stores it", async () => {
    const login = await loginTestUser(t);
    const options = await registrationOptions(login, { friendlyName: "Laptop" });
    expect(options.rp).toEqual({ id: "localhost", name: login.tenant.name });
    expect(options.user.id).toBe(Buffer.from(login.user.id).toString("base64url"));
    expect(options.authenticatorSelection).toMatchObject({ residentKey: "required", userVerification: "required" });
    expect(options.excludeCredentials).toEqual([]);
    // Only the challenge's hash is stored, bound to user, tenant, RP ID and origin.
    const stored = await t.deps.prisma.authChallenge.findFirstOrThrow({ where: { kind: "webauthn_register" } });
    expect(stored.challengeHash).toBe(createHash("sha256").update(options.challenge).digest("hex"));
    expect(stored).toMatchObject({ userId: login.user.id, tenantId: login.tenant.id });
    expect(stored.data).toMatchObject({ rpID: "localhost", origin: ORIGIN });
    expect(stored.expiresAt.getTime() - t.clock.now.getTime()).toBe(5 * 60_000);

    const authenticator = new SoftAuthenticator(ORIGIN);
    const res = await post("/auth/passkey/register/verify", { response: authenticator.create(options) }, login.auth);
    expect(res.status).toBe(201);
    const summary = (await res.json()) as Json;
    expect(summary).toEqual({
      id: expect.any(String),
      friendlyName: "Laptop",
      deviceType: "multiDevice",
      backedUp: true,
      createdAt: t.clock.now.toISOString(),
      lastUsedAt: null,
      transports: ["internal", "hybrid"],
    });
    const row = await t.deps.prisma.webAuthnCredential.findUniqueOrThrow({ where: { id: summary.id as string } });
    expect(row).toMatchObject({ userId: login.user.id, credentialIdBase64: authenticator.id, counter: 0n });
    expect(
      await t.deps.prisma.authAuditLog.count({ where: { eventType: "passkey_added", userId: login.user.id } }),
    ).toBe(1);

    // A second passkey: the first is excluded, the friendly name of verify wins.
    const second = await registrationOptions(login);
    expect(second.excludeCredentials.map((c) => c.id)).toEqual([authenticator.id]);
    const phone = new SoftAuthenticator(ORIGIN);
    const added = await post(
      "/auth/passkey/register/verify",
      { response: phone.create(second), friendlyName: "Phone" },
      login.auth,
    );
    expect(await added.json()).toMatchObject({ friendlyName: "Phone" });
    expect((await (await t.app.request("/auth/me", { headers: login.auth })).json()) as Json).toMatchObject({
      mfa: { passkeys: 2 },
    });
  });

  it("the same credential twice is 409 CONFLICT; a replayed verify is 401", async () => {
    const { login, authenticator } = await registered();
    const again = await register(login, authenticator);
    expect(again.res.status).toBe(409);
    expect(await again.res.json()).toMatchObject({ code: "CONFLICT" });
    const fresh = await registrationOptions(login);
    const response = new SoftAuthenticator(ORIGIN).create(fresh);
    expect((await post("/auth/passkey/register/verify", { response }, login.auth)).status).toBe(201);
    const replay = await post("/auth/passkey/register/verify", { response }, login.auth);
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ code: "INVALID_CREDENTIALS" });
  });

  it("refuses an Origin the tenant does not allow, anonymous callers, and tenants without passkeys", async () => {
    const login = await loginTestUser(t);
    const foreign = await post("/auth/passkey/register/options", {}, { ...login.auth, origin: "https://evil.test" });
    expect(foreign.status).toBe(400);
    expect(await foreign.json()).toMatchObject({ code: "VALIDATION_FAILED" });
    const none = await t.app.request("/auth/passkey/register/options", jsonPost({}, login.auth));
    expect(none.status).toBe(400);
    expect((await post("/auth/passkey/register/options", {})).status).toBe(401);
    expect((await post("/auth/passkey/register/options", { extra: 1 }, login.auth)).status).toBe(400);

    await otherTenant("nopass", ["email"]);
    const user = await loginTestUser(t, { tenantSlug: "nopass" });
    const refused = await post("/auth/passkey/register/options", {}, { ...user.auth, "x-tenant": "nopass" });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: "METHOD_NOT_ALLOWED_FOR_TENANT" });
  });

  it("rejects another user's challenge, a wrong origin, a missing UV flag and an expired challenge", async () => {
    const login = await loginTestUser(t);
    const stranger = await loginTestUser(t);
    const verify = (response: unknown, who = login) =>
      Promise.resolve(post("/auth/passkey/register/verify", { response }, who.auth)).then((r) => r.status);

    const theirs = await registrationOptions(stranger);
    expect(await verify(new SoftAuthenticator(ORIGIN).create(theirs))).toBe(401);
    const wrongOrigin = await registrationOptions(login);
    expect(await verify(new SoftAuthenticator(ORIGIN).create(wrongOrigin, { origin: "https://evil.test" }))).toBe(401);
    const noUv = await registrationOptions(login);
    expect(await verify(new SoftAuthenticator(ORIGIN).create(noUv, { flags: FLAG.UP | FLAG.AT }))).toBe(401);
    const wrongRp = await registrationOptions(login);
    expect(await verify(new SoftAuthenticator(ORIGIN).create(wrongRp, { rpId: "evil.test" }))).toBe(401);
    const stale = await registrationOptions(login);
    t.clock.now = new Date(t.clock.now.getTime() + 5 * 60_000 + 1);
    expect(await verify(new SoftAuthenticator(ORIGIN).create(stale))).toBe(401);
    const garbled = new SoftAuthenticator(ORIGIN).create(await registrationOptions(login));
    garbled.response.clientDataJSON = Buffer.from("not json").toString("base64url");
    expect(await verify(garbled)).toBe(401);
    expect(await t.deps.prisma.webAuthnCredential.count()).toBe(0);
    const reasons = t.logs
      .map((line) => JSON.parse(line) as Json)
      .filter((l) => l.msg === "passkey registration refused")
      .map((l) => l.reason);
    expect(reasons.slice(-6)).toEqual([
      "foreign_user_challenge",
      "origin_mismatch",
      "attestation_rejected",
      "attestation_rejected",
      "expired_challenge",
      "malformed_response",
    ]);
  });

  it("is rate limited per user", async () => {
    const login = await loginTestUser(t);
    const limit = t.config.RATE_LIMIT_PASSKEY_REGISTER_PER_HOUR;
    for (let i = 0; i < limit; i++) await registrationOptions(login);
    const res = await post("/auth/passkey/register/options", {}, login.auth);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBeTruthy();
  });
});

describe("passkey login", () => {
  it("discoverable: empty allowCredentials, then tokens with amr hwk; the counter and lastUsedAt move", async () => {
    const { login, authenticator, passkey } = await registered();
    const options = await loginOptions();
    expect(options).toMatchObject({ rpId: "localhost", allowCredentials: [], userVerification: "required" });
    const stored = await t.deps.prisma.authChallenge.findFirstOrThrow({ where: { kind: "webauthn_login" } });
    expect(stored.challengeHash).toBe(createHash("sha256").update(options.challenge).digest("hex"));
    expect(stored.userId).toBeNull();

    const res = await loginVerify(authenticator.get(options));
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const tokens = (await res.json()) as { accessToken: string; refreshToken: string; user: { id: string } };
    expect(tokens.user.id).toBe(login.user.id);
    expect(tokens.refreshToken).toBeTruthy();
    const claims = decodeJwt(tokens.accessToken);
    expect(claims).toMatchObject({ sub: login.user.id, amr: ["hwk"], aud: login.tenant.jwtAudience });
    const me = await t.app.request("/auth/me", { headers: { authorization: `Bearer ${tokens.accessToken}` } });
    expect(await me.json()).toMatchObject({ session: { amr: ["hwk"] } });
    const row = await t.deps.prisma.webAuthnCredential.findUniqueOrThrow({ where: { id: passkey.id } });
    expect(row).toMatchObject({ counter: 1n, backedUp: true, lastUsedAt: t.clock.now });
    const success = await t.deps.prisma.authAuditLog.findFirstOrThrow({
      where: { eventType: "login_success", userId: login.user.id, details: { path: ["amr"], equals: ["hwk"] } },
    });
    expect(success).toBeTruthy();

    // The next login goes on from the new counter; a browser of an allowed origin gets the cookie.
    const next = await attempt(authenticator, {}, { origin: ORIGIN });
    expect(next.status).toBe(200);
    expect(next.headers.get("set-cookie")).toContain("atlas_refresh_token=");
    expect(((await next.json()) as Json).refreshToken).toBeUndefined();
  });

  it("e-mail hinted: that account's passkeys; other addresses get a decoy of the same shape", async () => {
    const { login, authenticator } = await registered(await loginTestUser(t, { email: "pk@example.test" }));
    const known = await loginOptions({ email: "PK@example.test" });
    expect(known.allowCredentials).toEqual([
      { id: authenticator.id, type: "public-key", transports: ["internal", "hybrid"] },
    ]);
    const challenge = await t.deps.prisma.authChallenge.findFirstOrThrow({ where: { kind: "webauthn_login" } });
    expect(challenge.userId).toBe(login.user.id);

    const unknown = await loginOptions({ email: "nobody@example.test" });
    const again = await loginOptions({ email: "nobody@example.test" });
    const noPasskeys = await loginTestUser(t, { email: "plain@example.test" });
    const plain = await loginOptions({ email: noPasskeys.user.email as string });
    for (const decoy of [unknown, plain]) {
      expect(Object.keys(decoy).sort()).toEqual(Object.keys(known).sort());
      expect(decoy.allowCredentials).toHaveLength(1);
      expect(decoy.allowCredentials[0]?.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(decoy.allowCredentials[0]?.id).not.toBe(authenticator.id);
    }
    expect(again.allowCredentials).toEqual(unknown.allowCredentials); // stable: no tell by repetition
    expect(plain.allowCredentials).not.toEqual(unknown.allowCredentials);

    const res = await loginVerify(authenticator.get(known));
    expect(res.status).toBe(200);
    expect(decodeJwt(((await res.json()) as { accessToken: string }).accessToken).amr).toEqual(["hwk"]);
  });

  it("an address's challenge does not log in another account's passkey", async () => {
    await registered(await loginTestUser(t, { email: "a@example.test" }));
    const other = await registered();
    const options = await loginOptions({ email: "a@example.test" });
    await expectRefused(await loginVerify(other.authenticator.get(options)), "credential_not_allowed");
  });

  it("attack: replaying a used challenge", async () => {
    const { authenticator } = await registered();
    const options = await loginOptions();
    expect((await loginVerify(authenticator.get(options))).status).toBe(200);
    await expectRefused(await loginVerify(authenticator.get(options)), "reused_challenge");
  });

  it("attack: a challenge issued for another tenant", async () => {
    await otherTenant("acme");
    const { authenticator } = await registered();
    const options = await loginOptions({}, { "x-tenant": "acme" });
    await expectRefused(await loginVerify(authenticator.get(options)), "foreign_tenant_challenge");
  });

  it("attack: a stale challenge (older than 5 minutes)", async () => {
    const { authenticator } = await registered();
    const options = await loginOptions();
    t.clock.now = new Date(t.clock.now.getTime() + 5 * 60_000);
    await expectRefused(await loginVerify(authenticator.get(options)), "expired_challenge");
  });

  it("attack: an unknown challenge", async () => {
    const { authenticator } = await registered();
    await expectRefused(await loginVerify(authenticator.get({ challenge: "bm90LWlzc3VlZA" })), "unknown_challenge");
  });

  it("attack: an assertion made on another origin (phishing site)", async () => {
    const { authenticator } = await registered();
    await expectRefused(await attempt(authenticator, { origin: "https://evil.test" }), "origin_mismatch");
    // Even an allowed origin must be the one the challenge was issued for.
    await expectRefused(await attempt(authenticator, { origin: OTHER_ALLOWED_ORIGIN }), "origin_mismatch");
  });

  it("attack: an assertion for another RP ID", async () => {
    const { authenticator } = await registered();
    await expectRefused(await attempt(authenticator, { rpId: "evil.test" }), "rp_id_mismatch");
  });

  it("attack: a signature by another key", async () => {
    const { authenticator } = await registered();
    await expectRefused(await attempt(authenticator, { signWith: strangerKey() }), "bad_signature");
  });

  it("attack: a cloned authenticator (signature counter regression) is refused, audited, and changes nothing", async () => {
    const { authenticator, passkey, login } = await registered();
    expect((await attempt(authenticator)).status).toBe(200);
    const before = await t.deps.prisma.webAuthnCredential.findUniqueOrThrow({ where: { id: passkey.id } });
    t.clock.now = new Date(t.clock.now.getTime() + 60_000);
    await expectRefused(await attempt(authenticator, { counter: 1 }), "counter_regression");
    const failure = (await failures()).find((d) => d.reason === "counter_regression");
    expect(failure).toMatchObject({ passkeyId: passkey.id, storedCounter: "1", presentedCounter: "1" });
    const audit = await t.deps.prisma.authAuditLog.findFirstOrThrow({
      where: { eventType: "login_failure", details: { path: ["reason"], equals: "counter_regression" } },
    });
    expect(audit.userId).toBe(login.user.id);
    expect(await t.deps.prisma.webAuthnCredential.findUniqueOrThrow({ where: { id: passkey.id } })).toEqual(before);
    await expectRefused(await attempt(authenticator, { counter: 0 }), "counter_regression");
  });

  it("attack: an assertion without user verification", async () => {
    const { authenticator } = await registered();
    await expectRefused(await attempt(authenticator, { flags: FLAG.UP | FLAG.BE | FLAG.BS }), "user_not_verified");
  });

  it("attack: an unknown credential, and another tenant's credential", async () => {
    await registered();
    await expectRefused(await attempt(new SoftAuthenticator(ORIGIN)), "unknown_credential");

    await otherTenant("acme");
    const elsewhere = await loginTestUser(t, { tenantSlug: "acme" });
    const authenticator = new SoftAuthenticator(ORIGIN);
    const options = (await (
      await post("/auth/passkey/register/options", {}, { ...elsewhere.auth, "x-tenant": "acme" })
    ).json()) as CreationOptions;
    const created = await post(
      "/auth/passkey/register/verify",
      { response: authenticator.create(options) },
      { ...elsewhere.auth, "x-tenant": "acme" },
    );
    expect(created.status).toBe(201);
    await expectRefused(await attempt(authenticator), "unknown_credential");
    expect((await attempt(authenticator, {}, { "x-tenant": "acme" })).status).toBe(200);
  });

  it("attack: a user handle naming someone else, a malformed response", async () => {
    const { authenticator } = await registered();
    const other = Buffer.from(crypto.randomUUID()).toString("base64url");
    await expectRefused(await attempt(authenticator, { userHandle: other }), "user_handle_mismatch");
    await expectRefused(await attempt(authenticator, { rawId: "AAAA" }), "assertion_rejected");
    const options = await loginOptions();
    const garbled = authenticator.get(options);
    garbled.response.authenticatorData = "AAAA";
    await expectRefused(await loginVerify(garbled), "malformed_response");
    const notJson = { ...garbled, response: { ...garbled.response, clientDataJSON: "bm9wZQ" } };
    await expectRefused(await loginVerify(notJson), "malformed_response");
  });

  it("a tenant without passkeys answers 403 at options and at verify", async () => {
    await otherTenant("nopass", ["email"]);
    const { authenticator } = await registered();
    const options = await post("/auth/passkey/login/options", {}, { "x-tenant": "nopass" });
    expect(options.status).toBe(403);
    expect(await options.json()).toMatchObject({ code: "METHOD_NOT_ALLOWED_FOR_TENANT" });
    const response = authenticator.get(await loginOptions());
    const verify = await loginVerify(response, { "x-tenant": "nopass" });
    expect(verify.status).toBe(403);
    expect(await verify.json()).toMatchObject({ code: "METHOD_NOT_ALLOWED_FOR_TENANT" });
  });

  it("validates bodies strictly and needs an allowed Origin for options", async () => {
    const { authenticator } = await registered();
    expect((await post("/auth/passkey/login/options", { email: "x@example.test", extra: true })).status).toBe(400);
    expect((await post("/auth/passkey/login/options", { email: "not-an-address" })).status).toBe(400);
    expect((await post("/auth/passkey/login/options", {}, { origin: "https://evil.test" })).status).toBe(400);
    const response = authenticator.get(await loginOptions());
    expect((await t.app.request("/auth/passkey/login/verify", jsonPost({ response, extra: 1 }))).status).toBe(400);
    expect((await loginVerify({ ...response, type: "password" })).status).toBe(400);
    expect((await loginVerify({ id: response.id })).status).toBe(400);
  });

  it("is rate limited per client IP", async () => {
    for (let i = 0; i < t.config.RATE_LIMIT_LOGIN_PER_MIN_IP; i++) await loginOptions();
    const res = await post("/auth/passkey/login/options", {});
    expect(res.status).toBe(429);
    expect(await t.deps.prisma.authAuditLog.count({ where: { eventType: "rate_limited" } })).toBe(1);
  });
});

describe("managing passkeys", () => {
  it("lists, renames and removes only the caller's own passkeys", async () => {
    const { login, passkey } = await registered();
    const stranger = await registered();
    const list = await t.app.request("/auth/passkeys", { headers: login.auth });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { items: { id: string }[] }).items.map((p) => p.id)).toEqual([passkey.id]);
    expect((await t.app.request("/auth/passkeys")).status).toBe(401);

    const rename = (id: string, who: Login, friendlyName: unknown = "Work laptop") =>
      t.app.request(`/auth/passkeys/${id}`, {
        method: "PATCH",
        body: JSON.stringify({ friendlyName }),
        headers: { ...who.auth, "content-type": "application/json" },
      });
    const renamed = await rename(passkey.id, login);
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toMatchObject({ id: passkey.id, friendlyName: "Work laptop" });
    expect((await rename(passkey.id, stranger.login)).status).toBe(404);
    expect((await rename(passkey.id, login, "")).status).toBe(400);
    expect((await rename(crypto.randomUUID(), login)).status).toBe(404);

    const remove = (id: string, who: Login) =>
      t.app.request(`/auth/passkeys/${id}`, { method: "DELETE", headers: who.auth });
    expect((await remove(passkey.id, stranger.login)).status).toBe(404);
    expect(await t.deps.prisma.webAuthnCredential.count({ where: { id: passkey.id } })).toBe(1);
  });

  it("removes a passkey while another way to log in remains, never the last one", async () => {
    const { login, passkey } = await registered();
    const second = await register(login);
    const secondId = ((await second.res.json()) as { id: string }).id;
    const remove = (id: string) => t.app.request(`/auth/passkeys/${id}`, { method: "DELETE", headers: login.auth });

    expect((await remove(passkey.id)).status).toBe(204);
    expect(
      await t.deps.prisma.authAuditLog.count({ where: { eventType: "passkey_removed", userId: login.user.id } }),
    ).toBe(1);
    const last = await remove(secondId);
    expect(last.status).toBe(409);
    expect(await last.json()).toMatchObject({ code: "CONFLICT" });

    // With an identity to log in by, the last passkey can go; then that identity cannot.
    const identity = await t.deps.prisma.identity.create({
      data: { tenantId: login.tenant.id, userId: login.user.id, provider: "email", subject: "x@example.test" },
    });
    expect((await remove(secondId)).status).toBe(204);
    const unlink = await t.app.request(`/auth/identities/${identity.id}`, { method: "DELETE", headers: login.auth });
    expect(unlink.status).toBe(409);
  });

  it("two parallel removals cannot take the last two passkeys", async () => {
    const { login, passkey } = await registered();
    const second = await register(login);
    const ids = [passkey.id, ((await second.res.json()) as { id: string }).id];
    const results = await Promise.all(
      ids.map((id) => t.app.request(`/auth/passkeys/${id}`, { method: "DELETE", headers: login.auth })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([204, 409]);
    expect(await t.deps.prisma.webAuthnCredential.count({ where: { userId: login.user.id } })).toBe(1);
  });
});
