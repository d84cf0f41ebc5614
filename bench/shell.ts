// The service shell alone: both services' `GET /health` next to the bare Hono `/ping`, in one
// short run (`tsx bench/shell.ts [--cpu-prof=<dir>]`; BENCH_SECONDS, default 5). With --cpu-prof the
// services run under `node --cpu-prof` and write their profiles there on exit.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import {
  deployMigrations,
  freePort,
  quoteIdent,
  SERVICE_MIGRATIONS,
  startPostgresCluster,
  withDatabase,
  withSchema,
} from "@atlas/db";
import { waitForHttpOk } from "@atlas/service-kit/testing";
import autocannon from "autocannon";
import pg from "pg";
import { startBarePing } from "./peers.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const DURATION = Number(process.env.BENCH_SECONDS ?? 5);
const PROF = process.argv.find((a) => a.startsWith("--cpu-prof="))?.slice("--cpu-prof=".length);

function spawnService(dir: string, env: Record<string, string>) {
  const args = PROF ? ["--cpu-prof", `--cpu-prof-dir=${PROF}`, "dist/main.js"] : ["dist/main.js"];
  const child = spawn(process.execPath, args, {
    cwd: `${root}${dir}`,
    env: { PATH: process.env.PATH, ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  return { child, exited: new Promise((r) => child.once("exit", r)) };
}

async function run(name: string, url: string): Promise<number> {
  const r = await autocannon({ url, duration: DURATION, connections: 32, pipelining: 1 });
  const rps = Math.round(r.requests.average);
  console.log(`${name.padEnd(28)} ${String(rps).padStart(7)} req/s  p99 ${r.latency.p99} ms  non2xx ${r.non2xx}`);
  return rps;
}

async function main() {
  const load0 = loadavg()[0] ?? 0;
  const cluster = process.env.DATABASE_URL ? null : await startPostgresCluster();
  const server = process.env.DATABASE_URL ?? (cluster?.url as string);
  const dbName = `atlas_shell_${process.pid}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${quoteIdent(dbName)}`);
  const databaseUrl = withDatabase(server, dbName);
  for (const svc of SERVICE_MIGRATIONS) await deployMigrations(withSchema(databaseUrl, svc.schema), svc);
  const secret = randomBytes(32).toString("base64url");
  const authPort = await freePort();
  const cloudPort = await freePort();
  const common = { DATABASE_URL: databaseUrl, LOG_LEVEL: "warn", NODE_ENV: "production", DATABASE_POOL_MAX: "20" };
  const auth = spawnService("service-auth", {
    ...common,
    PORT: String(authPort),
    PUBLIC_URL: `http://127.0.0.1:${authPort}`,
    KEY_ENCRYPTION_KEYS: `bench:${randomBytes(32).toString("base64")}`,
    INTROSPECTION_CLIENTS: `service-cloud-api:${secret}`,
  });
  await waitForHttpOk(`http://127.0.0.1:${authPort}/ready`);
  const cloud = spawnService("service-cloud-api", {
    ...common,
    PORT: String(cloudPort),
    AUTH_URL: `http://127.0.0.1:${authPort}`,
    INTROSPECTION_CLIENT_SECRET: secret,
  });
  await waitForHttpOk(`http://127.0.0.1:${cloudPort}/ready`);
  const ping = await startBarePing();
  try {
    // A short warm-up each, so that the JIT has seen the path.
    for (const u of [ping.url, `http://127.0.0.1:${authPort}/health`, `http://127.0.0.1:${cloudPort}/health`]) {
      await autocannon({ url: u, duration: 1, connections: 8 });
    }
    const p1 = await run("bare Hono GET /ping", ping.url);
    const a = await run("service-auth GET /health", `http://127.0.0.1:${authPort}/health`);
    const c = await run("cloud-api GET /health", `http://127.0.0.1:${cloudPort}/health`);
    const p2 = await run("bare Hono GET /ping (again)", ping.url);
    const p = (p1 + p2) / 2;
    console.log(`service-auth /health ÷ /ping ${(a / p).toFixed(2)}, cloud-api ${(c / p).toFixed(2)} (target ≥ 0.60)`);
    console.log(`load average at start ${load0.toFixed(2)}, at end ${(loadavg()[0] ?? 0).toFixed(2)}`);
  } finally {
    for (const s of [auth, cloud]) {
      s.child.kill("SIGTERM");
      await s.exited;
    }
    ping.proc.child.kill("SIGTERM");
    await ping.proc.exited;
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(dbName)} WITH (FORCE)`);
    await admin.end();
    await cluster?.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
