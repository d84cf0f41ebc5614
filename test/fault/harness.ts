// The fault suite's stack: real service-auth and service-cloud-api processes (node --import tsx,
// so a signal reaches the process doing the work) on a real PostgreSQL database of their own.
import { randomBytes } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import {
  connectPostgres,
  deployMigrations,
  freePort,
  quoteIdent,
  SERVICE_MIGRATIONS,
  withDatabase,
  withSchema,
} from "@atlas/db";
import { createLogger } from "@atlas/service-kit";
import pg from "pg";
import { inject } from "vitest";
import { type NodeProcess, spawnNodeTs } from "../../packages/outbox/test/fixtures/process.ts";
import { loadAuthConfig } from "../../service-auth/src/config.ts";
import { buildDeps, closeDeps, initDeps } from "../../service-auth/src/deps.ts";
import { seedDefaults } from "../../service-auth/src/seed.ts";
import { createSession } from "../../service-auth/src/services/tokens/session.service.ts";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Secrets of one stack: fresh per test process, nothing in the repository. */
export const KEK = `fault:${randomBytes(32).toString("base64")}`;
export const INTROSPECTION_SECRET = randomBytes(32).toString("base64url");

/** A new, migrated database cloned from the run's template on the shared test server. */
export async function cloneTestDatabase(label: string): Promise<{ url: string; drop(): Promise<void> }> {
  const { serverUrl, template } = inject("atlasPostgres");
  const name = `${template}_fault_${label}_${process.pid}`;
  await admin(serverUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)}`);
  });
  return {
    url: withDatabase(serverUrl, name),
    drop: async () => {
      await admin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
    },
  };
}

/** Creates and migrates a database `name` on `serverUrl` (a cluster of the test's own). */
export async function migratedDatabase(serverUrl: string, name: string): Promise<string> {
  await admin(serverUrl, (c) => c.query(`CREATE DATABASE ${quoteIdent(name)}`));
  const url = withDatabase(serverUrl, name);
  for (const svc of SERVICE_MIGRATIONS) await deployMigrations(withSchema(url, svc.schema), svc);
  return url;
}

async function admin<T>(serverUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface ServiceProcess {
  url: string;
  proc: NodeProcess;
  /** Log lines (JSON) the process wrote so far. */
  logs(): Record<string, unknown>[];
  stop(): Promise<void>;
}

function service(proc: NodeProcess, url: string): ServiceProcess {
  return {
    url,
    proc,
    logs: () =>
      proc
        .output()
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    async stop() {
      if (proc.child.exitCode === null && proc.child.signalCode === null) {
        proc.child.kill("SIGTERM");
        const done = await Promise.race([proc.exited.then(() => true), delay(10_000).then(() => false)]);
        if (!done) proc.child.kill("SIGKILL");
      }
    },
  };
}

async function waitUntilServing(url: string, proc: NodeProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.child.exitCode !== null) throw new Error(`process exited:\n${proc.output().slice(-4000)}`);
    try {
      if ((await fetch(`${url}/health`)).status === 200) return;
    } catch {}
    if (Date.now() > deadline) throw new Error(`${url} did not come up:\n${proc.output().slice(-4000)}`);
    await delay(100);
  }
}

/** Environment of a service-auth process on `databaseUrl` (NODE_ENV test, generous per-IP limits). */
export function authEnv(databaseUrl: string, port: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: "test",
    LOG_LEVEL: "warn",
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    KEY_ENCRYPTION_KEYS: KEK,
    INTROSPECTION_CLIENTS: `service-cloud-api:${INTROSPECTION_SECRET}`,
    // One client IP (the test) generates all the traffic.
    RATE_LIMIT_TOKEN_PER_MIN: "1000000",
    RATE_LIMIT_LOGIN_PER_MIN_IP: "1000000",
    ...extra,
  };
}

/** Starts service-auth's real entry point (src/main.ts) and waits for /health. */
export async function startAuth(
  databaseUrl: string,
  extra: Record<string, string> = {},
  entry = "src/main.ts",
): Promise<ServiceProcess> {
  const port = Number(extra.PORT ?? (await freePort()));
  const url = `http://127.0.0.1:${port}`;
  const proc = spawnNodeTs(entry, { cwd: `${ROOT}service-auth`, env: authEnv(databaseUrl, port, extra) });
  await waitUntilServing(url, proc);
  return service(proc, url);
}

/**
 * Starts service-cloud-api against `authUrl`: its real entry point, or `entry` (a test entry
 * that builds the same app with something injected, e.g. a skewed clock).
 */
export async function startCloud(
  databaseUrl: string,
  authUrl: string,
  extra: Record<string, string> = {},
  entry = `${ROOT}service-cloud-api/src/main.ts`,
): Promise<ServiceProcess> {
  const port = Number(extra.PORT ?? (await freePort()));
  const url = `http://127.0.0.1:${port}`;
  const proc = spawnNodeTs(entry, {
    cwd: `${ROOT}service-cloud-api`,
    env: {
      NODE_ENV: "test",
      LOG_LEVEL: "warn",
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      AUTH_URL: authUrl,
      INTROSPECTION_CLIENT_SECRET: INTROSPECTION_SECRET,
      ...extra,
    },
  });
  await waitUntilServing(url, proc);
  return service(proc, url);
}

export interface Login {
  userId: string;
  tenantId: string;
  sessionId: string;
  accessToken: string;
  refreshToken: string;
}

/**
 * Seeds the default tenant and plans, makes sure a signing key exists, and opens `n` sessions
 * (one user each) through service-auth's own functions on the same database — what a login
 * ends with. Run it before starting service-auth: the process then loads the same keys.
 */
export async function seedLogins(
  databaseUrl: string,
  n: number,
  env: Record<string, string> = {},
  now?: () => Date,
): Promise<Login[]> {
  // The same PORT (hence issuer) as the service-auth process that will verify these tokens.
  const config = loadAuthConfig(authEnv(databaseUrl, Number(env.PORT ?? 4000), env));
  const base = buildDeps(config, connectPostgres(databaseUrl, "auth", { max: 2 }), {
    logger: createLogger({ name: "fault", level: "silent" }),
  });
  const deps = now ? { ...base, now } : base;
  try {
    await seedDefaults(deps.prisma, config);
    await initDeps(deps);
    const tenant = await deps.prisma.tenant.findUniqueOrThrow({ where: { slug: "default" } });
    const logins: Login[] = [];
    for (let i = 0; i < n; i++) {
      const user = await deps.prisma.user.create({
        data: { tenantId: tenant.id, email: `fault-${randomBytes(6).toString("hex")}@example.test` },
      });
      const s = await createSession(deps, {
        user,
        audience: tenant.jwtAudience,
        amr: ["email"],
        context: { ipAddress: "127.0.0.1", userAgent: "fault-suite", deviceHash: null },
      });
      logins.push({
        userId: user.id,
        tenantId: tenant.id,
        sessionId: s.sessionId,
        accessToken: s.accessToken,
        refreshToken: s.refreshToken,
      });
    }
    return logins;
  } finally {
    await closeDeps(deps);
  }
}

/** POST /auth/token/refresh with a JSON body. */
export function refresh(authUrl: string, refreshToken: string): Promise<Response> {
  return fetch(`${authUrl}/auth/token/refresh`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ refreshToken }),
  });
}

/** A superuser connection to `url` for assertions. */
export async function sql<R extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []) {
  return admin(url, async (c) => (await c.query<R>(text, values)).rows);
}
