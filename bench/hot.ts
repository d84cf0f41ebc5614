// The hot paths alone, interleaved with their baselines (`tsx bench/hot.ts [--cpu-prof=<dir>]`;
// BENCH_SECONDS per run, default 5; BENCH_ROUNDS rounds, default 2): each service's `/health`
// next to the bare Hono `/ping`, and cloud-api's metered `GET /v1/me` (JWT) next to the bare
// Hono + jose verifier, round after round so that the shared machine's load hits both sides
// alike. Run `pnpm run build` first (the services run from their production bundles).

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import {
  connectPostgres,
  deployMigrations,
  freePort,
  quoteIdent,
  SERVICE_MIGRATIONS,
  startPostgresCluster,
  withDatabase,
  withSchema,
} from "@atlas/db";
import { createLogger } from "@atlas/service-kit";
import { waitForHttpOk } from "@atlas/service-kit/testing";
import autocannon from "autocannon";
import pg from "pg";
import { loadAuthConfig } from "../service-auth/src/config.ts";
import { buildDeps, closeDeps, initDeps } from "../service-auth/src/deps.ts";
import { seedDefaults } from "../service-auth/src/seed.ts";
import { createSession } from "../service-auth/src/services/tokens/session.service.ts";
import { buildPeers, startBarePing, startBareVerifier } from "./peers.ts";
import { subscribeToBusiness } from "./subscribe.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const DURATION = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
// Bundles of both services to compare, comma-separated (e.g. `dist/main.before.js,dist/main.js`
// with the first copied before a change): each runs as its own pair of processes on the same
// database, and every round measures each of them in turn.
const ENTRIES = (process.env.BENCH_ENTRY ?? "dist/main.js").split(",");
const PROF = process.argv.find((a) => a.startsWith("--cpu-prof="))?.slice("--cpu-prof=".length);

/** Every process this script started, so that a failure stops them too. */
const started: { kill(): void }[] = [];

function spawnService(dir: string, entry: string, env: Record<string, string>) {
  const args = PROF ? ["--cpu-prof", `--cpu-prof-dir=${PROF}`, entry] : [entry];
  const child = spawn(process.execPath, args, {
    cwd: `${root}${dir}`,
    env: { PATH: process.env.PATH, ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  started.push({ kill: () => child.kill("SIGTERM") });
  return { child, exited: new Promise((r) => child.once("exit", r)) };
}

/** CPU time (user + system) a process has used, in ms (/proc/<pid>/stat, clock ticks of 10 ms). */
function cpuMs(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * One autocannon run; answers req/s and the server process's CPU per request (µs). On a loaded
 * machine the CPU per request moves much less than the throughput, which depends on how much of
 * the cores the load generator and the server get.
 */
async function run(
  name: string,
  url: string,
  pid: number | undefined,
  headers?: Record<string, string>,
): Promise<{ rps: number; cpuUs: number }> {
  const cpu0 = cpuMs(pid);
  const r = await autocannon({ url, headers, duration: DURATION, connections: 32, pipelining: 1 });
  const cpuUs = ((cpuMs(pid) - cpu0) * 1000) / Math.max(1, r.requests.total);
  const rps = Math.round(r.requests.average);
  console.log(
    `${name.padEnd(44)} ${String(rps).padStart(7)} req/s  ${cpuUs.toFixed(1).padStart(6)} µs CPU/req  p99 ${r.latency.p99} ms  load ${loadavg()[0]?.toFixed(1)}`,
  );
  if (r.non2xx || r.errors) {
    const sample = await fetch(url, { headers });
    throw new Error(
      `${name}: ${r.non2xx} non-2xx ${JSON.stringify(r.statusCodeStats)}, ${r.errors} errors; now: ${sample.status} ${await sample.text()}`,
    );
  }
  return { rps, cpuUs };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main() {
  buildPeers();
  const load0 = loadavg()[0] ?? 0;

  const cluster = process.env.DATABASE_URL ? null : await startPostgresCluster();
  if (cluster) started.push({ kill: () => void cluster.stop() });
  const server = process.env.DATABASE_URL ?? (cluster?.url as string);
  const dbName = `atlas_hot_${process.pid}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${quoteIdent(dbName)}`);
  const databaseUrl = withDatabase(server, dbName);
  for (const svc of SERVICE_MIGRATIONS) await deployMigrations(withSchema(databaseUrl, svc.schema), svc);
  const secret = randomBytes(32).toString("base64url");
  const kek = `bench:${randomBytes(32).toString("base64")}`;
  const common = { DATABASE_URL: databaseUrl, LOG_LEVEL: "warn", NODE_ENV: "production", DATABASE_POOL_MAX: "20" };
  let authEnv: Record<string, string> = {};
  let issuer: string | undefined;
  async function startPair(entry: string) {
    const authPort = await freePort();
    const cloudPort = await freePort();
    const authUrl = `http://127.0.0.1:${authPort}`;
    const cloudUrl = `http://127.0.0.1:${cloudPort}`;
    authEnv = {
      ...common,
      PORT: String(authPort),
      // One issuer for every instance, as behind a load balancer: a token is good at each pair.
      PUBLIC_URL: issuer ?? authUrl,
      KEY_ENCRYPTION_KEYS: kek,
      INTROSPECTION_CLIENTS: `service-cloud-api:${secret}`,
    };
    const auth = spawnService("service-auth", entry, authEnv);
    await waitForHttpOk(`${authUrl}/ready`);
    const cloud = spawnService("service-cloud-api", entry, {
      ...common,
      PORT: String(cloudPort),
      AUTH_URL: authUrl,
      AUTH_ISSUER: issuer ?? authUrl,
      INTROSPECTION_CLIENT_SECRET: secret,
    });
    await waitForHttpOk(`${cloudUrl}/ready`);
    issuer ??= authUrl;
    return { entry, auth, cloud, authUrl, cloudUrl };
  }
  // The other pairs start once the user's plan is applied: each cloud-api caches entitlements.
  const pairs = [await startPair(ENTRIES[0] as string)];
  const first = pairs[0];
  if (!first) throw new Error("no bundle to measure");
  const { authUrl, cloudUrl } = first;

  // One user with a session, made by service-auth's own functions, on a plan with overage.
  const config = loadAuthConfig({ ...authEnv });
  const deps = buildDeps(config, connectPostgres(databaseUrl, "auth"), {
    logger: createLogger({ name: "bench", level: "silent" }),
  });
  await seedDefaults(deps.prisma, config);
  await initDeps(deps);
  const tenant = await deps.prisma.tenant.findUniqueOrThrow({ where: { slug: "default" } });
  const user = await deps.prisma.user.create({ data: { tenantId: tenant.id, email: "hot@example.test" } });
  const session = await createSession(deps, {
    user,
    audience: tenant.jwtAudience,
    amr: ["email"],
    context: { ipAddress: "127.0.0.1", userAgent: "bench", deviceHash: null },
  });
  await subscribeToBusiness(databaseUrl, cloudUrl, user.id, tenant.id, session.accessToken);
  const bearer = { authorization: `Bearer ${session.accessToken}` };
  for (const entry of ENTRIES.slice(1)) pairs.push(await startPair(entry));

  const ping = await startBarePing();
  started.push({ kill: () => ping.proc.child.kill("SIGTERM") });
  const verifier = await startBareVerifier(authUrl, session.accessToken);
  started.push({ kill: () => verifier.proc.child.kill("SIGTERM") });
  try {
    // A short warm-up each, so that the JIT has seen the path.
    const targets: [string, Record<string, string>?][] = [[ping.url], [verifier.url, bearer]];
    for (const p of pairs)
      targets.push([`${p.authUrl}/health`], [`${p.cloudUrl}/health`], [`${p.cloudUrl}/v1/me`, bearer]);
    for (const [u, h] of targets) await autocannon({ url: u, headers: h, duration: 1, connections: 8 });
    type Runs = { rps: number; cpuUs: number }[];
    const ping1: Runs = [];
    const jose: Runs = [];
    const per = pairs.map(() => ({ auth: [] as Runs, cloud: [] as Runs, me: [] as Runs }));
    const pingPid = ping.proc.child.pid;
    for (let i = 0; i < ROUNDS; i++) {
      ping1.push(await run("bare Hono GET /ping", ping.url, pingPid));
      for (const [k, p] of pairs.entries()) {
        per[k]?.auth.push(await run(`${p.entry} service-auth GET /health`, `${p.authUrl}/health`, p.auth.child.pid));
        per[k]?.cloud.push(await run(`${p.entry} cloud-api GET /health`, `${p.cloudUrl}/health`, p.cloud.child.pid));
      }
      ping1.push(await run("bare Hono GET /ping", ping.url, pingPid));
      for (const [k, p] of pairs.entries()) {
        per[k]?.me.push(
          await run(`${p.entry} cloud-api GET /v1/me (JWT)`, `${p.cloudUrl}/v1/me`, p.cloud.child.pid, bearer),
        );
      }
      jose.push(await run("bare Hono + jose GET /v1/me", verifier.url, verifier.proc.child.pid, bearer));
    }
    const rps = (xs: Runs) => mean(xs.map((x) => x.rps));
    const cpu = (xs: Runs) => mean(xs.map((x) => x.cpuUs));
    const p = rps(ping1);
    console.log(
      `\nmeans over ${ROUNDS} round(s): bare /ping ${p.toFixed(0)} req/s (${cpu(ping1).toFixed(1)} µs CPU/req), bare jose verifier ${rps(jose).toFixed(0)} req/s (${cpu(jose).toFixed(1)} µs)`,
    );
    for (const [k, pair] of pairs.entries()) {
      const r = per[k] as { auth: Runs; cloud: Runs; me: Runs };
      console.log(
        `${pair.entry}: throughput ratios: service-auth /health ÷ /ping ${(rps(r.auth) / p).toFixed(2)}, cloud-api /health ÷ /ping ${(rps(r.cloud) / p).toFixed(2)} (≥ 0.60); /v1/me ÷ jose ${(rps(r.me) / rps(jose)).toFixed(2)} (≥ 1.5)`,
      );
      console.log(
        `${pair.entry}: CPU µs per request: service-auth /health ${cpu(r.auth).toFixed(1)}, cloud-api /health ${cpu(r.cloud).toFixed(1)}, /v1/me ${cpu(r.me).toFixed(1)}; ratios of CPU: /ping ÷ auth /health ${(cpu(ping1) / cpu(r.auth)).toFixed(2)}, /ping ÷ cloud /health ${(cpu(ping1) / cpu(r.cloud)).toFixed(2)}, jose ÷ /v1/me ${(cpu(jose) / cpu(r.me)).toFixed(2)}`,
      );
    }
    console.log(`load average at start ${load0.toFixed(2)}, at end ${(loadavg()[0] ?? 0).toFixed(2)}`);
  } finally {
    await closeDeps(deps);
    for (const s of pairs.flatMap((p) => [p.auth, p.cloud])) {
      s.child.kill("SIGTERM");
      await s.exited;
    }
    for (const s of [ping, verifier]) {
      s.proc.child.kill("SIGTERM");
      await s.proc.exited;
    }
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(dbName)} WITH (FORCE)`);
    await admin.end();
    await cluster?.stop();
  }
}

main().catch(async (error) => {
  console.error(error);
  for (const p of started.reverse()) p.kill();
  await new Promise((r) => setTimeout(r, 2_000));
  process.exit(1);
});
