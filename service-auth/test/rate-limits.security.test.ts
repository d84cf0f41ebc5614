// Rate limits that an attacker could turn against everyone else (issue 18 §4): introspection
// counted per authenticated client, IPv6 counted per /64, a tenant's login budget shared fairly.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createPat } from "../src/services/tokens/pat.service.ts";
import { jsonPost, loginTestUser, TEST_CONTEXT } from "./fixtures.ts";
import { createTestApp, INTROSPECTION_SECRET, type TestApp } from "./harness.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({
    env: {
      RATE_LIMIT_TOKEN_PER_MIN: "20",
      RATE_LIMIT_INTROSPECTION_FAILURES_PER_MIN_IP: "5",
      RATE_LIMIT_LOGIN_PER_MIN_IP: "10",
      RATE_LIMIT_LOGIN_PER_MIN_TENANT: "50",
      RATE_LIMIT_LOGIN_TENANT_RANGE_PERCENT: "40",
    },
  });
});
beforeEach(() => t.reset());
afterAll(() => t.close());

const from = (address: string) => ({ incoming: { socket: { remoteAddress: address } } });
const basic = (secret = INTROSPECTION_SECRET) =>
  `Basic ${Buffer.from(`service-cloud-api:${secret}`).toString("base64")}`;
const introspect = (token: string, address: string, secret?: string) =>
  t.app.request("/auth/token/introspect", jsonPost({ token }, { authorization: basic(secret) }), from(address));
const failedLogin = (address: string) =>
  t.app.request("/auth/email/verify", jsonPost({ token: "x".repeat(43) }), from(address));

async function realPat() {
  const { user, tenant } = await loginTestUser(t);
  const created = await createPat(t.deps, {
    userId: user.id,
    tenantId: tenant.id,
    name: "ci",
    scopes: ["profile:read"],
    context: TEST_CONTEXT,
  });
  return created.token;
}

const randomPat = () => `atlas_pat_${crypto.randomUUID().replaceAll("-", "")}_${"A".repeat(43)}`;

describe("introspection is limited per authenticated client", () => {
  it("attack: a resource server relays a flood of junk PATs from its one address — its real PATs keep being answered", async () => {
    const pat = await realPat();
    // Far past RATE_LIMIT_TOKEN_PER_MIN (20), all from cloud-api's one address.
    for (let i = 0; i < 40; i++) {
      const res = await introspect(randomPat(), "10.1.1.1");
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ active: false });
    }
    const res = await introspect(pat, "10.1.1.1");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ active: true, token_type: "pat" });
  });

  it("attack: failed client authentications from the resource server's address — 429 for them, the real client is unaffected", async () => {
    const pat = await realPat();
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await introspect(pat, "10.1.1.1", "wrong-secret")).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    // Without credentials at all, the same bucket.
    expect((await t.app.request("/auth/token/introspect", jsonPost({ token: pat }), from("10.1.1.1"))).status).toBe(
      429,
    );
    const ok = await introspect(pat, "10.1.1.1");
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ active: true });
  });

  it("an authenticated client past RATE_LIMIT_INTROSPECTION_PER_MIN_CLIENT gets 429", async () => {
    const limited = await createTestApp({ env: { RATE_LIMIT_INTROSPECTION_PER_MIN_CLIENT: "3" } });
    try {
      const ask = () =>
        limited.app.request("/auth/token/introspect", jsonPost({ token: randomPat() }, { authorization: basic() }));
      expect([(await ask()).status, (await ask()).status, (await ask()).status]).toEqual([200, 200, 200]);
      const refused = await ask();
      expect(refused.status).toBe(429);
      expect(refused.headers.get("retry-after")).toBeTruthy();
    } finally {
      await limited.close();
    }
  });
});

describe("per-address limits count IPv6 per /64", () => {
  it("attack: rotating addresses inside one IPv6 /64 to escape the per-IP login limit — refused after the /64's budget", async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 12; i++) statuses.push((await failedLogin(`2001:db8:aa:1::${i.toString(16)}`)).status);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
    // The written-out and the embedded-IPv4 forms of an address in the same /64 are the same subject.
    expect((await failedLogin("2001:0db8:00aa:0001:0:0:0:ffff")).status).toBe(429);
    // The next /64 has its own budget.
    expect((await failedLogin("2001:db8:aa:2::1")).status).toBe(401);
  });
});

describe("a tenant's login budget cannot be spent by one network", () => {
  it("attack: many addresses of one network (IPv4 /24 and IPv6 /48) fill the tenant-wide bucket — users elsewhere still log in", async () => {
    // Each address stays under its own limit (10/min); together they try 120 attempts.
    for (let i = 1; i <= 60; i++) await failedLogin(`198.51.100.${i}`);
    for (let i = 1; i <= 60; i++) await failedLogin(`2001:db8:bad:${i.toString(16)}::1`);
    // Tenant limit 50, one network's share 40 %: each network spent 20, the tenant bucket 40.
    expect((await failedLogin("198.51.100.200")).status).toBe(429);
    expect((await failedLogin("2001:db8:bad:ffff::1")).status).toBe(429);
    for (const elsewhere of ["203.0.113.7", "192.0.2.44", "2001:db8:600d::1"]) {
      expect((await failedLogin(elsewhere)).status, elsewhere).toBe(401);
    }
  });

  it("the tenant-wide limit still holds against many networks", async () => {
    const statuses: number[] = [];
    for (let n = 0; n < 6; n++) {
      for (let i = 1; i <= 10; i++) statuses.push((await failedLogin(`10.${n}.0.${i}`)).status);
    }
    // 6 networks × 10 (each under its 20 share) = 60 > 50: the last ten are refused by the tenant bucket.
    expect(statuses.filter((s) => s === 401)).toHaveLength(50);
    expect(statuses.slice(50).every((s) => s === 429)).toBe(true);
  });
});
