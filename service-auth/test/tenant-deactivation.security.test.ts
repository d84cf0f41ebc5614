// Deactivated tenants (issue 18 §3): their PATs and refresh tokens stop working, and a tenant
// change made through one instance reaches every other instance within a second (LISTEN/NOTIFY).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TenantListener } from "../src/services/tenancy/tenant-cache.ts";
import { createPat } from "../src/services/tokens/pat.service.ts";
import { jsonPost, loginTestUser, TEST_CONTEXT } from "./fixtures.ts";
import { createTestApp, INTROSPECTION_SECRET, type TestApp } from "./harness.ts";

// Two instances of service-auth on one database, as behind a load balancer.
let t: TestApp;
let other: TestApp;
let listener: TenantListener;

beforeAll(async () => {
  t = await createTestApp();
  other = await createTestApp();
  const pool = other.deps.database.pool;
  if (!pool) throw new Error("the test database is PostgreSQL");
  // Retries fast, so the reconnect test does not wait a production second.
  listener = other.deps.tenantCache.listen(pool, other.deps.logger, 50);
  await listener.ready;
});
beforeEach(async () => {
  await t.reset();
  // The other instance shares the database: its caches must not outlive the truncated data.
  other.deps.tenantCache.invalidate();
  other.app = (await import("../src/app.ts")).createApp(other.deps);
  await other.deps.signingKeys.refresh(other.clock.now);
});
afterAll(async () => {
  await listener.stop();
  await other.close();
  await t.close();
});

const basic = () => `Basic ${Buffer.from(`service-cloud-api:${INTROSPECTION_SECRET}`).toString("base64")}`;
const introspectAt = async (app: TestApp, token: string) =>
  (await (await app.app.request("/auth/token/introspect", jsonPost({ token }, { authorization: basic() }))).json()) as {
    active: boolean;
  };

/** A tenant made through the admin API, a user in it with a session and a PAT. */
async function tenantWithUser() {
  const admin = await loginTestUser(t, { roles: ["admin"] });
  const res = await t.app.request(
    "/admin/tenants",
    jsonPost(
      {
        name: "Acme",
        slug: "acme",
        allowedOrigins: ["https://acme.example"],
        allowedMethods: ["email"],
        jwtAudience: "acme-api",
      },
      admin.auth,
    ),
  );
  expect(res.status).toBe(201);
  const tenant = (await res.json()) as { id: string; slug: string };
  const user = await loginTestUser(t, { tenantSlug: "acme" });
  const pat = await createPat(t.deps, {
    userId: user.user.id,
    tenantId: tenant.id,
    name: "ci",
    scopes: ["profile:read"],
    context: TEST_CONTEXT,
  });
  const patch = (app: TestApp, body: Record<string, unknown>) =>
    app.app.request(`/admin/tenants/${tenant.id}`, { ...jsonPost(body, admin.auth), method: "PATCH" });
  return { admin, tenant, user, pat: pat.token, patch };
}

const current = (app: TestApp, headers: Record<string, string> = {}) =>
  app.app.request("/tenants/current", { headers: { "x-tenant": "acme", ...headers } });

/** Polls `check` on the real clock until it holds; returns how long that took (ms). */
async function until(check: () => Promise<boolean>, withinMs: number): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < withinMs) {
    if (await check()) return performance.now() - start;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`not seen within ${withinMs} ms`);
}

describe("a deactivated tenant's tokens", () => {
  it("attack: a deactivated tenant's PAT, access and refresh tokens introspected — every one answers active: false", async () => {
    const { user, pat, patch } = await tenantWithUser();
    for (const token of [pat, user.tokens.accessToken, user.tokens.refreshToken]) {
      expect((await introspectAt(t, token)).active).toBe(true);
    }
    expect((await patch(t, { isActive: false })).status).toBe(200);
    for (const token of [pat, user.tokens.accessToken, user.tokens.refreshToken]) {
      expect(await introspectAt(t, token)).toEqual({ active: false });
    }
    // Reactivated, the same tokens work again: deactivation suspends, it does not revoke.
    expect((await patch(t, { isActive: true })).status).toBe(200);
    expect((await introspectAt(t, pat)).active).toBe(true);
  });

  it("attack: refreshing a deactivated tenant's session while the tenant cache still holds it — 403, no token issued", async () => {
    const { tenant, user } = await tenantWithUser();
    // The instance has the tenant cached as active; the row changes behind its back (no notification).
    const me = () => t.app.request("/auth/me", { headers: { ...user.auth, "x-tenant": "acme" } });
    expect((await me()).status).toBe(200);
    await t.deps.prisma.tenant.update({ where: { id: tenant.id }, data: { isActive: false } });
    expect((await me()).status).toBe(200);
    const tokensBefore = await t.deps.prisma.refreshToken.count();
    const res = await t.app.request(
      "/auth/token/refresh",
      jsonPost({ refreshToken: user.tokens.refreshToken }, { "x-tenant": "acme" }),
    );
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: "FORBIDDEN" });
    expect(await t.deps.prisma.refreshToken.count()).toBe(tokensBefore);
  });
});

describe("tenant changes reach every instance within 1 s", () => {
  it("attack: deactivating a tenant through one instance while another keeps serving it from cache — the other refuses it within 1 s", async () => {
    const { pat, patch } = await tenantWithUser();
    // The other instance has the tenant (and the PAT's tenant) cached as active.
    expect((await current(other)).status).toBe(200);
    expect((await introspectAt(other, pat)).active).toBe(true);
    expect((await patch(t, { isActive: false })).status).toBe(200);
    // Its clock does not move: only the notification can empty its cache.
    const ms = await until(async () => (await current(other)).status === 403, 1_000);
    expect(ms).toBeLessThan(1_000);
    expect(await introspectAt(other, pat)).toEqual({ active: false });
  });

  it("a settings change through one instance (allowed origins) is in force at the other within 1 s", async () => {
    const { patch } = await tenantWithUser();
    const granted = async () =>
      (await current(other, { origin: "https://acme.example" })).headers.get("access-control-allow-origin");
    expect(await granted()).toBe("https://acme.example");
    expect((await patch(t, { allowedOrigins: ["https://new.acme.example"] })).status).toBe(200);
    await until(async () => (await granted()) === null, 1_000);
  });

  it("a change in a rolled-back transaction notifies nobody", async () => {
    const { tenant } = await tenantWithUser();
    expect((await current(other)).status).toBe(200);
    await t.deps.prisma
      .$transaction(async (tx) => {
        await tx.tenant.update({ where: { id: tenant.id }, data: { isActive: false } });
        await tx.$executeRaw`SELECT pg_notify('atlas_tenant_changed', ${tenant.id})`;
        throw new Error("rolled back");
      })
      .catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    expect((await current(other)).status).toBe(200);
  });

  it("the listener reconnects after its connection is killed, and a change made then still arrives", async () => {
    const { patch } = await tenantWithUser();
    expect((await current(other)).status).toBe(200);
    await t.deps.prisma.$executeRaw`
      SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN atlas_tenant_changed'`;
    expect((await patch(t, { isActive: false })).status).toBe(200);
    // Reconnecting empties the cache (what was said meanwhile was not heard), then LISTENs again.
    await until(async () => (await current(other)).status === 403, 2_000);
    await until(
      async () =>
        (
          await t.deps.prisma.$queryRaw<{ n: bigint }[]>`
          SELECT count(*) AS n FROM pg_stat_activity WHERE query = 'LISTEN atlas_tenant_changed'`
        )[0]?.n === 1n,
      2_000,
    );
    expect((await patch(t, { isActive: true })).status).toBe(200);
    await until(async () => (await current(other)).status === 200, 1_000);
  });
});
