import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loginTestUser } from "./fixtures.ts";
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
