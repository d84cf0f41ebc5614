// Attacks on the device flow and on PAT-managed PATs, each named by what it stops.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEVICE_CODE_GRANT_TYPE } from "../src/services/methods/device/device-auth.service.ts";
import { jsonPost, loginTestUser } from "./fixtures.ts";
import { createTestApp, type TestApp } from "./harness.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
beforeEach(() => t.reset());
afterAll(() => t.close());

const later = (sec: number) => {
  t.clock.now = new Date(t.clock.now.getTime() + sec * 1000);
};
const form = (fields: Record<string, string>) => ({
  method: "POST",
  body: new URLSearchParams(fields).toString(),
  headers: { "content-type": "application/x-www-form-urlencoded" },
});
async function codes(scope = "profile:read objects:read objects:write") {
  const res = await t.app.request("/auth/device/code", form({ client_id: "atlas-cli", scope, hostname: "box" }));
  return (await res.json()) as { device_code: string; user_code: string };
}
async function patFor(auth: Record<string, string>, scope?: string) {
  const c = await codes(scope);
  expect((await t.app.request("/auth/device/approve", jsonPost({ user_code: c.user_code }, auth))).status).toBe(200);
  const res = await t.app.request(
    "/auth/token/refresh",
    form({ grant_type: DEVICE_CODE_GRANT_TYPE, device_code: c.device_code }),
  );
  return ((await res.json()) as { access_token: string }).access_token;
}

describe("user-code brute force", () => {
  it("stops guessing: 5 wrong codes per user in 15 minutes, then 429 even for a right code", async () => {
    const me = await loginTestUser(t);
    const real = await codes();
    for (const guess of ["BBBB-BBBB", "CCCC-CCCC", "not-a-code", "DDDD-DDDD", "FFFF-FFFF"]) {
      const res = await t.app.request(`/auth/device/verify?user_code=${guess}`, { headers: me.auth });
      expect(res.status).toBe(404);
    }
    const blocked = await t.app.request("/auth/device/approve", jsonPost({ user_code: real.user_code }, me.auth));
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await t.deps.prisma.authAuditLog.count({ where: { eventType: "device_code_failed" } })).toBe(5);
    // The window passes; the right code works again (it is still valid: 15 min lifetime, so ask anew).
    later(15 * 60 + 1);
    const fresh = await codes();
    expect(
      (await t.app.request("/auth/device/approve", jsonPost({ user_code: fresh.user_code }, me.auth))).status,
    ).toBe(200);
  });

  it("stops fast scanning: code entry is rate limited per user", async () => {
    const me = await loginTestUser(t);
    const real = await codes();
    let last = 0;
    for (let i = 0; i < 21; i++) {
      last = (await t.app.request(`/auth/device/verify?user_code=${real.user_code}`, { headers: me.auth })).status;
    }
    expect(last).toBe(429);
  });

  it("stops code farming: device authorization requests are rate limited per client address", async () => {
    const statuses: number[] = [];
    for (let i = 0; i <= t.config.RATE_LIMIT_LOGIN_PER_MIN_IP; i++) {
      statuses.push((await t.app.request("/auth/device/code", form({ client_id: "atlas-cli" }))).status);
    }
    expect(statuses.slice(0, -1).every((s) => s === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });

  it("stops cross-tenant approval: another tenant's user cannot decide the request", async () => {
    await t.deps.prisma.tenant.create({
      data: { name: "Other", slug: "other", allowedOrigins: [], allowedMethods: ["email"], jwtAudience: "other" },
    });
    const stranger = await loginTestUser(t, { tenantSlug: "other" });
    const c = await codes();
    const res = await t.app.request(
      "/auth/device/approve",
      jsonPost({ user_code: c.user_code }, { ...stranger.auth, "x-tenant": "other" }),
    );
    expect(res.status).toBe(404);
    expect((await t.deps.prisma.deviceAuthorization.findFirstOrThrow()).status).toBe("pending");
  });
});

describe("PAT-managed PATs", () => {
  it("stops scope escalation: a PAT cannot create a PAT with scopes it lacks", async () => {
    const me = await loginTestUser(t);
    const pat = await patFor(me.auth, "profile:read objects:read");
    const bearer = { authorization: `Bearer ${pat}` };
    const up = await t.app.request(
      "/auth/pats",
      jsonPost({ name: "x", scopes: ["objects:write"], expiresInDays: 1 }, bearer),
    );
    expect(up.status).toBe(403);
    const same = await t.app.request(
      "/auth/pats",
      jsonPost({ name: "x", scopes: ["objects:read"], expiresInDays: 30 }, bearer),
    );
    expect(same.status).toBe(201);
    // Nor one that outlives it (the device PAT expires in 90 days; no expiry means forever).
    const forever = await t.app.request("/auth/pats", jsonPost({ name: "y", scopes: ["objects:read"] }, bearer));
    expect(forever.status).toBe(400);
  });

  it("stops token sprawl from a narrow token: without profile:read a PAT may only revoke itself", async () => {
    const me = await loginTestUser(t);
    const other = await patFor(me.auth, "profile:read");
    const narrow = await patFor(me.auth, "objects:read");
    const bearer = { authorization: `Bearer ${narrow}` };
    expect((await t.app.request("/auth/pats", { headers: bearer })).status).toBe(403);
    const ids = (await (await t.app.request("/auth/pats", { headers: me.auth })).json()) as {
      items: { id: string; displayPrefix: string }[];
    };
    const idOf = (token: string) => ids.items.find((i) => token.startsWith(i.displayPrefix))?.id ?? "";
    expect((await t.app.request(`/auth/pats/${idOf(other)}`, { method: "DELETE", headers: bearer })).status).toBe(403);
    expect((await t.app.request(`/auth/pats/${idOf(narrow)}`, { method: "DELETE", headers: bearer })).status).toBe(204);
    // Revoked: the token no longer authenticates.
    expect((await t.app.request("/auth/pats", { headers: bearer })).status).toBe(401);
  });

  it("stops a PAT from skipping MFA: users with MFA cannot create PATs with a PAT", async () => {
    const me = await loginTestUser(t);
    const pat = await patFor(me.auth, "profile:read objects:read");
    await t.deps.prisma.mFASettings.create({
      data: { userId: me.user.id, totpEnabled: true, totpSecret: "x", totpSecretKekId: "test1" },
    });
    const res = await t.app.request(
      "/auth/pats",
      jsonPost({ name: "x", scopes: ["objects:read"], expiresInDays: 1 }, { authorization: `Bearer ${pat}` }),
    );
    expect(res.status).toBe(403);
  });

  it("stops BOLA: a PAT cannot revoke another user's token", async () => {
    const alice = await loginTestUser(t);
    const bob = await loginTestUser(t);
    const alicePat = await patFor(alice.auth, "profile:read");
    await patFor(bob.auth, "profile:read");
    const [bobsToken] = await t.deps.prisma.personalAccessToken.findMany({ where: { userId: bob.user.id } });
    const res = await t.app.request(`/auth/pats/${bobsToken?.id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${alicePat}` },
    });
    expect(res.status).toBe(404);
    expect(
      (await t.deps.prisma.personalAccessToken.findUniqueOrThrow({ where: { id: bobsToken?.id } })).revokedAt,
    ).toBeNull();
  });

  it("stops PAT reuse across tenants and after revocation at the PAT routes", async () => {
    await t.deps.prisma.tenant.create({
      data: { name: "Other", slug: "other", allowedOrigins: [], allowedMethods: ["email"], jwtAudience: "other" },
    });
    const me = await loginTestUser(t);
    const pat = await patFor(me.auth, "profile:read");
    const res = await t.app.request("/auth/pats", { headers: { authorization: `Bearer ${pat}`, "x-tenant": "other" } });
    expect(res.status).toBe(401);
    expect((await t.app.request("/auth/pats", { headers: { authorization: "Bearer atlas_pat_junk" } })).status).toBe(
      401,
    );
  });
});

describe("the signed-out preview (GET /auth/device/preview)", () => {
  it("names only the client and the device's hostname, and no more, without sign-in", async () => {
    const c = await codes();
    const res = await t.app.request(`/auth/device/preview?user_code=${c.user_code}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    // Where the device asked from, its scopes and the decision stay behind sign-in.
    expect(await res.json()).toEqual({ clientName: "Atlas CLI", hostname: "box" });
  });

  it("answers 404 for a wrong, decided, expired or other tenant's code, and changes nothing", async () => {
    const me = await loginTestUser(t);
    expect((await t.app.request("/auth/device/preview?user_code=BBBB-BBBB")).status).toBe(404);
    const decided = await codes();
    expect((await t.app.request("/auth/device/deny", jsonPost({ user_code: decided.user_code }, me.auth))).status).toBe(
      200,
    );
    expect((await t.app.request(`/auth/device/preview?user_code=${decided.user_code}`)).status).toBe(404);
    const other = await codes();
    await t.deps.prisma.tenant.create({
      data: { name: "Other", slug: "other", allowedOrigins: [], allowedMethods: ["email"], jwtAudience: "other" },
    });
    const elsewhere = await t.app.request(`/auth/device/preview?user_code=${other.user_code}`, {
      headers: { "x-tenant": "other" },
    });
    expect(elsewhere.status).toBe(404);
    later(15 * 60 + 1);
    expect((await t.app.request(`/auth/device/preview?user_code=${other.user_code}`)).status).toBe(404);
    // A preview decides nothing and is not a counted wrong entry of any user.
    expect(await t.deps.prisma.deviceAuthorization.count({ where: { status: "pending" } })).toBe(1);
  });

  it("stops scanning: limited per address", async () => {
    const limit = t.deps.config.RATE_LIMIT_LOGIN_PER_MIN_IP;
    let last = 0;
    for (let i = 0; i <= limit; i++) {
      last = (await t.app.request("/auth/device/preview?user_code=BBBB-BBBB")).status;
      if (last === 429) break;
    }
    expect(last).toBe(429);
  });
});
