import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { startTestIssuer, type TestIssuer } from "../src/testing.ts";
import { appFor, call, outcome } from "./helpers.ts";

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await startTestIssuer();
});
afterAll(() => issuer.stop());
afterEach(() => {
  vi.useRealTimers();
});

const nowSec = () => Math.floor(Date.now() / 1000);

describe("bearerAuth accepts Atlas access tokens", () => {
  it.each(["RS256", "ES256", "EdDSA"] as const)("verifies a %s token and sets c.var.auth", async (alg) => {
    const key = await issuer.addKey(alg);
    const app = appFor(issuer);
    const token = await issuer.sign({ roles: ["admin"], jti: "tok-1" }, { key });
    const res = await call(app, token);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      sub: "user_1",
      tid: "tenant_default",
      scopes: ["profile:read", "objects:read"],
      method: "jwt",
      sessionId: "session_1",
      amr: ["email"],
      roles: ["admin"],
      tokenId: "tok-1",
    });
  });

  it("accepts any of several audiences, an aud list, and a token without scope", async () => {
    const app = appFor(issuer, { audiences: ["other", "atlas"] });
    expect((await call(app, await issuer.sign({ aud: ["x", "atlas"] }))).status).toBe(200);
    const res = await call(app, await issuer.sign({ scope: undefined, sid: undefined, amr: undefined }));
    expect(await res.json()).toEqual({
      sub: "user_1",
      tid: "tenant_default",
      scopes: [],
      method: "jwt",
      tokenId: expect.any(String),
    });
  });

  it("accepts 20 s of clock skew either way, not more", async () => {
    const t = nowSec();
    const app = appFor(issuer, { now: () => t * 1000 });
    expect((await call(app, await issuer.sign({}, { now: t + 20 }))).status).toBe(200);
    expect((await call(app, await issuer.sign({ exp: t - 20 }, { now: t - 900 }))).status).toBe(200);
    expect((await call(app, await issuer.sign({}, { now: t + 45 }))).status).toBe(401);
    const strict = appFor(issuer, { now: () => t * 1000, clockToleranceSec: 0 });
    expect((await call(strict, await issuer.sign({}, { now: t + 20 }))).status).toBe(401);
  });
});

describe("bearerAuth and the remote JWKS", () => {
  it("picks up a rotated-in key with one refetch; old-kid tokens keep working", async () => {
    const local = await startTestIssuer();
    try {
      const app = appFor(local, { jwksCooldownMs: 0 });
      const oldToken = await local.sign();
      expect((await call(app, oldToken)).status).toBe(200);
      expect(local.jwksRequests).toBe(1);

      const next = await local.addKey("ES256");
      expect((await call(app, await local.sign({}, { key: next }))).status).toBe(200);
      expect(local.jwksRequests).toBe(2);
      expect((await call(app, await local.sign())).status).toBe(200);
      expect((await call(app, oldToken)).status).toBe(200);
      expect(local.jwksRequests).toBe(2);
    } finally {
      await local.stop();
    }
  });

  it("keeps verifying with cached keys while the issuer is down", async () => {
    const local = await startTestIssuer();
    const app = appFor(local);
    expect((await call(app, await local.sign())).status).toBe(200);
    const fresh = await local.sign({ sub: "user_2" });
    await local.stop();
    const res = await call(app, fresh);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ sub: "user_2" });
  });

  it("fails closed when the JWKS cannot be fetched at all", async () => {
    const local = await startTestIssuer();
    local.jwksAvailable = false;
    try {
      const res = await outcome(await call(appFor(local), await local.sign()));
      expect(res).toMatchObject({ status: 401, code: "INVALID_TOKEN" });
      expect(res.challenge).toContain('error_description="token could not be verified"');
    } finally {
      await local.stop();
    }
  });

  it("refetches for an unknown kid at most once per cool-down", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2030-01-01T00:00:00Z"));
    const local = await startTestIssuer();
    try {
      const app = appFor(local, { jwksCooldownMs: 30_000 });
      expect((await call(app, await local.sign())).status).toBe(200);
      expect(local.jwksRequests).toBe(1);

      const rogue = await local.addKey("RS256", { publish: false });
      const unknown = await local.sign({}, { key: rogue });
      for (let i = 0; i < 5; i++) expect((await call(app, unknown)).status).toBe(401);
      expect(local.jwksRequests).toBe(1); // the set was fetched just now: still cooling down

      vi.setSystemTime(new Date("2030-01-01T00:00:31Z"));
      const later = await local.sign({}, { key: rogue });
      for (let i = 0; i < 5; i++) expect((await call(app, later)).status).toBe(401);
      expect(local.jwksRequests).toBe(2); // one refetch, then cooling down again
    } finally {
      await local.stop();
    }
  });

  it("remembers a verified token until its exp, then verifies it again", async () => {
    let now = Date.now();
    const local = await startTestIssuer();
    try {
      const app = appFor(local, { now: () => now, verifiedCacheSize: 2 });
      const token = await local.sign({ exp: Math.floor(now / 1000) + 60 });
      expect((await call(app, token)).status).toBe(200);
      // Unpublishing the key proves the second answer came from the cache, not the JWKS.
      (local.keys[0] as { published: boolean }).published = false;
      expect((await call(app, token)).status).toBe(200);
      now += 61_000;
      // Past exp the cache no longer answers; within the skew allowance the token re-verifies
      // against the cached key set (the JWKS is not refetched for a known kid).
      expect((await call(app, token)).status).toBe(200);
      now += 30_000;
      expect((await outcome(await call(app, token))).code).toBe("EXPIRED_TOKEN");
    } finally {
      await local.stop();
    }
  });
});
