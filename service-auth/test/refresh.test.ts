import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { jsonPost, loginTestUser } from "./fixtures.ts";
import { createTestApp, INTROSPECTION_SECRET, type TestApp } from "./harness.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
beforeEach(() => t.reset());
afterAll(() => t.close());

const basic = `Basic ${Buffer.from(`service-cloud-api:${INTROSPECTION_SECRET}`).toString("base64")}`;
const refresh = (refreshToken: string) => t.app.request("/auth/token/refresh", jsonPost({ refreshToken }));
async function introspect(token: string): Promise<{ active: boolean }> {
  const res = await t.app.request("/auth/token/introspect", jsonPost({ token }, { authorization: basic }));
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as { active: boolean };
}
const later = (ms: number) => {
  t.clock.now = new Date(t.clock.now.getTime() + ms);
};

describe("refresh-token rotation", () => {
  it("rotates: a new pair each use, the old token single-use, one family per login", async () => {
    const { tokens } = await loginTestUser(t);
    const res = await refresh(tokens.refreshToken);
    expect(res.status).toBe(200);
    const next = (await res.json()) as {
      accessToken: string;
      refreshToken: string;
      tokenType: string;
      expiresIn: number;
    };
    expect(next).toMatchObject({ tokenType: "Bearer", expiresIn: 900 });
    expect(next.refreshToken).not.toBe(tokens.refreshToken);
    expect(Buffer.from(next.refreshToken, "base64url").length).toBeGreaterThanOrEqual(32);
    const families = await t.deps.prisma.refreshTokenFamily.findMany({ include: { tokens: true } });
    expect(families).toHaveLength(1);
    expect(families[0]?.tokens).toHaveLength(2);
    // Stored only as hashes.
    for (const row of families[0]?.tokens ?? []) {
      expect(row.tokenHash).toMatch(/^[0-9a-f]{64}$/);
      expect(row.tokenHash).not.toContain(next.refreshToken);
    }
  });

  it("re-presenting within the grace window returns the same successor, never a second one", async () => {
    const { tokens } = await loginTestUser(t);
    const a = (await (await refresh(tokens.refreshToken)).json()) as { refreshToken: string };
    later(2_000);
    const b = (await (await refresh(tokens.refreshToken)).json()) as { refreshToken: string };
    expect(b.refreshToken).toBe(a.refreshToken);
    expect(await t.deps.prisma.refreshToken.count()).toBe(2);
    expect((await refresh(a.refreshToken)).status).toBe(200);
  });

  it("reuse after the grace window revokes family and session, audits it, and kills their access tokens", async () => {
    const { tokens, user } = await loginTestUser(t);
    const a = (await (await refresh(tokens.refreshToken)).json()) as { refreshToken: string; accessToken: string };
    expect((await introspect(a.accessToken)).active).toBe(true);
    later(6_000);
    const reuse = await refresh(tokens.refreshToken);
    expect(reuse.status).toBe(401);
    expect(await reuse.json()).toMatchObject({ code: "INVALID_TOKEN" });
    // The thief's and the owner's tokens are dead alike.
    expect((await refresh(a.refreshToken)).status).toBe(401);
    expect((await introspect(a.accessToken)).active).toBe(false);
    expect((await introspect(tokens.accessToken)).active).toBe(false);
    const session = await t.deps.prisma.session.findFirstOrThrow({ where: { userId: user.id } });
    expect(session.revokedReason).toBe("reuse_detected");
    const audit = await t.deps.prisma.authAuditLog.findMany({ where: { eventType: "refresh_token_reuse" } });
    expect(audit).toHaveLength(1);
    expect(audit[0]?.userId).toBe(user.id);
  });

  it("20 parallel refreshes of one token end with exactly one live successor and 20 working pairs", async () => {
    const { tokens } = await loginTestUser(t);
    const results = await Promise.all(Array.from({ length: 20 }, () => refresh(tokens.refreshToken)));
    const bodies = (await Promise.all(results.map((r) => r.json()))) as { refreshToken: string; accessToken: string }[];
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(new Set(bodies.map((b) => b.refreshToken)).size).toBe(1);
    const live = await t.deps.prisma.refreshToken.findMany({ where: { usedAt: null, revokedAt: null } });
    expect(live).toHaveLength(1);
    for (const b of bodies) expect((await introspect(b.accessToken)).active).toBe(true);
    expect((await refresh(bodies[0]?.refreshToken ?? "")).status).toBe(200);
  });

  it("refuses unknown, expired and malformed refresh tokens without changing anything", async () => {
    const { tokens } = await loginTestUser(t);
    expect((await refresh("not-a-token")).status).toBe(401);
    const bad = await t.app.request("/auth/token/refresh", jsonPost({ refreshToken: tokens.refreshToken, extra: 1 }));
    expect(bad.status).toBe(400);
    const malformed = await t.app.request("/auth/token/refresh", {
      method: "POST",
      body: "{",
      headers: { "content-type": "application/json" },
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ code: "VALIDATION_FAILED" });
    later(8 * 86_400_000);
    const expired = await refresh(tokens.refreshToken);
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ code: "EXPIRED_TOKEN" });
    expect(await t.deps.prisma.refreshToken.count()).toBe(1);
  });

  it("a refresh under another tenant is refused without rotating the token", async () => {
    const { tokens } = await loginTestUser(t);
    await t.deps.prisma.tenant.create({
      data: { slug: "acme", name: "Acme", allowedOrigins: [], allowedMethods: ["email"], jwtAudience: "acme" },
    });
    const cross = await t.app.request(
      "/auth/token/refresh",
      jsonPost({ refreshToken: tokens.refreshToken }, { "x-tenant": "acme" }),
    );
    expect(cross.status).toBe(401);
    expect(await t.deps.prisma.refreshToken.count({ where: { usedAt: { not: null } } })).toBe(0);
    expect((await refresh(tokens.refreshToken)).status).toBe(200);
  });

  it("accepts the refresh token from the cookie, only from an allowed Origin (CSRF defence)", async () => {
    const { tokens } = await loginTestUser(t);
    const cookie = `atlas_refresh_token=${tokens.refreshToken}`;
    const send = (headers: Record<string, string>) =>
      t.app.request("/auth/token/refresh", { method: "POST", headers: { cookie, ...headers } });
    for (const headers of [{}, { origin: "https://evil.example" }, { origin: "null" }] as Record<string, string>[]) {
      const refused = await send(headers);
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({ code: "FORBIDDEN" });
    }
    // Nothing was consumed by the refused attempts.
    expect(await t.deps.prisma.refreshToken.count({ where: { usedAt: { not: null } } })).toBe(0);
    expect((await send({ origin: "http://localhost:3000" })).status).toBe(200);
  });

  it("rate-limits the token endpoints per client with Retry-After", async () => {
    const limited = await createTestApp({ env: { RATE_LIMIT_TOKEN_PER_MIN: "3" } });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 4; i++)
        codes.push((await limited.app.request("/auth/token/refresh", jsonPost({ refreshToken: "x" }))).status);
      expect(codes).toEqual([401, 401, 401, 429]);
      const res = await limited.app.request("/auth/token/refresh", jsonPost({ refreshToken: "x" }));
      expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(await res.json()).toMatchObject({ code: "RATE_LIMITED" });
      expect(await limited.deps.prisma.authAuditLog.count({ where: { eventType: "rate_limited" } })).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});
