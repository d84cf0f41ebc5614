import { startTestIssuer, type TestIssuer } from "@atlas/auth-verify/testing";
import { connectPostgres } from "@atlas/db";
import { workerDatabaseUrl } from "@atlas/db/testing";
import { createLogger, startHttpServer } from "@atlas/service-kit";
import { validateOpenApi31 } from "@atlas/service-kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import { loadCloudConfig } from "../src/config.ts";
import { buildDeps, closeDeps, type Deps } from "../src/deps.ts";

let issuer: TestIssuer;
let deps: Deps;
let app: ReturnType<typeof createApp>;

/** Deps against the test issuer; `env` overrides the environment, `logs` collects log lines. */
async function depsFor(env: Record<string, string | undefined> = {}, logs?: string[]): Promise<Deps> {
  const url = await workerDatabaseUrl();
  const config = loadCloudConfig({
    DATABASE_URL: url,
    NODE_ENV: "test",
    AUTH_URL: issuer.url,
    INTROSPECTION_CLIENT_SECRET: issuer.clientSecret,
    ...env,
  });
  const logger = createLogger({
    name: "t",
    level: logs ? "warn" : "silent",
    destination: { write: (line: string) => logs?.push(line) },
  });
  return buildDeps(config, connectPostgres(url, "cloud", { max: 2 }), logger);
}

beforeAll(async () => {
  issuer = await startTestIssuer();
  deps = await depsFor();
  app = createApp(deps);
});
afterAll(async () => {
  await closeDeps(deps);
  await issuer.stop();
});

const me = (token?: string, target = app) =>
  target.request("/v1/me", { headers: token ? { authorization: `Bearer ${token}` } : {} });

describe("GET /v1/me", () => {
  it("answers the caller of an access token", async () => {
    const res = await me(await issuer.sign({ sub: "user_42", tid: "tenant_a", sid: "sess_9" }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      sub: "user_42",
      tid: "tenant_a",
      scopes: ["profile:read", "objects:read"],
      method: "jwt",
      sessionId: "sess_9",
    });
  });

  it("answers the caller of a personal access token (introspected)", async () => {
    const res = await me(issuer.addPat({ sub: "user_7", scope: "profile:read usage:read" }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      sub: "user_7",
      tid: "tenant_default",
      scopes: ["profile:read", "usage:read"],
      method: "pat",
    });
  });

  it("answers 401 with a bare Bearer challenge without a token", async () => {
    const res = await me();
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="atlas"');
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await res.json()).toMatchObject({ code: "INVALID_TOKEN", status: 401 });
    // Unknown /v1 paths are behind authentication too.
    expect((await app.request("/v1/nothing")).status).toBe(401);
  });

  it("answers 403 insufficient_scope to a token without profile:read", async () => {
    for (const token of [await issuer.sign({ scope: "objects:read" }), issuer.addPat({ scope: "usage:read" })]) {
      const res = await me(token);
      expect(res.status).toBe(403);
      expect(res.headers.get("www-authenticate")).toBe(
        'Bearer realm="atlas", error="insufficient_scope", scope="profile:read"',
      );
      expect(await res.json()).toMatchObject({ code: "FORBIDDEN" });
    }
  });

  it("uses the injected clock: a token expired by Deps.now is EXPIRED_TOKEN", async () => {
    const later = createApp({ ...deps, now: () => new Date(Date.now() + 3_600_000) });
    const res = await me(await issuer.sign(), later);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: "EXPIRED_TOKEN" });
  });

  it("rejects tokens for another issuer or audience than configured", async () => {
    const other = await depsFor({ AUTH_ISSUER: "https://auth.elsewhere.example", JWT_AUDIENCES: "atlas" });
    const narrow = await depsFor({ JWT_AUDIENCES: "tenant-b, tenant-c" });
    try {
      expect((await me(await issuer.sign(), createApp(other))).status).toBe(401);
      expect((await me(await issuer.sign(), createApp(narrow))).status).toBe(401);
      expect((await me(await issuer.sign({ aud: "tenant-c" }), createApp(narrow))).status).toBe(200);
    } finally {
      await closeDeps(other);
      await closeDeps(narrow);
    }
  });

  it("without INTROSPECTION_CLIENT_SECRET rejects PATs and warns once at boot", async () => {
    const logs: string[] = [];
    const noSecret = await depsFor({ INTROSPECTION_CLIENT_SECRET: undefined }, logs);
    try {
      const strict = createApp(noSecret);
      expect(logs.join("")).toContain("INTROSPECTION_CLIENT_SECRET is not set");
      const before = issuer.introspectionRequests.length;
      expect((await me(issuer.addPat(), strict)).status).toBe(401);
      expect(issuer.introspectionRequests.length).toBe(before);
      expect((await me(await issuer.sign(), strict)).status).toBe(200);
    } finally {
      await closeDeps(noSecret);
    }
  });

  it("is documented in /openapi.json with the bearer security scheme", async () => {
    const doc = (await (await app.request("/openapi.json")).json()) as {
      paths: Record<string, { get?: { security?: unknown } }>;
      components: { securitySchemes?: Record<string, unknown> };
    };
    expect((await validateOpenApi31(doc)).valid).toBe(true);
    expect(doc.paths["/v1/me"]?.get?.security).toEqual([{ bearer: [] }]);
    expect(doc.components.securitySchemes?.bearer).toMatchObject({ type: "http", scheme: "bearer" });
  });
});

describe("/ready and the JWKS", () => {
  it("reports jwks ok while service-auth serves keys, error when it does not", async () => {
    const ok = await app.request("/ready");
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ checks: { database: { status: "ok" }, jwks: { status: "ok" } } });

    issuer.jwksAvailable = false;
    try {
      const down = await app.request("/ready");
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({
        status: "not_ready",
        checks: { database: { status: "ok" }, jwks: { status: "error" } },
      });
    } finally {
      issuer.jwksAvailable = true;
    }
  });
});

describe("CORS", () => {
  it("grants the configured web origins, on /v1 and the operational routes, and nobody else", async () => {
    const token = await issuer.sign({ sub: "u", tid: "t", sid: "s" });
    const ok = await app.request("/v1/me", {
      headers: { authorization: `Bearer ${token}`, origin: "http://localhost:3000" },
    });
    expect(ok.headers.get("access-control-allow-origin")).toBe("http://localhost:3000");
    const evil = await app.request("/v1/me", {
      headers: { authorization: `Bearer ${token}`, origin: "https://evil.example" },
    });
    expect(evil.headers.get("access-control-allow-origin")).toBeNull();
    const preflight = await app.request("/v1/me", {
      method: "OPTIONS",
      headers: {
        origin: "http://localhost:3000",
        "access-control-request-method": "GET",
        "access-control-request-headers": "authorization",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-headers")).toContain("Authorization");
    expect(
      (await app.request("/health", { headers: { origin: "http://localhost:3000" } })).headers.get(
        "access-control-allow-origin",
      ),
    ).toBe("http://localhost:3000");
  });

  it("on a Node server: the grant, Expose-Headers and Vary reach the wire, the security headers stay", async () => {
    const server = await startHttpServer((req, env) => app.fetch(req, env), 0, "127.0.0.1");
    try {
      const token = await issuer.sign({ sub: "u", tid: "t", sid: "s" });
      const base = `http://127.0.0.1:${server.port}`;
      const ok = await fetch(`${base}/v1/me`, {
        headers: { authorization: `Bearer ${token}`, origin: "http://localhost:3000" },
      });
      expect(((await ok.json()) as { sub: string }).sub).toBe("u");
      expect(ok.headers.get("access-control-allow-origin")).toBe("http://localhost:3000");
      expect(ok.headers.get("access-control-expose-headers")).toBe("Retry-After,X-Request-Id");
      expect(ok.headers.get("vary")).toBe("Origin");
      expect(ok.headers.get("x-content-type-options")).toBe("nosniff");
      expect(ok.headers.get("content-type")).toBe("application/json");
      const evil = await fetch(`${base}/health`, { headers: { origin: "https://evil.example" } });
      await evil.arrayBuffer();
      expect(evil.headers.get("access-control-allow-origin")).toBeNull();
      expect(evil.headers.get("vary")).toBe("Origin");
      const refused = await fetch(`${base}/v1/me`, { headers: { origin: "http://localhost:3000" } });
      await refused.arrayBuffer();
      expect(refused.status).toBe(401);
      expect(refused.headers.get("access-control-allow-origin")).toBe("http://localhost:3000");
      expect(refused.headers.get("www-authenticate")).toContain("Bearer");
    } finally {
      await server.close();
    }
  });
});
