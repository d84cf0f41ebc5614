import { startTestIssuer, type TestIssuer } from "@atlas/auth-verify/testing";
import { connectPostgres } from "@atlas/db";
import { workerDatabaseUrl } from "@atlas/db/testing";
import { createLogger } from "@atlas/service-kit";
import { validateOpenApi31 } from "@atlas/service-kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import { loadCloudConfig } from "../src/config.ts";
import { buildDeps, closeDeps, type Deps } from "../src/deps.ts";
import { type CloudPrisma, cloudPrisma } from "./prisma.ts";

let deps: Deps;
let prisma: CloudPrisma;
let app: ReturnType<typeof createApp>;
let issuer: TestIssuer;
beforeAll(async () => {
  const url = await workerDatabaseUrl();
  // /ready also checks service-auth's JWKS: a local stand-in serves it.
  issuer = await startTestIssuer();
  const config = loadCloudConfig({ DATABASE_URL: url, NODE_ENV: "test", AUTH_URL: issuer.url });
  deps = buildDeps(config, connectPostgres(url, "cloud", { max: 2 }), createLogger({ name: "t", level: "silent" }));
  app = createApp(deps);
  prisma = cloudPrisma(deps.database);
});
afterAll(async () => {
  await prisma.$disconnect();
  await closeDeps(deps);
  await issuer.stop();
});

describe("service-cloud-api operational routes", () => {
  it("answers /health and reports the database in /ready", async () => {
    expect(await (await app.request("/health")).json()).toEqual({ status: "ok", service: "service-cloud-api" });
    const ready = await app.request("/ready");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ checks: { database: { status: "ok" } } });
  });

  it("reports not ready when the database is unreachable", async () => {
    const database = connectPostgres(await workerDatabaseUrl(), "cloud");
    await database.close();
    expect((await createApp({ ...deps, database }).request("/ready")).status).toBe(503);
  });

  it("can read the shared outbox table it does not migrate", async () => {
    expect(await prisma.billingEvent.count()).toBeGreaterThanOrEqual(0);
    expect(await prisma.storedObject.count()).toBeGreaterThanOrEqual(0);
  });

  it("serves a valid OpenAPI 3.1 document and problem+json 404s", async () => {
    const doc = await (await app.request("/openapi.json")).json();
    const result = await validateOpenApi31(doc);
    expect(result.valid, JSON.stringify(result.errors)).toBe(true);
    const res = await app.request("/v2/nothing");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });
});
