// The OpenAPI documents of both services, produced offline: each app is built over its real
// dependencies and asked for `/openapi.json` in process. Building an app does no I/O (api.md,
// app.ts) and the document route touches no dependency, so the database pools below never
// connect; `openApiDocuments` checks that and fails if one did.
import { connectPostgres, type DatabaseConnection } from "@atlas/db";
import { createApp as createAuthApp } from "@atlas/service-auth/src/app.ts";
import { loadAuthConfig } from "@atlas/service-auth/src/config.ts";
import { buildDeps as buildAuthDeps, closeDeps as closeAuthDeps } from "@atlas/service-auth/src/deps.ts";
import { createApp as createCloudApp } from "@atlas/service-cloud-api/src/app.ts";
import { loadCloudConfig } from "@atlas/service-cloud-api/src/config.ts";
import { buildDeps as buildCloudDeps, closeDeps as closeCloudDeps } from "@atlas/service-cloud-api/src/deps.ts";
import { createLogger } from "@atlas/service-kit";

/** The services a client is generated for, in the order the files are written. */
export const SERVICES = ["service-auth", "service-cloud-api"] as const;
export type ServiceName = (typeof SERVICES)[number];

/** An OpenAPI 3.1 document as served at `/openapi.json`. */
export type OpenApiDocument = Record<string, unknown>;

/**
 * Never dialled (see the top of this file). A production configuration: the document a
 * deployment serves, without development-only routes.
 */
const UNUSED_DATABASE = "postgres://openapi@127.0.0.1:9/openapi";
/** A well-formed key-encryption key; nothing is encrypted with it. */
const UNUSED_KEK = `openapi:${Buffer.alloc(32).toString("base64")}`;

async function served(app: { request(path: string): Response | Promise<Response> }): Promise<OpenApiDocument> {
  const res = await app.request("/openapi.json");
  if (!res.ok) throw new Error(`/openapi.json answered ${res.status}`);
  return (await res.json()) as OpenApiDocument;
}

function assertNeverConnected(name: ServiceName, database: DatabaseConnection): void {
  if ((database.pool?.totalCount ?? 0) > 0) {
    throw new Error(`${name}: building the OpenAPI document opened a database connection`);
  }
}

async function authDocument(): Promise<OpenApiDocument> {
  const config = loadAuthConfig({ NODE_ENV: "production", KEY_ENCRYPTION_KEYS: UNUSED_KEK, LOG_LEVEL: "silent" });
  const database = connectPostgres(UNUSED_DATABASE, "auth", { max: 1 });
  const deps = buildAuthDeps(config, database, { logger: createLogger({ name: "openapi", level: "silent" }) });
  try {
    const doc = await served(createAuthApp(deps));
    assertNeverConnected("service-auth", database);
    return doc;
  } finally {
    await closeAuthDeps(deps);
  }
}

async function cloudDocument(): Promise<OpenApiDocument> {
  const config = loadCloudConfig({ NODE_ENV: "production", LOG_LEVEL: "silent" });
  const database = connectPostgres(UNUSED_DATABASE, "cloud", { max: 1 });
  const deps = buildCloudDeps(config, database, createLogger({ name: "openapi", level: "silent" }));
  try {
    const doc = await served(createCloudApp(deps));
    assertNeverConnected("service-cloud-api", database);
    return doc;
  } finally {
    await closeCloudDeps(deps);
  }
}

/** Both services' documents, keyed by service. */
export async function openApiDocuments(): Promise<Record<ServiceName, OpenApiDocument>> {
  return { "service-auth": await authDocument(), "service-cloud-api": await cloudDocument() };
}
