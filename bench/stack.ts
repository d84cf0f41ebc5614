// The processes bench/journeys.ts and bench/scaling.ts run against: a throwaway PostgreSQL (or
// DATABASE_URL's server) with a fresh migrated database, a redis-server, and N instances of each
// service's production bundle (`node dist/main.js`) behind the same database and Redis.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import {
  connectPostgres,
  deployMigrations,
  freePort,
  type PostgresCluster,
  quoteIdent,
  SERVICE_MIGRATIONS,
  startPostgresCluster,
  withDatabase,
  withSchema,
} from "@atlas/db";
import { createLogger } from "@atlas/service-kit";
import { waitForHttpOk } from "@atlas/service-kit/testing";
import pg from "pg";
import { loadAuthConfig } from "../service-auth/src/config.ts";
import { buildDeps, closeDeps } from "../service-auth/src/deps.ts";
import { seedDefaults } from "../service-auth/src/seed.ts";
import { type Spawned, spawnDist } from "./auth-extra.ts";

export const root = fileURLToPath(new URL("..", import.meta.url));

/**
 * One client IP (127.0.0.1) generates all the load: the bench lifts service-auth's per-IP, per-
 * tenant, per-address and per-user limits through their documented env variables (config.ts,
 * login-config.ts). The limiter itself stays on (and shared through Redis); nothing is disabled
 * in code. Reported in bench/RESULTS.md.
 */
export const BENCH_RATE_LIMITS: Record<string, string> = {
  RATE_LIMIT_TOKEN_PER_MIN: "100000000",
  RATE_LIMIT_LOGIN_PER_MIN_IP: "100000000",
  RATE_LIMIT_LOGIN_PER_MIN_TENANT: "100000000",
  RATE_LIMIT_LOGIN_TENANT_RANGE_PERCENT: "100",
  RATE_LIMIT_LOGIN_START_PER_HOUR: "100000000",
  RATE_LIMIT_PASSKEY_REGISTER_PER_HOUR: "100000000",
};

/** One key-encryption key per bench process: the signing key the first start creates stays readable. */
const KEY_ENCRYPTION_KEYS = `bench:${randomBytes(32).toString("base64")}`;

export interface BenchDatabase {
  /** The migrated database's URL. */
  url: string;
  admin: pg.Client;
  drop(): Promise<void>;
}

/** A fresh database, both services' migrations deployed, on a throwaway cluster or DATABASE_URL's server. */
export async function startDatabase(prefix: string): Promise<BenchDatabase> {
  const cluster: PostgresCluster | null = process.env.DATABASE_URL ? null : await startPostgresCluster();
  const server = process.env.DATABASE_URL ?? (cluster?.url as string);
  const name = `${prefix}_${process.pid}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
  const url = withDatabase(server, name);
  for (const svc of SERVICE_MIGRATIONS) await deployMigrations(withSchema(url, svc.schema), svc);
  return {
    url,
    admin,
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      await admin.end();
      await cluster?.stop();
    },
  };
}

/** A redis-server on a free loopback port, nothing persisted. */
export async function startRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise((r) => child.once("exit", r));
  for (let i = 0; i < 200 && !out.includes("Ready to accept connections"); i++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited: ${out}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  if (!out.includes("Ready to accept connections")) throw new Error(`redis-server did not start: ${out}`);
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

export interface ServiceInstances {
  auth: Spawned[];
  cloud: Spawned[];
  authUrls: string[];
  cloudUrls: string[];
  /** The issuer (service-auth's PUBLIC_URL), the same for every instance as behind one load balancer. */
  issuer: string;
  clientSecret: string;
  authEnv: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * `instances` copies of service-auth and of cloud-api on one database and one Redis. The first
 * service-auth starts alone (it creates the signing key), the others after it is ready. Every
 * service-auth instance has the same PUBLIC_URL (the issuer) and KEY_ENCRYPTION_KEYS; cloud-api
 * instance i asks service-auth instance i for the JWKS and introspection.
 */
export async function startServices(opts: {
  databaseUrl: string;
  redisUrl: string;
  instances: number;
  nodeEnv: "development" | "production";
  extraAuthEnv?: Record<string, string>;
}): Promise<ServiceInstances> {
  const clientSecret = randomBytes(32).toString("base64url");
  const authPorts = await Promise.all(Array.from({ length: opts.instances }, () => freePort()));
  const cloudPorts = await Promise.all(Array.from({ length: opts.instances }, () => freePort()));
  const authUrls = authPorts.map((p) => `http://127.0.0.1:${p}`);
  const cloudUrls = cloudPorts.map((p) => `http://127.0.0.1:${p}`);
  const issuer = authUrls[0] as string;
  const common = {
    DATABASE_URL: opts.databaseUrl,
    LOG_LEVEL: "warn",
    NODE_ENV: opts.nodeEnv,
    DATABASE_POOL_MAX: "20",
  };
  const authEnv = {
    ...common,
    PUBLIC_URL: issuer,
    KEY_ENCRYPTION_KEYS,
    INTROSPECTION_CLIENTS: `service-cloud-api:${clientSecret}`,
    REDIS_URL: opts.redisUrl,
    ...BENCH_RATE_LIMITS,
    ...opts.extraAuthEnv,
  };
  // The default tenant and the plan catalogue, as `pnpm db:seed` makes them.
  const deps = buildDeps(loadAuthConfig({ ...authEnv }), connectPostgres(opts.databaseUrl, "auth"), {
    logger: createLogger({ name: "bench", level: "silent" }),
  });
  await seedDefaults(deps.prisma, deps.config);
  await closeDeps(deps);
  const auth: Spawned[] = [];
  const cloud: Spawned[] = [];
  const ready = async (p: Spawned, url: string) => {
    try {
      await waitForHttpOk(`${url}/ready`);
    } catch (e) {
      throw new Error(`${url} not ready: ${String(e)}\n${p.output().slice(-1500)}`);
    }
  };
  for (const [i, port] of authPorts.entries()) {
    const p = spawnDist(`${root}service-auth`, { ...authEnv, PORT: String(port) });
    auth.push(p);
    await ready(p, authUrls[i] as string);
  }
  for (const [i, port] of cloudPorts.entries()) {
    const p = spawnDist(`${root}service-cloud-api`, {
      ...common,
      PORT: String(port),
      AUTH_URL: authUrls[i] as string,
      AUTH_ISSUER: issuer,
      INTROSPECTION_CLIENT_SECRET: clientSecret,
    });
    cloud.push(p);
    await ready(p, cloudUrls[i] as string);
  }
  return {
    auth,
    cloud,
    authUrls,
    cloudUrls,
    issuer,
    clientSecret,
    authEnv,
    async stop() {
      const all = [...auth, ...cloud];
      for (const p of all) p.child.kill("SIGTERM");
      await Promise.all(all.map((p) => p.exited));
    },
  };
}

/** The services' error log lines (pino JSON, level ≥ 50), by message and error text. */
export function serverErrors(outputs: { name: string; text: string }[]): Map<string, number> {
  const found = new Map<string, number>();
  for (const { name, text } of outputs) {
    for (const line of text.split("\n")) {
      if (!line.startsWith("{")) continue;
      try {
        const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { type?: string; message?: string } };
        if ((entry.level ?? 0) < 50) continue;
        const key = `${name}: ${entry.msg ?? ""} ${entry.err?.type ?? ""}: ${(entry.err?.message ?? "").replace(/\s+/g, " ").slice(0, 220)}`;
        found.set(key, (found.get(key) ?? 0) + 1);
      } catch {
        /* not a log line */
      }
    }
  }
  return found;
}
