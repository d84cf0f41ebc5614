import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { modeFlags } from "../src/config.ts";
import { TENANT_CACHE_MS } from "../src/middleware/tenant.ts";
import { KeyRing } from "../src/services/platform/crypto.ts";
import { assertWebhookUrl } from "../src/services/tenancy/tenant-admin.service.ts";
import { rewrapWebhookSecrets, signingSecrets } from "../src/services/tenancy/tenant-webhook-secrets.ts";
import { jsonPost, loginTestUser } from "./fixtures.ts";
import { createTestApp, TEST_KEK, type TestApp } from "./harness.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
beforeEach(() => t.reset());
afterAll(() => t.close());

const ACME = {
  name: "Acme",
  slug: "acme",
  allowedOrigins: ["https://app.acme.example", "http://localhost:5173"],
  allowedMethods: ["email", "passkey"],
  jwtAudience: "acme-api",
};

type TenantBody = { id: string; slug: string; webhookSecret?: string; settings: Record<string, unknown> } & Record<
  string,
  unknown
>;

async function platformAdmin() {
  return loginTestUser(t, { roles: ["admin"] });
}

const patch = (id: string, body: unknown, headers: Record<string, string>) =>
  t.app.request(`/admin/tenants/${id}`, { ...jsonPost(body, headers), method: "PATCH" });

const later = (ms: number) => {
  t.clock.now = new Date(t.clock.now.getTime() + ms);
};

describe("who may manage tenants", () => {
  it("platform admins only: not anonymous callers, plain users, or another tenant's admins", async () => {
    const acme = await t.deps.prisma.tenant.create({
      data: { ...ACME, allowedOrigins: [], allowedMethods: ["email"] },
    });
    const user = await loginTestUser(t);
    const acmeAdmin = await loginTestUser(t, { roles: ["admin"], tenantSlug: "acme" });
    const acmeHeaders = { ...acmeAdmin.auth, "x-tenant": "acme" };
    const attempts: [string, RequestInit][] = [
      ["/admin/tenants", {}],
      ["/admin/tenants", jsonPost({ ...ACME, slug: "other", jwtAudience: "o" })],
      [`/admin/tenants/${acme.id}`, {}],
      [`/admin/tenants/${acme.id}`, { ...jsonPost({ webhookUrl: "https://evil.example/hook" }), method: "PATCH" }],
      [`/admin/tenants/${acme.id}/webhook-secret`, { method: "POST" }],
    ];
    for (const [path, init] of attempts) {
      expect((await t.app.request(path, init)).status, path).toBe(401);
      for (const headers of [user.auth, acmeHeaders]) {
        const res = await t.app.request(path, { ...init, headers: { ...(init.headers as object), ...headers } });
        expect(res.status, path).toBe(403);
        expect(await res.json()).toMatchObject({ code: "FORBIDDEN" });
      }
    }
    const unchanged = await t.deps.prisma.tenant.findUniqueOrThrow({ where: { id: acme.id } });
    expect(unchanged.webhookUrl).toBeNull();
    expect(await t.deps.prisma.tenant.count()).toBe(2);
  });
});

describe("POST /admin/tenants", () => {
  it("creates the tenant with a webhook secret shown once and stored only encrypted; audited", async () => {
    const admin = await platformAdmin();
    const res = await t.app.request(
      "/admin/tenants",
      jsonPost({ ...ACME, webhookUrl: "https://hooks.acme.example/atlas", settings: { mfa: "required" } }, admin.auth),
    );
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as TenantBody;
    expect(body).toMatchObject({
      ...ACME,
      webhookUrl: "https://hooks.acme.example/atlas",
      isActive: true,
      settings: { mfa: "required" },
      createdAt: t.clock.now.toISOString(),
    });
    expect(body.webhookSecret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const stored = await t.deps.prisma.tenantWebhookSecret.findFirstOrThrow({ where: { tenantId: body.id } });
    expect(stored.secretCiphertext).not.toContain(String(body.webhookSecret).slice(6));
    expect(await signingSecrets(t.deps, body.id, t.clock.now)).toEqual([body.webhookSecret]);
    const audit = await t.deps.prisma.authAuditLog.findFirstOrThrow({ where: { eventType: "tenant_created" } });
    expect(audit).toMatchObject({ tenantId: body.id, userId: admin.user.id });
    expect(JSON.stringify(audit.details)).not.toContain("whsec_");
    expect(t.logs.join("\n")).not.toContain(body.webhookSecret);

    const list = await t.app.request("/admin/tenants", { headers: admin.auth });
    const listed = (await list.json()) as { items: TenantBody[]; nextCursor: string | null };
    expect(listed.items.map((i) => i.slug).sort()).toEqual(["acme", "default"]);
    expect(listed.items[0]).not.toHaveProperty("webhookSecret");
    const one = await t.app.request(`/admin/tenants/${body.id}`, { headers: admin.auth });
    expect(await one.json()).toMatchObject({ slug: "acme", jwtAudience: "acme-api" });
    const missing = await t.app.request(`/admin/tenants/${crypto.randomUUID()}`, { headers: admin.auth });
    expect(missing.status).toBe(404);
  });

  it("pages the tenant list with a cursor", async () => {
    const admin = await platformAdmin();
    // Newer than the seeded `default` tenant, whose createdAt is the database's clock.
    for (const n of [1, 2, 3]) {
      await t.deps.prisma.tenant.create({
        data: { ...ACME, slug: `t${n}`, jwtAudience: `t${n}`, createdAt: new Date(Date.now() + n * 60_000) },
      });
    }
    const first = (await (await t.app.request("/admin/tenants?limit=2", { headers: admin.auth })).json()) as {
      items: TenantBody[];
      nextCursor: string;
    };
    expect(first.items.map((i) => i.slug)).toEqual(["t3", "t2"]);
    const second = (await (
      await t.app.request(`/admin/tenants?limit=2&cursor=${first.nextCursor}`, { headers: admin.auth })
    ).json()) as { items: TenantBody[]; nextCursor: string | null };
    expect(second.items.map((i) => i.slug)).toEqual(["t1", "default"]);
    expect(second.nextCursor).toBeNull();
    expect((await t.app.request("/admin/tenants?limit=0", { headers: admin.auth })).status).toBe(400);
    expect((await t.app.request("/admin/tenants?cursor=%21", { headers: admin.auth })).status).toBe(400);
  });

  it("refuses invalid tenants with 400 VALIDATION_FAILED and changes nothing", async () => {
    const admin = await platformAdmin();
    const bad: Record<string, unknown>[] = [
      { ...ACME, allowedOrigins: ["https://app.acme.example/login"] },
      { ...ACME, allowedOrigins: ["https://app.acme.example/"] },
      { ...ACME, allowedOrigins: ["https://app.acme.example:443"] },
      { ...ACME, allowedOrigins: ["https://APP.acme.example"] },
      { ...ACME, allowedOrigins: ["ftp://files.acme.example"] },
      { ...ACME, allowedOrigins: ["*"] },
      { ...ACME, allowedOrigins: ["https://a.example", "https://a.example"] },
      { ...ACME, allowedMethods: ["email", "telepathy"] },
      { ...ACME, allowedMethods: [] },
      { ...ACME, allowedMethods: ["email", "email"] },
      { ...ACME, settings: { mfa: "sometimes" } },
      { ...ACME, settings: { lockout: "always" } },
      { ...ACME, settings: { risk: { challengeAt: 2 } } },
      { ...ACME, settings: { unknownPolicy: true } },
      { ...ACME, slug: "Acme!" },
      { ...ACME, jwtAudience: "has space" },
      { ...ACME, name: "" },
      { ...ACME, isActive: "yes" },
      { ...ACME, webhookUrl: "javascript:alert(1)" },
      { ...ACME, webhookUrl: "https://user:pass@hooks.acme.example/" },
      { ...ACME, webhookUrl: "https://hooks.acme.example/#frag" },
      { ...ACME, unknownField: 1 },
      { name: "Acme", slug: "acme" },
    ];
    for (const body of bad) {
      const res = await t.app.request("/admin/tenants", jsonPost(body, admin.auth));
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.json()).toMatchObject({ code: "VALIDATION_FAILED" });
    }
    expect(await t.deps.prisma.tenant.count()).toBe(1);
    expect(await t.deps.prisma.tenantWebhookSecret.count()).toBe(0);
    expect(await t.deps.prisma.authAuditLog.count({ where: { eventType: "tenant_created" } })).toBe(0);
  });

  it("answers 409 CONFLICT for a slug or an audience already taken", async () => {
    const admin = await platformAdmin();
    expect((await t.app.request("/admin/tenants", jsonPost(ACME, admin.auth))).status).toBe(201);
    const slug = await t.app.request("/admin/tenants", jsonPost({ ...ACME, jwtAudience: "x" }, admin.auth));
    expect(slug.status).toBe(409);
    expect(await slug.json()).toMatchObject({ code: "CONFLICT", field: "slug" });
    const aud = await t.app.request(
      "/admin/tenants",
      jsonPost({ ...ACME, slug: "acme2", jwtAudience: "atlas" }, admin.auth),
    );
    expect(aud.status).toBe(409);
    expect(await aud.json()).toMatchObject({ code: "CONFLICT", field: "jwtAudience" });
    expect(await t.deps.prisma.tenant.count()).toBe(2);
  });

  it("takes only https webhook URLs in production", () => {
    const production = { config: modeFlags("production") };
    expect(() => assertWebhookUrl(production, "http://hooks.acme.example/")).toThrow("https");
    expect(() => assertWebhookUrl(production, "https://hooks.acme.example/")).not.toThrow();
    expect(() => assertWebhookUrl({ config: modeFlags("test") }, "http://127.0.0.1:9/")).not.toThrow();
  });
});

describe("PATCH /admin/tenants/:id", () => {
  async function created() {
    const admin = await platformAdmin();
    const body = (await (await t.app.request("/admin/tenants", jsonPost(ACME, admin.auth))).json()) as TenantBody;
    return { admin, tenant: body };
  }

  it("changes any subset, merges settings into the stored policy, and is audited", async () => {
    const { admin, tenant } = await created();
    // A policy key this API does not manage (set by another feature) survives the merge.
    await t.deps.prisma.tenant.update({ where: { id: tenant.id }, data: { settings: { lockout: "hard" } } });
    later(1_000);
    const res = await patch(
      tenant.id,
      { name: "Acme Corp", settings: { mfa: "required" }, webhookUrl: "https://hooks.acme.example/a" },
      admin.auth,
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      ...ACME,
      name: "Acme Corp",
      settings: { lockout: "hard", mfa: "required" },
      webhookUrl: "https://hooks.acme.example/a",
      updatedAt: t.clock.now.toISOString(),
    });
    const cleared = await patch(tenant.id, { webhookUrl: null }, admin.auth);
    expect(await cleared.json()).toMatchObject({ webhookUrl: null, name: "Acme Corp" });
    const audits = await t.deps.prisma.authAuditLog.findMany({
      where: { eventType: "tenant_updated" },
      orderBy: { createdAt: "asc" },
    });
    expect(audits.map((a) => a.details)).toEqual([
      { fields: ["name", "settings", "webhookUrl"], byTenantId: admin.tenant.id },
      { fields: ["webhookUrl"], byTenantId: admin.tenant.id },
    ]);
    expect(audits.every((a) => a.tenantId === tenant.id && a.userId === admin.user.id)).toBe(true);
  });

  it("refuses empty or invalid changes, unknown tenants, and deactivating or renaming `default`", async () => {
    const { admin, tenant } = await created();
    for (const body of [{}, { allowedMethods: ["smoke-signals"] }, { slug: "UPPER" }, { isActive: null }]) {
      const res = await patch(tenant.id, body, admin.auth);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await patch(crypto.randomUUID(), { name: "x" }, admin.auth)).status).toBe(404);
    expect((await patch("not-a-uuid", { name: "x" }, admin.auth)).status).toBe(400);
    for (const body of [{ isActive: false }, { slug: "renamed" }]) {
      const res = await patch(admin.tenant.id, body, admin.auth);
      expect(res.status).toBe(409);
      expect(await res.json()).toMatchObject({ code: "CONFLICT" });
    }
    expect((await patch(tenant.id, { jwtAudience: "atlas" }, admin.auth)).status).toBe(409);
    expect((await patch(admin.tenant.id, { name: "Atlas Cloud" }, admin.auth)).status).toBe(200);
    expect(await t.deps.prisma.authAuditLog.count({ where: { eventType: "tenant_updated" } })).toBe(1);
  });

  it("deactivation applies at once: the change empties the tenant cache (other instances: tenant-deactivation.security.test.ts)", async () => {
    const { admin, tenant } = await created();
    const current = () => t.app.request("/tenants/current", { headers: { "x-tenant": "acme" } });
    expect((await current()).status).toBe(200);
    expect((await patch(tenant.id, { isActive: false }, admin.auth)).status).toBe(200);
    // The clock has not moved: the cached tenant was dropped by the change itself.
    const res = await current();
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: "FORBIDDEN" });
    expect((await patch(tenant.id, { isActive: true }, admin.auth)).status).toBe(200);
    expect((await current()).status).toBe(200);
  });

  it("a change made behind the service's back (no notification) applies once TENANT_CACHE_MS has passed", async () => {
    const { tenant } = await created();
    const current = () => t.app.request("/tenants/current", { headers: { "x-tenant": "acme" } });
    expect((await current()).status).toBe(200);
    await t.deps.prisma.tenant.update({ where: { id: tenant.id }, data: { isActive: false } });
    expect((await current()).status).toBe(200);
    later(TENANT_CACHE_MS + 1);
    expect((await current()).status).toBe(403);
  });
});

describe("POST /admin/tenants/:id/webhook-secret", () => {
  it("rotates: both secrets sign during the grace period, then only the new one; audited", async () => {
    const admin = await platformAdmin();
    const tenant = (await (await t.app.request("/admin/tenants", jsonPost(ACME, admin.auth))).json()) as TenantBody;
    const rotate = (headers = admin.auth) =>
      t.app.request(`/admin/tenants/${tenant.id}/webhook-secret`, { method: "POST", headers });
    later(60_000);
    const res = await rotate();
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const rotated = (await res.json()) as { webhookSecret: string; previousSecretsExpireAt: string };
    const graceEnd = new Date(t.clock.now.getTime() + 24 * 3_600_000);
    expect(rotated.previousSecretsExpireAt).toBe(graceEnd.toISOString());
    expect(rotated.webhookSecret).not.toBe(tenant.webhookSecret);
    expect(await signingSecrets(t.deps, tenant.id, t.clock.now)).toEqual([rotated.webhookSecret, tenant.webhookSecret]);
    expect(await signingSecrets(t.deps, tenant.id, graceEnd)).toEqual([rotated.webhookSecret]);
    expect(await t.deps.prisma.authAuditLog.count({ where: { eventType: "webhook_secret_rotated" } })).toBe(1);
    // A later rotation drops secrets whose grace is over.
    t.clock.now = new Date(graceEnd.getTime() + 1);
    const fresh = await platformAdmin();
    const again = (await (await rotate(fresh.auth)).json()) as { webhookSecret: string };
    expect(await signingSecrets(t.deps, tenant.id, t.clock.now)).toEqual([again.webhookSecret, rotated.webhookSecret]);
    expect(await t.deps.prisma.tenantWebhookSecret.count({ where: { tenantId: tenant.id } })).toBe(2);
    const missing = await t.app.request(`/admin/tenants/${crypto.randomUUID()}/webhook-secret`, {
      method: "POST",
      headers: fresh.auth,
    });
    expect(missing.status).toBe(404);
  });

  it("re-wraps secrets under a new KEK at boot (KEK rotation without downtime)", async () => {
    const admin = await platformAdmin();
    const tenant = (await (await t.app.request("/admin/tenants", jsonPost(ACME, admin.auth))).json()) as TenantBody;
    const rotatedRing = KeyRing.parse(`k2:${randomBytes(32).toString("base64")},${TEST_KEK}`, t.deps.random);
    const deps = { prisma: t.deps.prisma, keyRing: rotatedRing };
    expect(await rewrapWebhookSecrets(deps)).toBe(1);
    expect(await rewrapWebhookSecrets(deps)).toBe(0);
    expect((await t.deps.prisma.tenantWebhookSecret.findFirstOrThrow()).kekId).toBe("k2");
    expect(await signingSecrets(deps, tenant.id, t.clock.now)).toEqual([tenant.webhookSecret]);
  });
});
