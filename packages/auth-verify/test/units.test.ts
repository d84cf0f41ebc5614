import { describe, expect, it } from "vitest";
import { ExpiringLru } from "../src/expiring-lru.ts";
import { bearerAuth, checkJwks, parseAuthorization } from "../src/index.ts";
import { startTestIssuer } from "../src/testing.ts";

describe("parseAuthorization", () => {
  it("classifies headers per RFC 6750", () => {
    expect(parseAuthorization("Bearer abc.def-_~+/==")).toEqual({ kind: "token", token: "abc.def-_~+/==" });
    expect(parseAuthorization("bearer x")).toEqual({ kind: "token", token: "x" });
    for (const none of [undefined, "", "  ", "Basic x", "Bearerx y"])
      expect(parseAuthorization(none).kind).toBe("none");
    for (const bad of ["Bearer", "Bearer ", "Bearer  x", "Bearer x y", "Bearer x ", "Bearer\tx", "Bearer é"]) {
      expect(parseAuthorization(bad).kind, bad).toBe("malformed");
    }
  });
});

describe("ExpiringLru", () => {
  it("evicts the least recently used entry and forgets expired ones", () => {
    const lru = new ExpiringLru<number>(2);
    lru.set("a", 1, 100, 0);
    lru.set("b", 2, 100, 0);
    expect(lru.get("a", 0)).toBe(1); // a is now the most recent
    lru.set("c", 3, 100, 0);
    expect(lru.get("b", 0)).toBeUndefined();
    expect(lru.get("a", 99)).toBe(1);
    expect(lru.get("a", 100)).toBeUndefined();
    expect(lru.size).toBe(1);
    lru.set("d", 4, 5, 10); // already expired: not stored
    expect(lru.get("d", 0)).toBeUndefined();
    const off = new ExpiringLru<number>(0);
    off.set("a", 1, 100, 0);
    expect(off.get("a", 0)).toBeUndefined();
  });
});

describe("bearerAuth options", () => {
  const base = { issuer: "https://auth.example", audiences: ["atlas"], jwksUrl: "https://auth.example/jwks" };
  it("are checked once, at construction", () => {
    expect(() => bearerAuth(base)).not.toThrow();
    expect(() => bearerAuth({ ...base, issuer: "" })).toThrow(/issuer/);
    expect(() => bearerAuth({ ...base, audiences: [] })).toThrow(/audiences/);
    expect(() => bearerAuth({ ...base, audiences: [""] })).toThrow(/audience/);
    expect(() => bearerAuth({ ...base, jwksUrl: "not a url" })).toThrow(/jwksUrl/);
    expect(() => bearerAuth({ ...base, jwksUrl: "file:///etc/keys" })).toThrow(/jwksUrl/);
    expect(() => bearerAuth({ ...base, algorithms: [] })).toThrow(/algorithms/);
    expect(() => bearerAuth({ ...base, clockToleranceSec: -1 })).toThrow(/clockToleranceSec/);
    expect(() => bearerAuth({ ...base, jwksCooldownMs: 1.5 })).toThrow(/jwksCooldownMs/);
    expect(() => bearerAuth({ ...base, algorithms: ["ES256", "ES256"], verifiedCacheSize: 0 })).not.toThrow();
    const introspection = { url: "https://auth.example/introspect", clientId: "c", clientSecret: "s" };
    expect(() => bearerAuth({ ...base, introspection })).not.toThrow();
    expect(() => bearerAuth({ ...base, introspection: { ...introspection, clientSecret: "" } })).toThrow(
      /clientSecret/,
    );
    expect(() => bearerAuth({ ...base, introspection: { ...introspection, negativeTtlMs: -5 } })).toThrow(
      /negativeTtl/,
    );
    // @ts-expect-error: untyped callers
    expect(() => bearerAuth(undefined)).toThrow(/options/);
  });
});

describe("checkJwks", () => {
  it("resolves for a key set with keys and rejects otherwise", async () => {
    const issuer = await startTestIssuer();
    try {
      await expect(checkJwks(issuer.jwksUrl)).resolves.toBeUndefined();
      issuer.jwksAvailable = false;
      await expect(checkJwks(issuer.jwksUrl)).rejects.toThrow(/503/);
      await expect(checkJwks(issuer.jwksUrl, { fetch: async () => Response.json({ keys: [] }) })).rejects.toThrow(
        /no keys/,
      );
    } finally {
      await issuer.stop();
    }
    await expect(checkJwks(issuer.jwksUrl, { timeoutMs: 500 })).rejects.toThrow();
  });
});
