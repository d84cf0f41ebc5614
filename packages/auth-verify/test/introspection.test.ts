import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IntrospectionOptions } from "../src/index.ts";
import { startTestIssuer, type TestIssuer } from "../src/testing.ts";
import { appFor, call, outcome } from "./helpers.ts";

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await startTestIssuer();
});
afterAll(() => issuer.stop());

/** An app whose clock the test moves, with introspection against the test issuer. */
function patApp(overrides: Partial<IntrospectionOptions> = {}) {
  const clock = { now: Date.now() };
  const app = appFor(issuer, {
    now: () => clock.now,
    introspection: {
      url: issuer.introspectionUrl,
      clientId: issuer.clientId,
      clientSecret: issuer.clientSecret,
      ...overrides,
    },
  });
  return { app, clock };
}

const calls = () => issuer.introspectionRequests.length;

describe("bearerAuth with personal access tokens (introspection)", () => {
  it("accepts an active PAT with the scopes introspection reports", async () => {
    const { app } = patApp();
    const pat = issuer.addPat({ scope: "profile:read usage:read", jti: "pat_1" });
    const res = await call(app, pat);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      sub: "user_1",
      tid: "tenant_default",
      scopes: ["profile:read", "usage:read"],
      method: "pat",
      amr: ["pat"],
      tokenId: "pat_1",
    });
  });

  it("sends the token as a form body with HTTP Basic client credentials (RFC 7662)", async () => {
    const { app } = patApp();
    const pat = issuer.addPat();
    await call(app, pat);
    const request = issuer.introspectionRequests.at(-1);
    expect(request?.body).toBe(new URLSearchParams({ token: pat }).toString());
    const basic = Buffer.from(`${issuer.clientId}:${issuer.clientSecret}`).toString("base64");
    expect(request?.authorization).toBe(`Basic ${basic}`);
  });

  it("caches an active answer for the positive TTL, never past the token's exp", async () => {
    const { app, clock } = patApp({ positiveTtlMs: 30_000 });
    const pat = issuer.addPat();
    const before = calls();
    for (let i = 0; i < 3; i++) expect((await call(app, pat)).status).toBe(200);
    expect(calls()).toBe(before + 1);
    clock.now += 31_000;
    expect((await call(app, pat)).status).toBe(200);
    expect(calls()).toBe(before + 2);

    const shortLived = issuer.addPat({ exp: Math.floor(clock.now / 1000) + 5 });
    expect((await call(app, shortLived)).status).toBe(200);
    clock.now += 6_000;
    issuer.revokePat(shortLived);
    expect((await call(app, shortLived)).status).toBe(401);
  });

  it("sees a revocation once the positive TTL has passed", async () => {
    const { app, clock } = patApp({ positiveTtlMs: 10_000 });
    const pat = issuer.addPat();
    expect((await call(app, pat)).status).toBe(200);
    issuer.revokePat(pat);
    clock.now += 10_001;
    expect((await call(app, pat)).status).toBe(401);
  });

  it("rejects an inactive PAT and caches that for the negative TTL", async () => {
    const { app, clock } = patApp({ negativeTtlMs: 5_000 });
    const before = calls();
    const unknown = `atlas_pat_${"0".repeat(32)}_${"A".repeat(43)}`;
    const first = await outcome(await call(app, unknown));
    expect(first).toEqual({
      status: 401,
      code: "INVALID_TOKEN",
      challenge: 'Bearer realm="atlas", error="invalid_token", error_description="token is not active"',
    });
    expect((await call(app, unknown)).status).toBe(401);
    expect(calls()).toBe(before + 1);
    clock.now += 5_001;
    expect((await call(app, unknown)).status).toBe(401);
    expect(calls()).toBe(before + 2);
  });

  it("attack: strings that only start with atlas_pat_ — refused as malformed without asking service-auth", async () => {
    const { app } = patApp();
    const before = calls();
    const real = issuer.addPat();
    for (const junk of [
      "atlas_pat_",
      "atlas_pat_unknown",
      `${real}x`,
      real.slice(0, -1),
      real.replace(/_([^_]*)$/, "_$1".replace("$1", "+".repeat(43))),
      `atlas_pat_${"G".repeat(32)}_${"A".repeat(43)}`,
      `atlas_pat_${"a".repeat(32)}${"A".repeat(44)}`,
    ]) {
      const res = await outcome(await call(app, junk));
      expect(res, junk).toMatchObject({ status: 401, code: "INVALID_TOKEN" });
      expect(res.challenge).toContain('error_description="malformed token"');
    }
    expect(calls()).toBe(before);
    expect((await call(app, real)).status).toBe(200);
    expect(calls()).toBe(before + 1);
  });

  it("fails closed when introspection is down, and does not cache the failure", async () => {
    const { app } = patApp();
    const pat = issuer.addPat();
    issuer.introspectionAvailable = false;
    try {
      const res = await outcome(await call(app, pat));
      expect(res).toMatchObject({ status: 401, code: "INVALID_TOKEN" });
      expect(res.challenge).toContain('error_description="token could not be checked"');
    } finally {
      issuer.introspectionAvailable = true;
    }
    expect((await call(app, pat)).status).toBe(200);
  });

  it("fails closed when introspection is unreachable or answers garbage", async () => {
    const pat = issuer.addPat();
    const refused = patApp({ url: "http://127.0.0.1:1/introspect" });
    expect((await call(refused.app, pat)).status).toBe(401);
    const notJson = patApp({ fetch: async () => new Response("<html>", { status: 200 }) });
    expect((await call(notJson.app, pat)).status).toBe(401);
    const notObject = patApp({ fetch: async () => Response.json([1, 2]) });
    expect((await call(notObject.app, pat)).status).toBe(401);
    const noTenant = patApp({ fetch: async () => Response.json({ active: true, sub: "u" }) });
    expect((await call(noTenant.app, pat)).status).toBe(401);
  });

  it("is refused by the endpoint with wrong client credentials", async () => {
    const { app } = patApp({ clientSecret: "not-the-secret" });
    expect((await call(app, issuer.addPat())).status).toBe(401);
  });

  it("rejects an 'active' PAT past its own exp as expired", async () => {
    const { app } = patApp();
    const pat = issuer.addPat({ exp: Math.floor(Date.now() / 1000) - 120 });
    expect((await outcome(await call(app, pat))).code).toBe("EXPIRED_TOKEN");
  });

  it("rejects every PAT when introspection is not configured", async () => {
    const app = appFor(issuer);
    const res = await outcome(await call(app, issuer.addPat()));
    expect(res.status).toBe(401);
    expect(res.challenge).toContain('error_description="personal access tokens are not accepted"');
  });
});
