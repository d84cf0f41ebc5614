// Tenant isolation (issue 7 acceptance): tokens, login methods and CORS stay inside their tenant.
// Tenants are made and changed through the admin API, as operators do.
import { AppError } from "@atlas/errors";
import { Hono } from "hono";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { bearerAuth } from "../../packages/auth-verify/src/index.ts";
import { TENANT_CACHE_MS } from "../src/middleware/tenant.ts";
import { jsonPost, loginTestUser } from "./fixtures.ts";
import { createTestApp, type TestApp } from "./harness.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
beforeEach(() => t.reset());
afterAll(() => t.close());

const later = (ms: number) => {
  t.clock.now = new Date(t.clock.now.getTime() + ms);
};

async function makeTenant(admin: { auth: Record<string, string> }, body: Record<string, unknown>) {
  const res = await t.app.request("/admin/tenants", jsonPost(body, admin.auth));
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; slug: string; jwtAudience: string };
}

async function twoTenants() {
  const admin = await loginTestUser(t, { roles: ["admin"] });
  const a = await makeTenant(admin, {
    name: "A",
    slug: "tenant-a",
    allowedOrigins: ["https://a.example"],
    allowedMethods: ["email"],
    jwtAudience: "a-api",
  });
  const b = await makeTenant(admin, {
    name: "B",
    slug: "tenant-b",
    allowedOrigins: ["https://b.example"],
    allowedMethods: ["passkey"],
    jwtAudience: "b-api",
  });
  return { admin, a, b };
}

/** A resource server that requires one audience, verifying like cloud-api does (@atlas/auth-verify). */
function resourceServer(audience: string) {
  const app = new Hono();
  app.onError((e, c) =>
    c.json({ code: e instanceof AppError ? e.code : "INTERNAL" }, e instanceof AppError ? 401 : 500),
  );
  app.use(
    "*",
    bearerAuth({
      issuer: "http://auth.test",
      audiences: [audience],
      jwksUrl: "http://auth.test/.well-known/jwks.json",
      fetch: ((url: string, init?: RequestInit) => t.app.request(url, init)) as typeof fetch,
      now: () => t.clock.now.getTime(),
    }),
  );
  app.get("/whoami", (c) => c.json({ ok: true }));
  return app;
}

describe("tenant isolation", () => {
  it("a token minted for tenant A is rejected where tenant B's audience is required (cross-tenant token replay)", async () => {
    const { a, b } = await twoTenants();
    const userA = await loginTestUser(t, { tenantSlug: a.slug });
    // At service-auth: B's requests need B's audience and tenant id.
    const asB = await t.app.request("/auth/me", { headers: { ...userA.auth, "x-tenant": b.slug } });
    expect(asB.status).toBe(401);
    expect(await asB.json()).toMatchObject({ code: "INVALID_TOKEN", detail: "Token is for another tenant" });
    expect((await t.app.request("/auth/me", { headers: { ...userA.auth, "x-tenant": a.slug } })).status).toBe(200);
    // At a resource server that verifies locally: `aud` must be B's.
    const forB = await resourceServer(b.jwtAudience).request("/whoami", { headers: userA.auth });
    expect(forB.status).toBe(401);
    expect(await forB.json()).toEqual({ code: "INVALID_TOKEN" });
    expect((await resourceServer(a.jwtAudience).request("/whoami", { headers: userA.auth })).status).toBe(200);
  });

  it("a login method the tenant disabled is refused with 403 METHOD_NOT_ALLOWED_FOR_TENANT (method downgrade)", async () => {
    const { admin, b } = await twoTenants();
    const start = () =>
      t.app.request("/auth/email/start", jsonPost({ email: "someone@example.test" }, { "x-tenant": b.slug }));
    const refused = await start();
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: "METHOD_NOT_ALLOWED_FOR_TENANT" });
    const nonce = await t.app.request("/auth/siwe/nonce", { headers: { "x-tenant": b.slug } });
    expect(nonce.status).toBe(403);
    expect(await t.deps.prisma.magicLink.count()).toBe(0);
    // Enabling it through the admin API takes effect within the tenant cache window.
    const res = await t.app.request(`/admin/tenants/${b.id}`, {
      ...jsonPost({ allowedMethods: ["passkey", "email"] }, admin.auth),
      method: "PATCH",
    });
    expect(res.status).toBe(200);
    later(TENANT_CACHE_MS + 1);
    expect((await start()).status).toBe(202);
  });

  it("a foreign Origin gets no CORS grant, including another tenant's origin (cross-origin reads)", async () => {
    const { admin, a, b } = await twoTenants();
    const fromOrigin = (origin: string, slug: string) =>
      t.app.request("/tenants/current", { headers: { origin, "x-tenant": slug } });
    for (const origin of ["https://evil.example", "https://b.example", "http://localhost:3000", "null"]) {
      const res = await fromOrigin(origin, a.slug);
      expect(res.headers.get("access-control-allow-origin"), origin).toBeNull();
      expect(res.headers.get("access-control-allow-credentials"), origin).toBeNull();
    }
    const own = await fromOrigin("https://a.example", a.slug);
    expect(own.headers.get("access-control-allow-origin")).toBe("https://a.example");
    expect((await fromOrigin("https://b.example", b.slug)).headers.get("access-control-allow-origin")).toBe(
      "https://b.example",
    );
    // An origin removed through the admin API stops being granted once the cache window passes.
    await t.app.request(`/admin/tenants/${a.id}`, {
      ...jsonPost({ allowedOrigins: ["https://new-a.example"] }, admin.auth),
      method: "PATCH",
    });
    later(TENANT_CACHE_MS + 1);
    expect((await fromOrigin("https://a.example", a.slug)).headers.get("access-control-allow-origin")).toBeNull();
  });

  it("a deactivated tenant's tokens stop working (403 FORBIDDEN) once the cache window passes", async () => {
    const { admin, a } = await twoTenants();
    const userA = await loginTestUser(t, { tenantSlug: a.slug });
    const me = () => t.app.request("/auth/me", { headers: { ...userA.auth, "x-tenant": a.slug } });
    expect((await me()).status).toBe(200);
    await t.app.request(`/admin/tenants/${a.id}`, { ...jsonPost({ isActive: false }, admin.auth), method: "PATCH" });
    later(TENANT_CACHE_MS + 1);
    const res = await me();
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: "FORBIDDEN" });
  });
});
