// Token core end to end: tokens issued by the real service-auth (HTTP on 127.0.0.1) and
// verified by the real service-cloud-api app, sharing one clock that tests move.
import { createHmac } from "node:crypto";
import { connectPostgres, freePort } from "@atlas/db";
import { workerDatabaseUrl } from "@atlas/db/testing";
import { createLogger, type RunningServer, startHttpServer } from "@atlas/service-kit";
import { decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createPat } from "../service-auth/src/services/tokens/pat.service.ts";
import { OAuthPeer } from "../service-auth/test/fakes/oauth-peer.ts";
import { jsonPost, loginTestUser, TEST_CONTEXT } from "../service-auth/test/fixtures.ts";
import { createTestApp, INTROSPECTION_SECRET, type TestApp } from "../service-auth/test/harness.ts";
import { createApp as createCloudApp } from "../service-cloud-api/src/app.ts";
import { loadCloudConfig } from "../service-cloud-api/src/config.ts";
import { buildDeps, type Deps as CloudDeps, closeDeps } from "../service-cloud-api/src/deps.ts";

let auth: TestApp;
let server: RunningServer;
let cloudDeps: CloudDeps | undefined;
let cloud: ReturnType<typeof createCloudApp>;
let issuerUrl: string;
let peer: OAuthPeer;

/** A fresh cloud-api (empty JWKS cache) per test: every reset makes new signing keys. */
async function makeCloud() {
  if (cloudDeps) await closeDeps(cloudDeps);
  const url = await workerDatabaseUrl();
  const config = loadCloudConfig({
    DATABASE_URL: url,
    AUTH_URL: issuerUrl,
    INTROSPECTION_CLIENT_SECRET: INTROSPECTION_SECRET,
    // Tests compress minutes into milliseconds of real time; jose times its cool-down on the real clock.
    JWKS_COOLDOWN_SEC: "0",
  });
  const base = buildDeps(
    config,
    connectPostgres(url, "cloud", { max: 2 }),
    createLogger({ name: "c", level: "silent" }),
  );
  cloudDeps = { ...base, now: () => auth.clock.now };
  cloud = createCloudApp(cloudDeps);
}

beforeAll(async () => {
  const port = await freePort();
  issuerUrl = `http://127.0.0.1:${port}`;
  peer = await OAuthPeer.start(issuerUrl);
  auth = await createTestApp({ env: { PUBLIC_URL: issuerUrl, ...peer.env() } });
  // Through `auth.app` at call time: reset() makes a fresh app (and tenant cache) per test.
  server = await startHttpServer((req, env) => auth.app.fetch(req, env), port, "127.0.0.1");
});
beforeEach(async () => {
  await auth.reset();
  await makeCloud();
});
afterAll(async () => {
  await server.close();
  if (cloudDeps) await closeDeps(cloudDeps);
  await auth.close();
  await peer.stop();
});

const me = (token: string) => cloud.request("/v1/me", { headers: { authorization: `Bearer ${token}` } });
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
const later = (ms: number) => {
  auth.clock.now = new Date(auth.clock.now.getTime() + ms);
};

describe("service-auth tokens at service-cloud-api", () => {
  it("a login's access token is verified locally", async () => {
    const { tokens, user, tenant } = await loginTestUser(auth);
    const res = await me(tokens.accessToken);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ sub: user.id, tid: tenant.id, method: "jwt" });
  });

  it("black box: e-mail start → /dev/outbox → verify → tokens that cloud-api accepts", async () => {
    const base = issuerUrl;
    const started = await fetch(`${base}/auth/email/start`, jsonPost({ email: "e2e@example.test" }));
    expect(started.status).toBe(202);
    const outbox = (await (await fetch(`${base}/dev/outbox`)).json()) as { items: { token: string }[] };
    const token = outbox.items[0]?.token ?? "";
    const verified = await fetch(`${base}/auth/email/verify`, jsonPost({ token }));
    expect(verified.status).toBe(200);
    const tokens = (await verified.json()) as { accessToken: string; user: { id: string } };
    const res = await me(tokens.accessToken);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ sub: tokens.user.id, method: "jwt" });
  });

  it("black box: SMS start → /dev/outbox → verify → tokens that cloud-api accepts", async () => {
    const started = await fetch(`${issuerUrl}/auth/sms/start`, jsonPost({ phone: "+14155550123" }));
    expect(started.status).toBe(202);
    const outbox = (await (await fetch(`${issuerUrl}/dev/outbox`)).json()) as { items: { code: string }[] };
    const verified = await fetch(
      `${issuerUrl}/auth/sms/verify`,
      jsonPost({ phone: "+14155550123", code: outbox.items[0]?.code }),
    );
    expect(verified.status).toBe(200);
    const tokens = (await verified.json()) as { accessToken: string; user: { id: string } };
    const res = await me(tokens.accessToken);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ sub: tokens.user.id, method: "jwt" });
  });

  it.each(["google", "github", "discord", "twitter"])(
    "black box: OAuth with %s over HTTP → callback → refresh cookie → tokens that cloud-api accepts",
    async (provider) => {
      peer.accounts.set("e2e", { id: "e2e", email: "e2e@example.test", emailVerified: true, name: "E2E" });
      const started = await fetch(`${issuerUrl}/auth/oauth/${provider}/start`, { redirect: "manual" });
      expect(started.status).toBe(302);
      const flowCookie = started.headers.getSetCookie()[0]?.split(";")[0] ?? "";
      const back = await peer.authorize(started.headers.get("location") ?? "", "e2e");
      expect(back.origin).toBe(issuerUrl);
      const done = await fetch(back, { redirect: "manual", headers: { cookie: flowCookie } });
      expect(done.status).toBe(302);
      expect(done.headers.get("location")).toBe("http://localhost:3000/");
      const refreshCookie = done.headers.getSetCookie().find((c) => c.startsWith("atlas_refresh_token="));
      const refreshed = await fetch(`${issuerUrl}/auth/token/refresh`, {
        method: "POST",
        headers: { cookie: refreshCookie?.split(";")[0] ?? "", origin: "http://localhost:3000" },
      });
      expect(refreshed.status).toBe(200);
      const tokens = (await refreshed.json()) as { accessToken: string; user: { id: string } };
      const res = await me(tokens.accessToken);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ sub: tokens.user.id, method: "jwt" });
    },
  );

  it("keeps verifying old tokens across a key rotation, without restart, and accepts the new kid", async () => {
    const { tokens: before } = await loginTestUser(auth);
    expect((await me(before.accessToken)).status).toBe(200);
    const { kid } = await auth.deps.signingKeys.rotate(auth.clock.now);
    later(300_000);
    const { tokens: after } = await loginTestUser(auth);
    expect(decodeProtectedHeader(after.accessToken).kid).toBe(kid);
    expect((await me(after.accessToken)).status).toBe(200);
    expect((await me(before.accessToken)).status).toBe(200);
  });

  describe("rejects, all 401", () => {
    const attacks: [string, (t: string) => Promise<string> | string][] = [
      ["tampered signature", (t) => `${t.slice(0, -4)}${t.endsWith("AAAA") ? "BBBB" : "AAAA"}`],
      [
        "tampered payload",
        (t) => {
          const [h, p, s] = t.split(".");
          const claims = JSON.parse(Buffer.from(p ?? "", "base64url").toString());
          return `${h}.${b64({ ...claims, sub: "someone-else" })}.${s}`;
        },
      ],
      [
        "alg none",
        (t) => {
          const [, p] = t.split(".");
          return `${b64({ alg: "none", typ: "JWT" })}.${p}.`;
        },
      ],
      [
        "HS256 signed with the public key",
        async (t) => {
          const [h, p] = t.split(".");
          const header = JSON.parse(Buffer.from(h ?? "", "base64url").toString());
          const jwks = JSON.parse(auth.deps.signingKeys.jwksJson(auth.clock.now)) as { keys: { n: string }[] };
          const forgedHeader = b64({ ...header, alg: "HS256" });
          const key = Buffer.from(jwks.keys[0]?.n ?? "", "base64url");
          const sig = createHmac("sha256", key).update(`${forgedHeader}.${p}`).digest("base64url");
          return `${forgedHeader}.${p}.${sig}`;
        },
      ],
      [
        "unknown kid",
        (t) => {
          const [h, p, s] = t.split(".");
          const header = JSON.parse(Buffer.from(h ?? "", "base64url").toString());
          return `${b64({ ...header, kid: "no-such-key" })}.${p}.${s}`;
        },
      ],
      ["malformed header", (t) => `x${t}`],
      ["not a JWT", () => "abc"],
    ];
    it.each(attacks)("%s", async (_name, forge) => {
      const { tokens } = await loginTestUser(auth);
      const res = await me(await forge(tokens.accessToken));
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toContain('Bearer realm="atlas"');
    });

    it("expired", async () => {
      const { tokens } = await loginTestUser(auth);
      later(15 * 60_000 + 31_000);
      const res = await me(tokens.accessToken);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: "EXPIRED_TOKEN" });
    });

    it("not yet valid", async () => {
      later(120_000);
      const { tokens } = await loginTestUser(auth);
      later(-120_000);
      expect((await me(tokens.accessToken)).status).toBe(401);
    });

    it("wrong audience (another tenant's token)", async () => {
      await auth.deps.prisma.tenant.create({
        data: { slug: "acme", name: "Acme", allowedOrigins: [], allowedMethods: ["email"], jwtAudience: "acme-api" },
      });
      const { tokens } = await loginTestUser(auth, { tenantSlug: "acme" });
      expect((await me(tokens.accessToken)).status).toBe(401);
    });

    it("wrong issuer", async () => {
      const other = await createTestApp({
        env: { PUBLIC_URL: "http://evil.test", KEY_ENCRYPTION_KEYS: auth.config.KEY_ENCRYPTION_KEYS },
      });
      try {
        // Same keys, other issuer: only the iss check can refuse it.
        await other.deps.signingKeys.refresh(auth.clock.now);
        other.clock.now = auth.clock.now;
        const { tokens } = await loginTestUser(other);
        expect((await me(tokens.accessToken)).status).toBe(401);
      } finally {
        await other.close();
      }
    });
  });

  it("PAT: works at cloud-api, revoked → rejected once the introspection cache (30 s) lapses; expired → rejected", async () => {
    const { auth: authz } = await loginTestUser(auth);
    const created = (await (
      await auth.app.request("/auth/pats", jsonPost({ name: "cli", scopes: ["profile:read"], expiresInDays: 1 }, authz))
    ).json()) as {
      id: string;
      token: string;
    };
    const ok = await me(created.token);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ method: "pat", scopes: ["profile:read"] });
    expect((await auth.app.request(`/auth/pats/${created.id}`, { method: "DELETE", headers: authz })).status).toBe(204);
    later(30_001);
    expect((await me(created.token)).status).toBe(401);

    const second = (await (
      await auth.app.request(
        "/auth/pats",
        jsonPost({ name: "short", scopes: ["profile:read"], expiresInDays: 1 }, authz),
      )
    ).json()) as { token: string };
    expect((await me(second.token)).status).toBe(200);
    later(86_400_000 + 1);
    expect((await me(second.token)).status).toBe(401);
  });

  it("attack: a deactivated tenant's PAT keeps calling cloud-api — refused once the introspection cache lifetime (30 s) lapses", async () => {
    const admin = await loginTestUser(auth, { roles: ["admin"] });
    const made = await auth.app.request(
      "/admin/tenants",
      jsonPost(
        { name: "Acme", slug: "acme", allowedOrigins: [], allowedMethods: ["email"], jwtAudience: "acme-api" },
        admin.auth,
      ),
    );
    expect(made.status).toBe(201);
    const tenant = (await made.json()) as { id: string };
    const { user } = await loginTestUser(auth, { tenantSlug: "acme" });
    const { token } = await createPat(auth.deps, {
      userId: user.id,
      tenantId: tenant.id,
      name: "ci",
      scopes: ["profile:read"],
      context: TEST_CONTEXT,
    });
    expect((await me(token)).status).toBe(200);
    const deactivated = await auth.app.request(`/admin/tenants/${tenant.id}`, {
      ...jsonPost({ isActive: false }, admin.auth),
      method: "PATCH",
    });
    expect(deactivated.status).toBe(200);
    // Within the cache lifetime cloud-api may still answer from its cache; past it, never.
    later(30_001);
    const refused = await me(token);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: "INVALID_TOKEN" });
  });

  it("attack: a flood of random PATs from one address — a real PAT from another address still works at cloud-api", async () => {
    const { user, tenant, tokens } = await loginTestUser(auth);
    const { token } = await createPat(auth.deps, {
      userId: user.id,
      tenantId: tenant.id,
      name: "ci",
      scopes: ["profile:read"],
      context: TEST_CONTEXT,
    });
    const from = (address: string) => ({ incoming: { socket: { remoteAddress: address } } });
    const meFrom = (t: string, address: string) =>
      cloud.request("/v1/me", { headers: { authorization: `Bearer ${t}` } }, from(address));
    const randomPat = () => `atlas_pat_${crypto.randomUUID().replaceAll("-", "")}_${"A".repeat(43)}`;
    // More than service-auth's per-IP token limit (120/min), well-formed so each could be introspected.
    const statuses = new Map<number, number>();
    for (let i = 0; i < 150; i++) {
      const s = (await meFrom(randomPat(), "203.0.113.66")).status;
      statuses.set(s, (statuses.get(s) ?? 0) + 1);
    }
    // cloud-api stops asking for that address after BEARER_FAILURES_PER_MIN_IP (60) failures.
    expect(Object.fromEntries(statuses)).toEqual({ 401: 60, 429: 90 });
    // Only what would be introspected is refused there: a JWT (checked locally) from that address works.
    expect((await meFrom(tokens.accessToken, "203.0.113.66")).status).toBe(200);
    // Strings that only look like PATs are refused without a call to service-auth.
    expect((await meFrom("atlas_pat_junk", "198.51.100.3")).status).toBe(401);
    // The same flood spread over many addresses (each under its own limit) reaches service-auth:
    // it counts introspection per authenticated client, with a high ceiling, not per IP.
    for (let i = 0; i < 130; i++) expect((await meFrom(randomPat(), `2001:db8:${i.toString(16)}::1`)).status).toBe(401);
    const real = await meFrom(token, "192.0.2.10");
    expect(real.status).toBe(200);
    expect(await real.json()).toMatchObject({ sub: user.id, method: "pat" });
  });
});
