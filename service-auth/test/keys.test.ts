import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { KeyRing } from "../src/services/platform/crypto.ts";
import { SigningKeyStore } from "../src/services/tokens/signing-keys.service.ts";
import { loginTestUser } from "./fixtures.ts";
import { createTestApp, type TestApp } from "./harness.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
beforeEach(() => t.reset());
afterAll(() => t.close());

const jwks = async () =>
  (await (await t.app.request("/.well-known/jwks.json")).json()) as { keys: { kid: string; d?: string; p?: string }[] };
const createLocalSet = (doc: { keys: object[] }) => createLocalJWKSet(doc as Parameters<typeof createLocalJWKSet>[0]);
const later = (ms: number) => {
  t.clock.now = new Date(t.clock.now.getTime() + ms);
};

describe("JWKS and discovery", () => {
  it("publishes public parts only, with Cache-Control", async () => {
    const res = await t.app.request("/.well-known/jwks.json");
    expect(res.headers.get("cache-control")).toBe("public, max-age=300");
    const { keys } = (await res.json()) as { keys: Record<string, unknown>[] };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({
      kty: "RSA",
      alg: "RS256",
      use: "sig",
      kid: expect.any(String),
      n: expect.any(String),
      e: "AQAB",
    });
    for (const privatePart of ["d", "p", "q", "dp", "dq", "qi"]) expect(keys[0]).not.toHaveProperty(privatePart);
  });

  it("answers an ETag, and 304 with no body to a matching If-None-Match", async () => {
    const res = await t.app.request("/.well-known/jwks.json");
    const etag = res.headers.get("etag");
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await t.app.request("/.well-known/jwks.json", { headers: { "if-none-match": etag as string } });
    expect(again.status).toBe(304);
    expect(again.headers.get("cache-control")).toBe("public, max-age=300");
    expect(await again.text()).toBe("");
    const stale = await t.app.request("/.well-known/jwks.json", { headers: { "if-none-match": '"other"' } });
    expect(stale.status).toBe(200);
    // A rotation publishes a new set under a new ETag.
    await t.deps.signingKeys.rotate(t.clock.now);
    const rotated = await t.app.request("/.well-known/jwks.json", { headers: { "if-none-match": etag as string } });
    expect(rotated.status).toBe(200);
    expect(rotated.headers.get("etag")).not.toBe(etag);
  });

  it("drops a key from the cached JWKS when its publication ends, without a reload", async () => {
    const rotation = await t.deps.signingKeys.rotate(t.clock.now);
    expect((await jwks()).keys).toHaveLength(2);
    later(300_000 + 900_000 + 60_000 + 1_000); // past the old key's unpublishAt; no refresh()
    expect((await jwks()).keys.map((k) => k.kid)).toEqual([rotation.kid]);
  });

  it("serves OpenID discovery metadata", async () => {
    const meta = (await (await t.app.request("/.well-known/openid-configuration")).json()) as Record<string, unknown>;
    expect(meta).toMatchObject({
      issuer: "http://auth.test",
      jwks_uri: "http://auth.test/.well-known/jwks.json",
      introspection_endpoint: "http://auth.test/auth/token/introspect",
      revocation_endpoint: "http://auth.test/auth/token/revoke",
      id_token_signing_alg_values_supported: expect.arrayContaining(["RS256"]),
    });
  });

  it("stores private keys only as KEK ciphertext", async () => {
    const row = await t.deps.prisma.signingKey.findFirstOrThrow();
    const stored = Buffer.from(row.privateKeyCiphertext).toString();
    expect(stored).not.toContain("PRIVATE KEY");
    expect(row.kekId).toBe("test1");
    expect(() => t.deps.keyRing.decrypt(stored, row.kekId, "signing-key:other")).toThrow();
  });
});

describe("access tokens", () => {
  it("carry the api.md claims with kid in the header", async () => {
    const { tokens, user, tenant } = await loginTestUser(t, { roles: ["admin"] });
    const header = decodeProtectedHeader(tokens.accessToken);
    const { keys } = await jwks();
    expect(header).toMatchObject({ alg: "RS256", kid: keys[0]?.kid });
    const [, payloadPart] = tokens.accessToken.split(".");
    const claims = JSON.parse(Buffer.from(payloadPart ?? "", "base64url").toString());
    const iat = Math.floor(t.clock.now.getTime() / 1000);
    expect(claims).toEqual({
      iss: "http://auth.test",
      sub: user.id,
      aud: tenant.jwtAudience,
      iat,
      nbf: iat,
      exp: iat + 900,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      sid: expect.any(String),
      tid: tenant.id,
      amr: ["email"],
      scope: "profile:read objects:read objects:write usage:read billing:read",
      roles: ["admin"],
    });
  });

  it("verify in an independent JWT library (Debian's python3-jwt) given only the JWKS URL", async (ctx) => {
    const probe = spawnSync("/usr/bin/python3", ["-c", "import jwt, cryptography"]);
    if (probe.status !== 0) ctx.skip();
    t.clock.now = new Date();
    await t.deps.signingKeys.refresh(t.clock.now);
    const { tokens, tenant } = await loginTestUser(t);
    const server = createServer((_req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(t.deps.signingKeys.jwksJson(t.clock.now));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
    const script = `
import jwt, sys
client = jwt.PyJWKClient(sys.argv[1])
token = sys.argv[2]
key = client.get_signing_key_from_jwt(token)
claims = jwt.decode(token, key.key, algorithms=["RS256"], audience=sys.argv[3], issuer="http://auth.test")
print(claims["sub"])
`;
    const result = await new Promise<{ status: number | null; out: string }>((resolve) => {
      const p = spawn("/usr/bin/python3", ["-c", script, url, tokens.accessToken, tenant.jwtAudience]);
      let out = "";
      p.stdout.on("data", (d: Buffer) => (out += d));
      p.stderr.on("data", (d: Buffer) => (out += d));
      p.on("exit", (status) => resolve({ status, out }));
    });
    server.close();
    expect(result.out.trim()).toBe(tokens.user.id);
    expect(result.status).toBe(0);
  });
});

describe("key rotation", () => {
  it("publishes a new key a JWKS lifetime before it signs and keeps the old one until its tokens expired", async () => {
    const issuer = t.config.PUBLIC_URL;
    const oldKid = (await jwks()).keys[0]?.kid;
    const { tokens: oldTokens } = await loginTestUser(t);

    const rotation = await t.deps.signingKeys.rotate(t.clock.now);
    expect(rotation.activatesAt.getTime() - t.clock.now.getTime()).toBe(300_000);
    // Published at once, but the old key still signs.
    expect((await jwks()).keys.map((k) => k.kid).sort()).toEqual([oldKid, rotation.kid].sort());
    expect(decodeProtectedHeader((await loginTestUser(t)).tokens.accessToken).kid).toBe(oldKid);
    // Rotating again while one is pending changes nothing.
    expect((await t.deps.signingKeys.rotate(t.clock.now)).kid).toBe(rotation.kid);

    later(300_000);
    const { tokens: newTokens } = await loginTestUser(t);
    expect(decodeProtectedHeader(newTokens.accessToken).kid).toBe(rotation.kid);
    // Tokens from before the rotation still verify against the published set.
    const set = createLocalSet(await jwks());
    await expect(jwtVerify(oldTokens.accessToken, set, { issuer, currentDate: t.clock.now })).resolves.toBeTruthy();

    later(900_000 + 60_000 + 1_000); // the old key's last token expired (+ skew)
    await t.deps.signingKeys.refresh(t.clock.now);
    expect((await jwks()).keys.map((k) => k.kid)).toEqual([rotation.kid]);
  });

  it("rotates on demand through the admin endpoint (admins only, audited)", async () => {
    const user = await loginTestUser(t);
    const denied = await t.app.request("/admin/keys/rotate", { method: "POST", headers: user.auth });
    expect(denied.status).toBe(403);
    expect((await t.app.request("/admin/keys/rotate", { method: "POST" })).status).toBe(401);
    const admin = await loginTestUser(t, { roles: ["admin"] });
    const res = await t.app.request("/admin/keys/rotate", { method: "POST", headers: admin.auth });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { kid: string; activatesAt: string };
    expect((await jwks()).keys.map((k) => k.kid)).toContain(body.kid);
    expect(new Date(body.activatesAt).getTime() - t.clock.now.getTime()).toBe(300_000);
    expect(await t.deps.prisma.authAuditLog.count({ where: { eventType: "signing_key_rotated" } })).toBe(1);
  });

  it("the first admin comes from the documented command, not an endpoint", async () => {
    const { grantAdmin } = await import("../src/services/tenancy/admin.service.ts");
    const created = await grantAdmin(t.deps, { email: " Root@Example.test ", tenantSlug: "default" });
    expect(created).toMatchObject({ email: "root@example.test", roles: ["admin"] });
    const again = await grantAdmin(t.deps, { email: "root@example.test", tenantSlug: "default" });
    expect(again.roles).toEqual(["admin"]);
    await expect(grantAdmin(t.deps, { email: "nope", tenantSlug: "default" })).rejects.toThrow(/e-mail/);
    await expect(grantAdmin(t.deps, { email: "a@b.test", tenantSlug: "ghost" })).rejects.toThrow(/tenant/);
    expect(await t.deps.prisma.authAuditLog.count({ where: { eventType: "role_granted" } })).toBe(2);
  });

  it("rotates on schedule when the signer is older than the rotation interval", async () => {
    expect(await t.deps.signingKeys.rotateIfDue(t.clock.now)).toBe(false);
    later(31 * 86_400_000);
    expect(await t.deps.signingKeys.rotateIfDue(t.clock.now)).toBe(true);
    expect(await t.deps.signingKeys.rotateIfDue(t.clock.now)).toBe(false);
    expect(await t.deps.prisma.signingKey.count()).toBe(2);
  });

  it("re-wraps private keys under a new KEK without downtime", async () => {
    const { tokens } = await loginTestUser(t);
    const newKek = `test2:${Buffer.alloc(32, 7).toString("base64")}`;
    const ring = KeyRing.parse(`${newKek},${t.config.KEY_ENCRYPTION_KEYS}`, t.deps.random);
    const store = new SigningKeyStore(t.deps.prisma, ring, {
      alg: "RS256",
      jwksMaxAgeSec: 300,
      accessTokenTtlSec: 900,
      rotationDays: 30,
    });
    // Before the re-wrap, the new ring still reads keys under the old KEK.
    await store.refresh(t.clock.now);
    expect(await store.rewrap()).toBe(1);
    expect((await t.deps.prisma.signingKey.findFirstOrThrow()).kekId).toBe("test2");
    // After it, a ring with only the new KEK serves the same key.
    const onlyNew = new SigningKeyStore(t.deps.prisma, KeyRing.parse(newKek, t.deps.random), {
      alg: "RS256",
      jwksMaxAgeSec: 300,
      accessTokenTtlSec: 900,
      rotationDays: 30,
    });
    await onlyNew.refresh(t.clock.now);
    expect(onlyNew.signer(t.clock.now)?.kid).toBe(decodeProtectedHeader(tokens.accessToken).kid);
  });

  it.each(["ES256", "EdDSA"] as const)("supports %s signing keys", async (alg) => {
    const other = await createTestApp({ env: { SIGNING_ALG: alg } });
    try {
      await other.reset();
      const { tokens } = await loginTestUser(other);
      expect(decodeProtectedHeader(tokens.accessToken).alg).toBe(alg);
      const set = createLocalSet(JSON.parse(other.deps.signingKeys.jwksJson(other.clock.now)));
      await expect(jwtVerify(tokens.accessToken, set, { currentDate: other.clock.now })).resolves.toBeTruthy();
    } finally {
      await other.close();
    }
  });
});
