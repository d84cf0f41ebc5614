// Starts Atlas: service-auth, service-cloud-api and the web-app.
//   DATABASE_URL unset → the embedded default: one process, one PGlite database persisted in
//                        ATLAS_DATA_DIR/pglite (default .data/pglite), shared by both services.
//   DATABASE_URL set   → migrate and seed that Postgres, then run each app as its own process.
// Ports: AUTH_PORT (4000), CLOUD_PORT (4001), WEB_PORT (3000).
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { deployMigrations, SERVICE_MIGRATIONS, withSchema } from "@atlas/db";
import { connectEmbedded, deployEmbeddedMigrations, openEmbeddedDatabase } from "@atlas/db/embedded";
import { createLogger, type RunningServer, startHttpServer } from "@atlas/service-kit";
import { createApp as createAuthApp } from "../service-auth/src/app.ts";
import { loadAuthConfig } from "../service-auth/src/config.ts";
import {
  buildDeps as buildAuthDeps,
  closeDeps as closeAuthDeps,
  connectDatabase,
  initDeps as initAuthDeps,
  startBackgroundJobs,
} from "../service-auth/src/deps.ts";
import { seedDefaults } from "../service-auth/src/seed.ts";
import { createApp as createCloudApp } from "../service-cloud-api/src/app.ts";
import { loadCloudConfig } from "../service-cloud-api/src/config.ts";
import { buildDeps as buildCloudDeps, closeDeps as closeCloudDeps } from "../service-cloud-api/src/deps.ts";
import { startBackground as startCloudBackground } from "../service-cloud-api/src/services/jobs.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const env = process.env;
const dataRoot = resolve(root, env.ATLAS_DATA_DIR ?? ".data");
const ports = {
  auth: Number(env.AUTH_PORT ?? 4000),
  cloud: Number(env.CLOUD_PORT ?? 4001),
  web: Number(env.WEB_PORT ?? 3000),
};
const urls = {
  auth: `http://localhost:${ports.auth}`,
  cloud: `http://localhost:${ports.cloud}`,
  web: `http://localhost:${ports.web}`,
};
const webOrigins = `${urls.web},http://127.0.0.1:${ports.web}`;
const log = createLogger({ name: "atlas", level: env.LOG_LEVEL ?? "info" });

const secrets = localSecrets();
// The local launcher is development (dev outbox, cookies over plain http, local chains): the
// services default to production when NODE_ENV is unset, so it is set here explicitly.
const mode = { NODE_ENV: env.NODE_ENV ?? "development" };
const authEnv = {
  ...env,
  ...mode,
  KEY_ENCRYPTION_KEYS: env.KEY_ENCRYPTION_KEYS ?? secrets.KEY_ENCRYPTION_KEYS,
  INTROSPECTION_CLIENTS: env.INTROSPECTION_CLIENTS ?? `service-cloud-api:${secrets.INTROSPECTION_CLIENT_SECRET}`,
  PORT: String(ports.auth),
  PUBLIC_URL: env.PUBLIC_URL ?? urls.auth,
  WEB_ORIGIN: env.WEB_ORIGIN ?? urls.web,
  DEFAULT_TENANT_ORIGINS: env.DEFAULT_TENANT_ORIGINS ?? webOrigins,
};
const cloudEnv = {
  ...env,
  ...mode,
  PORT: String(ports.cloud),
  AUTH_URL: env.AUTH_URL ?? urls.auth,
  CORS_ORIGINS: env.CORS_ORIGINS ?? webOrigins,
  INTROSPECTION_CLIENT_ID: env.INTROSPECTION_CLIENT_ID ?? "service-cloud-api",
  INTROSPECTION_CLIENT_SECRET: env.INTROSPECTION_CLIENT_SECRET ?? secrets.INTROSPECTION_CLIENT_SECRET,
};
const webEnv = { ...env, PORT: String(ports.web), AUTH_URL: urls.auth, API_URL: urls.cloud };

/**
 * Secrets for trying Atlas on one machine, made once and kept (mode 0600) beside the embedded
 * database: the key-encryption key and cloud-api's introspection secret. Production sets
 * KEY_ENCRYPTION_KEYS, INTROSPECTION_CLIENTS and INTROSPECTION_CLIENT_SECRET itself.
 */
function localSecrets(): { KEY_ENCRYPTION_KEYS: string; INTROSPECTION_CLIENT_SECRET: string } {
  const file = resolve(dataRoot, "local-secrets.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8"));
  const created = {
    KEY_ENCRYPTION_KEYS: `local1:${randomBytes(32).toString("base64")}`,
    INTROSPECTION_CLIENT_SECRET: randomBytes(32).toString("base64url"),
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(created), { mode: 0o600 });
  return created;
}

const children: ChildProcess[] = [];
function startChild(name: string, args: string[], childEnv: NodeJS.ProcessEnv, cwd = root): ChildProcess {
  const child = spawn(process.execPath, args, { cwd, env: childEnv, stdio: "inherit" });
  child.once("exit", (code, signal) => {
    if (!stopping) {
      log.error({ app: name, code, signal }, "an app exited; stopping Atlas");
      void stop(1);
    }
  });
  children.push(child);
  return child;
}

function startWeb(): void {
  const dist = resolve(root, "web-app/dist");
  if (!existsSync(resolve(dist, "index.html"))) {
    throw new Error("web-app/dist is missing: run `pnpm --filter @atlas/web-app build` (npm start does it)");
  }
  startChild("web-app", [resolve(root, "web-app/serve.mjs")], { ...webEnv, DIST_DIR: dist });
}

let stopping = false;
const closers: (() => Promise<void>)[] = [];
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill("SIGTERM");
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once("exit", r)) : null)));
  for (const close of closers.reverse()) await close().catch((e: unknown) => log.error({ err: e }, "close failed"));
  process.exit(code);
}

async function startEmbedded(): Promise<void> {
  const dataDir = resolve(dataRoot, "pglite");
  const db = await openEmbeddedDatabase(dataDir);
  closers.push(() => db.close());
  for (const svc of SERVICE_MIGRATIONS) {
    const applied = await deployEmbeddedMigrations(db, svc.schema, svc);
    if (applied.length) log.info({ schema: svc.schema, applied }, "migrated embedded database");
  }
  const authConfig = loadAuthConfig(authEnv);
  const auth = buildAuthDeps(authConfig, connectEmbedded(db, "auth"));
  const cloud = buildCloudDeps(loadCloudConfig(cloudEnv), connectEmbedded(db, "cloud"));
  await seedDefaults(auth.prisma, authConfig);
  await initAuthDeps(auth);
  const stopJobs = startBackgroundJobs(auth);
  // Usage flushes, storage accrual, invoicing (the events consumer needs PostgreSQL).
  const stopCloudJobs = startCloudBackground(cloud);
  const servers: RunningServer[] = [
    await startHttpServer(createAuthApp(auth).fetch, ports.auth, authConfig.HOST),
    await startHttpServer(createCloudApp(cloud).fetch, ports.cloud, cloud.config.HOST),
  ];
  closers.push(async () => {
    // service-auth's jobs and in-flight requests drain before the pools close.
    await Promise.all([stopJobs(), ...servers.map((s) => s.close())]);
    await stopCloudJobs();
    await closeAuthDeps(auth);
    await closeCloudDeps(cloud);
  });
  startWeb();
  log.info({ dataDir }, "embedded database (PGlite)");
}

async function startWithPostgres(databaseUrl: string): Promise<void> {
  for (const svc of SERVICE_MIGRATIONS) {
    const applied = await deployMigrations(withSchema(databaseUrl, svc.schema), svc);
    if (applied.length) log.info({ schema: svc.schema, applied }, "migrated");
  }
  const authConfig = loadAuthConfig(authEnv);
  const auth = buildAuthDeps(authConfig, connectDatabase(authConfig));
  await seedDefaults(auth.prisma, authConfig);
  await closeAuthDeps(auth);
  // Sources through tsx, like the embedded mode: a stale dist/ can never be what runs here.
  // (Container images run the esbuild bundle, dist/main.js.)
  const entry = (svc: string) => ["--import", "tsx", resolve(root, svc, "src/main.ts")];
  startChild("service-auth", entry("service-auth"), authEnv, resolve(root, "service-auth"));
  startChild("service-cloud-api", entry("service-cloud-api"), cloudEnv, resolve(root, "service-cloud-api"));
  startWeb();
}

// `on`, not `once`: a repeated signal while children drain (tsx relays the one it forwarded) must
// be ignored, not end the launcher by the default action (exit 143).
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));

try {
  if (env.DATABASE_URL) await startWithPostgres(env.DATABASE_URL);
  else await startEmbedded();
  console.log(`
  Atlas is running
    web-app            ${urls.web}
    service-auth       ${urls.auth}   (docs: ${urls.auth}/docs)
    service-cloud-api  ${urls.cloud}   (docs: ${urls.cloud}/docs)
    database           ${env.DATABASE_URL ? "PostgreSQL (DATABASE_URL)" : "embedded PGlite"}
  Ctrl-C stops everything.
`);
} catch (error) {
  console.error(`atlas failed to start: ${error instanceof Error ? error.message : String(error)}`);
  await stop(1);
}
