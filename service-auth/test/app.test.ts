import { connectPostgres } from "@atlas/db";
import { workerDatabaseUrl } from "@atlas/db/testing";
import { validateOpenApi31 } from "@atlas/service-kit/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import { LOGIN_METHOD_MANIFESTS } from "../src/methods/index.ts";
import { TENANT_CACHE_MS } from "../src/middleware/tenant.ts";
import { LOGIN_METHODS } from "../src/services/login/method-ids.ts";
import { createTestApp, type TestApp } from "./harness.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
beforeEach(() => t.reset());
afterAll(() => t.close());

describe("operational routes", () => {
  it("answers /health and reports the database in /ready", async () => {
    expect(await (await t.app.request("/health")).json()).toEqual({ status: "ok", service: "service-auth" });
    const ready = await t.app.request("/ready");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready", checks: { database: { status: "ok" } } });
  });

  it("reports not ready (503) when the database is unreachable", async () => {
    const url = await workerDatabaseUrl();
    const database = connectPostgres(url, "auth");
    await database.close();
    const app = createApp({ ...t.deps, database });
    const res = await app.request("/ready");
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: "not_ready", checks: { database: { status: "error" } } });
  });

  it("serves a valid OpenAPI 3.1 document covering its routes", async () => {
    const doc = (await (await t.app.request("/openapi.json")).json()) as { openapi: string; paths: object };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/health", "/ready", "/tenants/current"]));
    const result = await validateOpenApi31(doc);
    expect(result.valid, JSON.stringify(result.errors)).toBe(true);
    expect((await t.app.request("/docs")).headers.get("content-type")).toContain("text/html");
  });

  it("answers unknown routes and methods with problem+json 404", async () => {
    for (const [method, path] of [
      ["GET", "/nope"],
      ["POST", "/health"],
    ] as const) {
      const res = await t.app.request(path, { method });
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(await res.json()).toMatchObject({ code: "NOT_FOUND", status: 404 });
    }
  });
});

describe("tenants", () => {
  it("resolves the default tenant when X-Tenant is absent", async () => {
    const res = await t.app.request("/tenants/current");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { slug: string; allowedMethods: string[] };
    expect(body.slug).toBe("default");
    expect(body.allowedMethods).toContain("email");
  });

  it("offers only the allowed methods this server can serve (no OAuth provider without credentials)", async () => {
    const body = (await (await t.app.request("/tenants/current")).json()) as { allowedMethods: string[] };
    expect(body.allowedMethods).toEqual(["email", "sms", "siwe", "siws", "arweave", "passkey"]);
    const withGithub = await createTestApp({
      env: { OAUTH_GITHUB_CLIENT_ID: "gh-client", OAUTH_GITHUB_CLIENT_SECRET: "gh-secret-0123456789abcdef" },
    });
    try {
      await withGithub.reset();
      const res = await withGithub.app.request("/tenants/current");
      expect(((await res.json()) as { allowedMethods: string[] }).allowedMethods).toContain("oauth:github");
    } finally {
      await withGithub.close();
    }
  });

  it("answers 404 NOT_FOUND for an unknown or malformed tenant and 403 FORBIDDEN for an inactive one", async () => {
    expect((await t.app.request("/tenants/current", { headers: { "x-tenant": "acme" } })).status).toBe(404);
    expect((await t.app.request("/tenants/current", { headers: { "x-tenant": "../../etc" } })).status).toBe(404);
    await t.deps.prisma.tenant.create({
      data: {
        slug: "acme",
        name: "Acme",
        allowedOrigins: [],
        allowedMethods: ["email"],
        jwtAudience: "acme",
        isActive: false,
      },
    });
    // Tenant answers are cached briefly: the new tenant shows once the cache entry lapses.
    t.clock.now = new Date(t.clock.now.getTime() + TENANT_CACHE_MS + 1);
    const res = await t.app.request("/tenants/current", { headers: { "x-tenant": "acme" } });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: "FORBIDDEN" });
  });

  it("fails closed on malformed tenant settings: no methods, no origins", async () => {
    await t.deps.prisma.tenant.create({
      data: {
        slug: "broken",
        name: "B",
        allowedOrigins: "nope",
        allowedMethods: ["email", "telepathy"],
        jwtAudience: "b",
      },
    });
    const res = await t.app.request("/tenants/current", { headers: { "x-tenant": "broken" } });
    expect(((await res.json()) as { allowedMethods: string[] }).allowedMethods).toEqual([]);
  });
});

describe("login method manifests", () => {
  it("give every id of the tenant method vocabulary one manifest, in the vocabulary's order", () => {
    expect(LOGIN_METHOD_MANIFESTS.map((m) => m.id)).toEqual([...LOGIN_METHODS]);
  });

  it("name the OpenAPI tags of the method routes and the tenant APIs' method enums", async () => {
    type Operation = { tags?: string[] };
    type Doc = {
      paths: Record<string, Record<string, Operation>>;
      components: { schemas: Record<string, { properties: Record<string, { items?: { enum?: string[] } }> }> };
    };
    const doc = (await (await t.app.request("/openapi.json")).json()) as Doc;
    const tags = new Set(Object.values(doc.paths).flatMap((ops) => Object.values(ops).flatMap((op) => op.tags ?? [])));
    const methodTags = new Set(LOGIN_METHOD_MANIFESTS.map((m) => m.tag));
    // Every manifest's routes carry its tag, and every login tag is a manifest's.
    for (const tag of methodTags) expect(tags).toContain(tag);
    expect([...tags].filter((tag) => tag.startsWith("login:")).sort()).toEqual([...methodTags].sort());
    expect(doc.paths["/auth/siwe/verify"]?.post?.tags).toEqual(["login: Ethereum"]);
    expect(doc.components.schemas.PublicTenant?.properties.allowedMethods?.items?.enum).toEqual([...LOGIN_METHODS]);
  });
});

describe("CORS by tenant", () => {
  it("grants the tenant's allowed origins and nobody else", async () => {
    const ok = await t.app.request("/tenants/current", { headers: { origin: "http://localhost:3000" } });
    expect(ok.headers.get("access-control-allow-origin")).toBe("http://localhost:3000");
    expect(ok.headers.get("access-control-allow-credentials")).toBe("true");
    const evil = await t.app.request("/tenants/current", { headers: { origin: "https://evil.example" } });
    expect(evil.headers.get("access-control-allow-origin")).toBeNull();
    expect(evil.headers.get("vary")).toContain("Origin");
  });

  it("covers the operational routes too (the login page checks /health from the browser)", async () => {
    const res = await t.app.request("/health", { headers: { origin: "http://localhost:3000" } });
    expect(res.headers.get("access-control-allow-origin")).toBe("http://localhost:3000");
  });

  it("checks a request against its own tenant, not any tenant", async () => {
    await t.deps.prisma.tenant.create({
      data: {
        slug: "acme",
        name: "Acme",
        allowedOrigins: ["https://acme.example"],
        allowedMethods: ["email"],
        jwtAudience: "acme",
      },
    });
    const cross = await t.app.request("/tenants/current", { headers: { origin: "https://acme.example" } });
    expect(cross.headers.get("access-control-allow-origin")).toBeNull();
    const own = await t.app.request("/tenants/current", {
      headers: { origin: "https://acme.example", "x-tenant": "acme" },
    });
    expect(own.headers.get("access-control-allow-origin")).toBe("https://acme.example");
  });

  it("answers preflights only for origins some active tenant allows", async () => {
    const preflight = (origin: string) =>
      t.app.request("/tenants/current", {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "x-tenant" },
      });
    const ok = await preflight("http://localhost:3000");
    expect(ok.status).toBe(204);
    expect(ok.headers.get("access-control-allow-headers")).toContain("X-Tenant");
    const evil = await preflight("https://evil.example");
    expect(evil.status).toBe(204);
    expect(evil.headers.get("access-control-allow-origin")).toBeNull();
  });
});
