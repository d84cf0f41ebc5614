import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadAuthConfig } from "../src/config.ts";
import { type AuditEventType, recordAudit } from "../src/services/audit/audit.service.ts";
import { truncateExpiredAuditIps, truncateIp } from "../src/services/audit/audit-retention.service.ts";
import { decodeCursor, encodeCursor } from "../src/services/platform/keyset-cursor.ts";
import { startTenancyJobs } from "../src/services/tenancy/tenancy-jobs.ts";
import { loginTestUser } from "./fixtures.ts";
import { createTestApp, FIXED_NOW, TEST_ENV, type TestApp } from "./harness.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
beforeEach(() => t.reset());
afterAll(() => t.close());

const at = (minutes: number) => new Date(FIXED_NOW.getTime() + minutes * 60_000);
const DAY = 86_400_000;

async function audit(
  eventType: AuditEventType,
  when: Date,
  who: { userId?: string | null; tenantId?: string | null; ip?: string } = {},
) {
  await recordAudit(
    t.deps.prisma,
    {
      eventType,
      userId: who.userId ?? null,
      tenantId: who.tenantId ?? null,
      context: { ipAddress: who.ip ?? "203.0.113.77", userAgent: "vitest", deviceHash: "dev" },
      details: { method: "email" },
    },
    when,
  );
}

type Page = {
  items: { id: string; eventType: string; userId: string | null; createdAt: string }[];
  nextCursor: string | null;
};
const page = async (path: string, headers: Record<string, string>) => {
  const res = await t.app.request(path, { headers });
  expect(res.status).toBe(200);
  return (await res.json()) as Page;
};

describe("GET /auth/audit", () => {
  it("lists only the caller's events, newest first, with every field api.md names", async () => {
    const me = await loginTestUser(t);
    const other = await loginTestUser(t);
    await audit("login_failure", at(-10), { userId: me.user.id, tenantId: me.tenant.id });
    await audit("login_success", at(-5), { userId: other.user.id, tenantId: other.tenant.id });
    await audit("pat_created", at(-1), { userId: me.user.id, tenantId: me.tenant.id });
    const body = await page("/auth/audit", me.auth);
    // loginTestUser's session opened with a login_success row of its own, at FIXED_NOW.
    expect(body.items.map((i) => i.eventType)).toEqual(["login_success", "pat_created", "login_failure"]);
    expect(body.items.every((i) => i.userId === me.user.id)).toBe(true);
    expect(body.items[1]).toEqual({
      id: expect.any(String),
      eventType: "pat_created",
      tenantId: me.tenant.id,
      userId: me.user.id,
      ipAddress: "203.0.113.77",
      geoLocation: null,
      deviceHash: "dev",
      riskScore: 0,
      userAgent: "vitest",
      createdAt: at(-1).toISOString(),
      details: { method: "email" },
    });
    expect(body.nextCursor).toBeNull();
    expect((await t.app.request("/auth/audit")).status).toBe(401);
  });

  it("pages with a cursor that stays stable while new events arrive", async () => {
    const me = await loginTestUser(t);
    const who = { userId: me.user.id, tenantId: me.tenant.id };
    // Two events in the same millisecond: the id breaks the tie, so neither is skipped or repeated.
    for (const m of [-50, -40, -30, -30, -20]) await audit("login_failure", at(m), who);
    const first = await page("/auth/audit?limit=2", me.auth);
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    await audit("logout", at(1), who);
    await audit("logout", at(-35), { userId: (await loginTestUser(t)).user.id });
    const second = await page(`/auth/audit?limit=2&cursor=${first.nextCursor}`, me.auth);
    const third = await page(`/auth/audit?limit=2&cursor=${second.nextCursor}`, me.auth);
    expect(third.nextCursor).toBeNull();
    const seen = [...first.items, ...second.items, ...third.items];
    expect(seen).toHaveLength(6);
    expect(new Set(seen.map((i) => i.id)).size).toBe(6);
    expect(seen.map((i) => i.createdAt)).toEqual([...seen.map((i) => i.createdAt)].sort().reverse());
    expect(seen.some((i) => i.eventType === "logout")).toBe(false);
    const fresh = await page("/auth/audit?limit=100", me.auth);
    expect(fresh.items[0]?.eventType).toBe("logout");
  });

  it("rejects malformed cursors, limits, dates and unknown parameters with 400 VALIDATION_FAILED", async () => {
    const me = await loginTestUser(t);
    const forged = Buffer.from("yesterday|x").toString("base64url");
    for (const q of [
      "limit=0",
      "limit=101",
      "limit=ten",
      "cursor=***",
      `cursor=${forged}`,
      `cursor=${Buffer.from("2026-01-01T00:00:00.000Z|a|b").toString("base64url")}`,
      "from=yesterday",
      `from=${at(0).toISOString()}&to=${at(-1).toISOString()}`,
      "eventType=DROP%20TABLE",
      "userid=123",
    ]) {
      const res = await t.app.request(`/auth/audit?${q}`, { headers: me.auth });
      expect(res.status, q).toBe(400);
      expect(await res.json()).toMatchObject({ code: "VALIDATION_FAILED" });
    }
  });

  it("round-trips cursors and refuses ones it did not make", () => {
    const cursor = { createdAt: at(0), id: "6f1c7c6e-4a8b-4bb5-9d0c-2a1c2c9b7e11" };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    expect(() => decodeCursor(Buffer.from("2026-01-15T12:00:00Z|abc").toString("base64url"))).toThrow(
      "Malformed cursor",
    );
    expect(() => decodeCursor(Buffer.from("2026-01-15T12:00:00.000Z|").toString("base64url"))).toThrow();
    // The same text in a non-canonical base64url spelling (stray low bits in the last character).
    const canonical = encodeCursor(cursor);
    const last = canonical.at(-1) ?? "";
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const spelling = `${canonical.slice(0, -1)}${alphabet[alphabet.indexOf(last) + 1]}`;
    expect(Buffer.from(spelling, "base64url").equals(Buffer.from(canonical, "base64url"))).toBe(true);
    expect(() => decodeCursor(spelling)).toThrow("Malformed cursor");
  });
});

describe("GET /admin/audit", () => {
  async function acme() {
    const tenant = await t.deps.prisma.tenant.create({
      data: { slug: "acme", name: "Acme", allowedOrigins: [], allowedMethods: ["email"], jwtAudience: "acme" },
    });
    return tenant;
  }

  it("is for admins only", async () => {
    const user = await loginTestUser(t);
    const res = await t.app.request("/admin/audit", { headers: user.auth });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: "FORBIDDEN" });
    expect((await t.app.request("/admin/audit")).status).toBe(401);
  });

  it("filters by user, event type and time range, across users", async () => {
    const admin = await loginTestUser(t, { roles: ["admin"] });
    const a = await loginTestUser(t);
    const b = await loginTestUser(t);
    const tenantId = admin.tenant.id;
    await audit("login_failure", at(-30), { userId: a.user.id, tenantId });
    await audit("login_failure", at(-20), { userId: b.user.id, tenantId });
    await audit("mfa_failure", at(-10), { userId: a.user.id, tenantId });
    const all = await page("/admin/audit?limit=100", admin.auth);
    expect(new Set(all.items.map((i) => i.userId))).toEqual(new Set([admin.user.id, a.user.id, b.user.id]));
    const ofA = await page(`/admin/audit?userId=${a.user.id}`, admin.auth);
    expect(ofA.items.map((i) => i.eventType)).toEqual(["login_success", "mfa_failure", "login_failure"]);
    const failures = await page("/admin/audit?eventType=login_failure", admin.auth);
    expect(failures.items.map((i) => i.userId)).toEqual([b.user.id, a.user.id]);
    const window = await page(
      `/admin/audit?eventType=login_failure&from=${encodeURIComponent(at(-30).toISOString())}&to=${encodeURIComponent(at(-20).toISOString())}`,
      admin.auth,
    );
    expect(window.items.map((i) => i.userId)).toEqual([a.user.id]);
    const paged = await page(`/admin/audit?limit=1&eventType=login_failure`, admin.auth);
    const next = await page(`/admin/audit?limit=1&eventType=login_failure&cursor=${paged.nextCursor}`, admin.auth);
    expect([paged.items[0]?.userId, next.items[0]?.userId]).toEqual([b.user.id, a.user.id]);
  });

  it("shows platform admins every tenant, and a tenant's admins only their own tenant", async () => {
    const tenant = await acme();
    const platform = await loginTestUser(t, { roles: ["admin"] });
    const acmeAdmin = await loginTestUser(t, { roles: ["admin"], tenantSlug: "acme" });
    await audit("login_failure", at(-5), { tenantId: tenant.id });
    await audit("login_failure", at(-4), { tenantId: platform.tenant.id });
    const acmeHeaders = { ...acmeAdmin.auth, "x-tenant": "acme" };
    const own = await page("/admin/audit?eventType=login_failure", acmeHeaders);
    expect(own.items).toHaveLength(1);
    expect(own.items[0]).toMatchObject({ tenantId: tenant.id });
    const peek = await t.app.request(`/admin/audit?tenantId=${platform.tenant.id}`, { headers: acmeHeaders });
    expect(peek.status).toBe(403);
    expect((await page(`/admin/audit?tenantId=${tenant.id}`, acmeHeaders)).items.length).toBeGreaterThan(0);
    const everything = await page("/admin/audit?eventType=login_failure", platform.auth);
    expect(everything.items).toHaveLength(2);
    const onlyAcme = await page(`/admin/audit?eventType=login_failure&tenantId=${tenant.id}`, platform.auth);
    expect(onlyAcme.items.map((i) => i.eventType)).toEqual(["login_failure"]);
    expect(onlyAcme.items).toHaveLength(1);
  });
});

describe("audit IP retention", () => {
  it("truncates IPv4 to /24 and IPv6 to /48, leaves non-addresses alone, and is idempotent", () => {
    const cases: [string, string][] = [
      ["203.0.113.77", "203.0.113.0"],
      ["203.0.113.0", "203.0.113.0"],
      ["2001:db8:85a3:8d3:1319:8a2e:370:7348", "2001:db8:85a3::"],
      ["2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8:0::"],
      ["2001:db8::1", "2001:db8:0::"],
      ["::1", "0:0:0::"],
      ["fe80::1%eth0", "fe80:0:0::"],
      ["::ffff:198.51.100.23", "::ffff:198.51.100.0"],
      ["internal", "internal"],
      ["unknown", "unknown"],
    ];
    for (const [ip, expected] of cases) {
      expect(truncateIp(ip), ip).toBe(expected);
      expect(truncateIp(truncateIp(ip)), ip).toBe(expected);
    }
  });

  it("truncates rows older than AUDIT_IP_RETENTION_DAYS, resumes where it stopped, keeps newer rows", async () => {
    expect(t.config.AUDIT_IP_RETENTION_DAYS).toBe(90);
    expect(loadAuthConfig({ ...TEST_ENV, AUDIT_IP_RETENTION_DAYS: "30" }).AUDIT_IP_RETENTION_DAYS).toBe(30);
    expect(() => loadAuthConfig({ ...TEST_ENV, AUDIT_IP_RETENTION_DAYS: "0" })).toThrow();
    const now = FIXED_NOW;
    const old = (days: number) => new Date(now.getTime() - days * DAY);
    await audit("login_success", old(200), { ip: "198.51.100.23" });
    await audit("login_success", old(120), { ip: "2001:db8:85a3:8d3:1319:8a2e:370:7348" });
    await audit("login_success", old(92), { ip: "internal" });
    await audit("login_success", old(91), { ip: "192.0.2.1" });
    await audit("login_success", old(89), { ip: "192.0.2.99" });
    // A batch size of 2 makes the job walk several batches in one run.
    expect(await truncateExpiredAuditIps(t.deps, now, 2)).toBe(3);
    const ips = async () =>
      (await t.deps.prisma.authAuditLog.findMany({ orderBy: { createdAt: "asc" } })).map((r) => r.ipAddress);
    expect(await ips()).toEqual(["198.51.100.0", "2001:db8:85a3::", "internal", "192.0.2.0", "192.0.2.99"]);
    expect(await truncateExpiredAuditIps(t.deps, now)).toBe(0);
    const state = await t.deps.prisma.jobState.findUniqueOrThrow({ where: { name: "audit_ip_retention" } });
    expect(state.cursorAt).toEqual(old(91));
    // Two days later the 89-day-old row crossed the line; only it is visited and changed.
    expect(await truncateExpiredAuditIps(t.deps, new Date(now.getTime() + 2 * DAY))).toBe(1);
    expect((await ips()).at(-1)).toBe("192.0.2.0");
  });

  it("runs from the background jobs", async () => {
    await audit("login_success", new Date(FIXED_NOW.getTime() - 100 * DAY), { ip: "198.51.100.23" });
    const stop = startTenancyJobs(t.deps, { retentionMs: 60_000, webhooksMs: 60_000 });
    try {
      await expect
        .poll(async () => (await t.deps.prisma.authAuditLog.findFirstOrThrow()).ipAddress, { timeout: 10_000 })
        .toBe("198.51.100.0");
    } finally {
      stop();
    }
  });
});
