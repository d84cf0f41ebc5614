import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { jsonPost, loginTestUser } from "./fixtures.ts";
import { createTestApp, type TestApp } from "./harness.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
beforeEach(() => t.reset());
afterAll(() => t.close());

async function withIdentities() {
  const login = await loginTestUser(t, { email: "me@example.test" });
  const base = { tenantId: login.tenant.id, userId: login.user.id };
  const email = await t.deps.prisma.identity.create({
    data: { ...base, provider: "email", subject: "me@example.test" },
  });
  const phone = await t.deps.prisma.identity.create({ data: { ...base, provider: "sms", subject: "+14155550123" } });
  return { ...login, email, phone };
}

describe("GET /auth/me", () => {
  it("shows the caller, their identities, MFA state and session", async () => {
    const { auth, user, email, phone } = await withIdentities();
    const res = await t.app.request("/auth/me", { headers: auth });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      user: { id: user.id, email: "me@example.test" },
      identities: [
        { id: email.id, provider: "email", subject: "me@example.test" },
        { id: phone.id, provider: "sms", subject: "+14155550123" },
      ],
      mfa: { totpEnabled: false, passkeys: 0, backupCodesLeft: 0 },
      session: { amr: ["email"] },
    });
    expect((await t.app.request("/auth/me")).status).toBe(401);
  });
});

describe("DELETE /auth/identities/:id", () => {
  it("unlinks while another way to log in remains, never the last one, never another user's", async () => {
    const { auth, email, phone } = await withIdentities();
    const stranger = await loginTestUser(t);
    expect(
      (await t.app.request(`/auth/identities/${email.id}`, { method: "DELETE", headers: stranger.auth })).status,
    ).toBe(404);
    expect((await t.app.request(`/auth/identities/${email.id}`, { method: "DELETE", headers: auth })).status).toBe(204);
    const last = await t.app.request(`/auth/identities/${phone.id}`, { method: "DELETE", headers: auth });
    expect(last.status).toBe(409);
    expect(await last.json()).toMatchObject({ code: "CONFLICT" });
    expect(await t.deps.prisma.identity.count({ where: { id: phone.id } })).toBe(1);
    expect(await t.deps.prisma.authAuditLog.count({ where: { eventType: "identity_unlinked" } })).toBe(1);
  });

  it("two parallel unlinks cannot remove the last two identities", async () => {
    const { auth, email, phone } = await withIdentities();
    const results = await Promise.all(
      [email.id, phone.id].map((id) => t.app.request(`/auth/identities/${id}`, { method: "DELETE", headers: auth })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([204, 409]);
  });
});

describe("linking an e-mail address", () => {
  const linkToken = async () =>
    (
      (await (await t.app.request("/dev/outbox")).json()) as { items: { token?: string; subject: string | null }[] }
    ).items.find((i) => i.subject?.startsWith("Confirm"))?.token ?? "";

  it("start → confirmation link → verify: the address becomes an identity; replay fails", async () => {
    const phoneUser = await loginTestUser(t, { email: undefined });
    await t.deps.prisma.user.update({ where: { id: phoneUser.user.id }, data: { email: null } });
    const started = await t.app.request("/auth/identities/email/start", {
      method: "POST",
      body: JSON.stringify({ email: "New@Example.test" }),
      headers: { ...phoneUser.auth, "content-type": "application/json" },
    });
    expect(started.status).toBe(202);
    const token = await linkToken();
    const verify = () =>
      t.app.request("/auth/identities/email/verify", {
        method: "POST",
        body: JSON.stringify({ token }),
        headers: { ...phoneUser.auth, "content-type": "application/json" },
      });
    const res = await verify();
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ provider: "email", subject: "new@example.test" });
    expect((await t.deps.prisma.user.findUniqueOrThrow({ where: { id: phoneUser.user.id } })).email).toBe(
      "new@example.test",
    );
    expect((await verify()).status).toBe(401);
    expect(await t.deps.prisma.authAuditLog.count({ where: { eventType: "identity_linked" } })).toBe(1);
  });

  it("refuses another user's link and an address that belongs to someone else (409)", async () => {
    const alice = await loginTestUser(t, { email: "alice@example.test" });
    await t.deps.prisma.identity.create({
      data: { tenantId: alice.tenant.id, userId: alice.user.id, provider: "email", subject: "alice@example.test" },
    });
    const bob = await loginTestUser(t, { email: "bob@example.test" });
    const post = (path: string, body: unknown, auth: Record<string, string>) =>
      t.app.request(path, {
        method: "POST",
        body: JSON.stringify(body),
        headers: { ...auth, "content-type": "application/json" },
      });
    expect((await post("/auth/identities/email/start", { email: "alice@example.test" }, bob.auth)).status).toBe(202);
    const token = await linkToken();
    expect((await post("/auth/identities/email/verify", { token }, alice.auth)).status).toBe(401);
    const conflict = await post("/auth/identities/email/verify", { token }, bob.auth);
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toMatchObject({ code: "CONFLICT" });
    expect(await t.deps.prisma.identity.count({ where: { userId: bob.user.id } })).toBe(0);
    expect((await post("/auth/identities/email/start", { email: "x" }, bob.auth)).status).toBe(400);
    expect((await t.app.request("/auth/identities/email/start", { method: "POST", body: "{}" })).status).toBe(401);
  });
});

describe("a linked address logs in its account", () => {
  it("a second e-mail linked to an account logs in that account, not a new one", async () => {
    const me = await loginTestUser(t, { email: "first@example.test" });
    await t.deps.prisma.identity.create({
      data: { tenantId: me.tenant.id, userId: me.user.id, provider: "email", subject: "second@example.test" },
    });
    await t.app.request("/auth/email/start", jsonPost({ email: "second@example.test" }));
    const token = ((await (await t.app.request("/dev/outbox")).json()) as { items: { token: string }[] }).items[0]
      ?.token;
    const res = await t.app.request("/auth/email/verify", jsonPost({ token }));
    expect(((await res.json()) as { user: { id: string } }).user.id).toBe(me.user.id);
    expect(await t.deps.prisma.user.count()).toBe(1);
  });
});

describe("linking a phone number", () => {
  const lastCode = async () =>
    ((await (await t.app.request("/dev/outbox")).json()) as { items: { code?: string; text: string }[] }).items[0];

  it("start → code → verify: the number becomes an identity and logs in this account; wrong code and replay fail", async () => {
    const me = await loginTestUser(t, { email: "me@example.test" });
    const started = await t.app.request("/auth/identities/sms/start", jsonPost({ phone: "+14155550123" }, me.auth));
    expect(started.status).toBe(202);
    const sms = await lastCode();
    expect(sms?.text).toContain("confirms adding this number");
    const verify = (code: string) =>
      t.app.request("/auth/identities/sms/verify", jsonPost({ phone: "+14155550123", code }, me.auth));
    const wrong = sms?.code === "000000" ? "000001" : "000000";
    const bad = await verify(wrong);
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ code: "INVALID_CREDENTIALS" });
    const ok = await verify(sms?.code ?? "");
    expect(ok.status).toBe(201);
    expect(await ok.json()).toMatchObject({ provider: "sms", subject: "+14155550123" });
    expect((await verify(sms?.code ?? "")).status).toBe(401);
    expect((await t.deps.prisma.user.findUniqueOrThrow({ where: { id: me.user.id } })).phone).toBe("+14155550123");
    expect(
      await t.deps.prisma.authAuditLog.count({ where: { eventType: "identity_linked", userId: me.user.id } }),
    ).toBe(1);

    // Logging in with that number now logs in this account.
    t.clock.now = new Date(t.clock.now.getTime() + 60_000);
    await t.app.request("/auth/sms/start", jsonPost({ phone: "+14155550123" }));
    const login = await t.app.request(
      "/auth/sms/verify",
      jsonPost({ phone: "+14155550123", code: (await lastCode())?.code }),
    );
    expect(((await login.json()) as { user: { id: string } }).user.id).toBe(me.user.id);
  });

  it("a number that belongs to another user is a 409, and nothing is linked", async () => {
    const owner = await loginTestUser(t);
    await t.deps.prisma.user.update({ where: { id: owner.user.id }, data: { phone: "+14155550199" } });
    const me = await loginTestUser(t);
    await t.app.request("/auth/identities/sms/start", jsonPost({ phone: "+14155550199" }, me.auth));
    const res = await t.app.request(
      "/auth/identities/sms/verify",
      jsonPost({ phone: "+14155550199", code: (await lastCode())?.code }, me.auth),
    );
    expect(res.status).toBe(409);
    expect(await t.deps.prisma.identity.count({ where: { userId: me.user.id } })).toBe(0);
    expect((await t.app.request("/auth/identities/sms/start", jsonPost({ phone: "12" }, me.auth))).status).toBe(400);
    expect((await t.app.request("/auth/identities/sms/start", jsonPost({ phone: "+14155550199" }))).status).toBe(401);
  });
});
