import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { jsonPost, loginTestUser } from "./fixtures.ts";
import { createTestApp, INTROSPECTION_SECRET, type TestApp } from "./harness.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
beforeEach(() => t.reset());
afterAll(() => t.close());

const basic = (secret = INTROSPECTION_SECRET) =>
  `Basic ${Buffer.from(`service-cloud-api:${secret}`).toString("base64")}`;
async function introspect(token: string, form = false) {
  const res = form
    ? await t.app.request("/auth/token/introspect", {
        method: "POST",
        body: new URLSearchParams({ token }).toString(),
        headers: { "content-type": "application/x-www-form-urlencoded", authorization: basic() },
      })
    : await t.app.request("/auth/token/introspect", jsonPost({ token }, { authorization: basic() }));
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

describe("personal access tokens", () => {
  it("creates (shown once), lists without secrets, introspects, and revokes", async () => {
    const { auth, user } = await loginTestUser(t);
    const res = await t.app.request(
      "/auth/pats",
      jsonPost({ name: "ci", scopes: ["objects:read", "usage:read"], expiresInDays: 30 }, auth),
    );
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; token: string; expiresAt: string };
    expect(created.token).toMatch(/^atlas_pat_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
    expect(new Date(created.expiresAt).getTime() - t.clock.now.getTime()).toBe(30 * 86_400_000);

    const list = await (await t.app.request("/auth/pats", { headers: auth })).text();
    expect(list).toContain(created.id);
    expect(list).not.toContain(created.token.slice(-43));
    const row = await t.deps.prisma.personalAccessToken.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.tokenHash).not.toContain(created.token.slice(-43));

    expect(await introspect(created.token, true)).toMatchObject({
      active: true,
      token_type: "pat",
      sub: user.id,
      scope: "objects:read usage:read",
    });
    expect((await t.app.request(`/auth/pats/${created.id}`, { method: "DELETE", headers: auth })).status).toBe(204);
    expect(await introspect(created.token)).toEqual({ active: false });
    expect(
      await t.deps.prisma.authAuditLog.count({ where: { eventType: { in: ["pat_created", "pat_revoked"] } } }),
    ).toBe(2);
    expect(t.logs.join("")).not.toContain(created.token.slice(-43));
  });

  it("rejects expired PATs, forged secrets and other users' PAT ids", async () => {
    const alice = await loginTestUser(t);
    const bob = await loginTestUser(t);
    const created = (await (
      await t.app.request("/auth/pats", jsonPost({ name: "a", scopes: ["profile:read"], expiresInDays: 1 }, alice.auth))
    ).json()) as {
      id: string;
      token: string;
    };
    const forged = `${created.token.slice(0, -43)}${"A".repeat(43)}`;
    expect(await introspect(forged)).toEqual({ active: false });
    expect((await t.app.request(`/auth/pats/${created.id}`, { method: "DELETE", headers: bob.auth })).status).toBe(404);
    t.clock.now = new Date(t.clock.now.getTime() + 86_400_000 + 1);
    expect(await introspect(created.token)).toEqual({ active: false });
  });

  it("a PAT with profile:read reads GET /auth/me (the CLI's whoami), but cannot delete the account; without it 403", async () => {
    const { auth, user } = await loginTestUser(t);
    const make = async (scopes: string[]) =>
      ((await (await t.app.request("/auth/pats", jsonPost({ name: "cli", scopes }, auth))).json()) as { token: string })
        .token;
    const profile = { authorization: `Bearer ${await make(["profile:read"])}` };
    const objectsOnly = { authorization: `Bearer ${await make(["objects:read"])}` };
    const me = await t.app.request("/auth/me", { headers: profile });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ user: { id: user.id, email: user.email } });
    const refused = await t.app.request("/auth/me", { headers: objectsOnly });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: "FORBIDDEN" });
    const deletion = await t.app.request("/auth/me", { method: "DELETE", headers: profile });
    expect(deletion.status).toBe(401);
    expect(await t.deps.prisma.user.findUnique({ where: { id: user.id } })).not.toBeNull();
  });

  it("validates the request strictly", async () => {
    const { auth } = await loginTestUser(t);
    for (const body of [
      { name: "", scopes: ["profile:read"] },
      { name: "x", scopes: ["admin"] },
      { name: "x", scopes: [] },
      { name: "x", scopes: ["profile:read"], owner: "me" },
    ]) {
      const res = await t.app.request("/auth/pats", jsonPost(body, auth));
      expect(res.status).toBe(400);
    }
    expect(await t.deps.prisma.personalAccessToken.count()).toBe(0);
    expect((await t.app.request("/auth/pats", jsonPost({ name: "x", scopes: ["profile:read"] }))).status).toBe(401);
  });
});

describe("sessions", () => {
  it("lists own sessions, revokes one (its refresh family dies), and not another user's", async () => {
    const a1 = await loginTestUser(t, { email: "a@example.test" });
    const a2tokens = await loginTestUser(t, { email: "a2@example.test" });
    const list = (await (await t.app.request("/auth/sessions", { headers: a1.auth })).json()) as {
      items: { id: string; current: boolean }[];
    };
    expect(list.items).toHaveLength(1);
    expect(list.items[0]?.current).toBe(true);
    const otherId = (await t.deps.prisma.session.findFirstOrThrow({ where: { userId: a2tokens.user.id } })).id;
    expect((await t.app.request(`/auth/sessions/${otherId}`, { method: "DELETE", headers: a1.auth })).status).toBe(404);
    const ownId = list.items[0]?.id ?? "";
    expect((await t.app.request(`/auth/sessions/${ownId}`, { method: "DELETE", headers: a1.auth })).status).toBe(204);
    expect(
      (await t.app.request("/auth/token/refresh", jsonPost({ refreshToken: a1.tokens.refreshToken }))).status,
    ).toBe(401);
    expect((await t.app.request("/auth/sessions", { headers: a1.auth })).status).toBe(401);
    expect(await introspect(a1.tokens.accessToken)).toEqual({ active: false });
    expect(await introspect(a2tokens.tokens.accessToken)).toMatchObject({ active: true });
  });

  it("logout ends the current session; logout-all ends every one", async () => {
    const first = await loginTestUser(t, { email: "same@example.test" });
    const second = await (async () => {
      const { createSession } = await import("../src/services/tokens/session.service.ts");
      return createSession(t.deps, {
        user: first.user,
        audience: first.tenant.jwtAudience,
        amr: ["sms"],
        context: { ipAddress: "127.0.0.2", userAgent: null, deviceHash: null },
      });
    })();
    expect((await t.app.request("/auth/logout", { method: "POST", headers: first.auth })).status).toBe(204);
    expect(await introspect(first.tokens.accessToken)).toEqual({ active: false });
    expect(await introspect(second.accessToken)).toMatchObject({ active: true });
    expect(
      (
        await t.app.request("/auth/logout-all", {
          method: "POST",
          headers: { authorization: `Bearer ${second.accessToken}` },
        })
      ).status,
    ).toBe(204);
    expect(await introspect(second.accessToken)).toEqual({ active: false });
    expect(await introspect(second.refreshToken)).toEqual({ active: false });
  });

  it("refuses tokens of another tenant and missing or garbled credentials with WWW-Authenticate", async () => {
    const { auth } = await loginTestUser(t);
    await t.deps.prisma.tenant.create({
      data: { slug: "acme", name: "Acme", allowedOrigins: [], allowedMethods: ["email"], jwtAudience: "acme" },
    });
    const cross = await t.app.request("/auth/sessions", { headers: { ...auth, "x-tenant": "acme" } });
    expect(cross.status).toBe(401);
    const none = await t.app.request("/auth/sessions");
    expect(none.headers.get("www-authenticate")).toBe('Bearer realm="atlas"');
    const garbled = await t.app.request("/auth/sessions", { headers: { authorization: "Bearer a b" } });
    expect(garbled.status).toBe(401);
    expect(await garbled.json()).toMatchObject({ code: "INVALID_TOKEN" });
  });
});

describe("introspection and revocation", () => {
  it("requires service credentials for introspection", async () => {
    const { tokens } = await loginTestUser(t);
    const none = await t.app.request("/auth/token/introspect", jsonPost({ token: tokens.accessToken }));
    expect(none.status).toBe(401);
    const wrong = await t.app.request(
      "/auth/token/introspect",
      jsonPost({ token: tokens.accessToken }, { authorization: basic("x".repeat(40)) }),
    );
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ code: "INVALID_CREDENTIALS" });
    expect(await introspect("garbage")).toEqual({ active: false });
    expect(await introspect(tokens.refreshToken)).toMatchObject({ active: true, token_type: "refresh_token" });
  });

  it("revokes by the token's owner (Bearer) or a service client, JSON or form; foreign tokens are untouched", async () => {
    const alice = await loginTestUser(t);
    const bob = await loginTestUser(t);
    const foreign = await t.app.request("/auth/token/revoke", jsonPost({ token: bob.tokens.refreshToken }, alice.auth));
    expect(foreign.status).toBe(200);
    expect(await introspect(bob.tokens.accessToken)).toMatchObject({ active: true });
    const own = await t.app.request("/auth/token/revoke", jsonPost({ token: alice.tokens.refreshToken }, alice.auth));
    expect(own.status).toBe(200);
    expect(await introspect(alice.tokens.accessToken)).toEqual({ active: false });
    const byClient = await t.app.request("/auth/token/revoke", {
      method: "POST",
      body: new URLSearchParams({ token: bob.tokens.accessToken }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: basic() },
    });
    expect(byClient.status).toBe(200);
    expect(await introspect(bob.tokens.refreshToken)).toEqual({ active: false });
    expect((await t.app.request("/auth/token/revoke", jsonPost({ token: "x" }))).status).toBe(401);
    expect(
      (
        await t.app.request("/auth/token/revoke", {
          method: "POST",
          body: "token=x",
          headers: { "content-type": "text/plain", authorization: basic() },
        })
      ).status,
    ).toBe(400);
    // Malformed JSON is a 400 problem, not an internal error (found by test/fuzz-auth.test.ts).
    for (const path of ["/auth/token/revoke", "/auth/token/introspect"]) {
      const broken = await t.app.request(path, {
        method: "POST",
        body: "{not json",
        headers: { "content-type": "application/json", authorization: basic() },
      });
      expect(broken.status).toBe(400);
      expect(await broken.json()).toMatchObject({ code: "VALIDATION_FAILED" });
    }
  });
});
