// Atlas benchmarks: one command (`pnpm bench`), real processes on 127.0.0.1, bounded in time.
// Each run compares against a baseline measured in the same run on the same process, because
// the load generator shares the machine's cores with the server.
import { execSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
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
import { createPat } from "../service-auth/src/services/tokens/pat.service.ts";
import { createSession } from "../service-auth/src/services/tokens/session.service.ts";
import {
  argon2Timing,
  bareNodeServer,
  bareServerRss,
  coldStart,
  passkeyLogins,
  rssMB,
  rssSampler,
  siweLogins,
  spawnDist,
} from "./auth-extra.ts";
import { runCloudBenchmarks } from "./cloud.ts";
import { hashingUnderLoad } from "./hashing.ts";
import { peerTable, targetsTable } from "./peer-report.ts";
import { buildPeers, cookieRotation, spawnPeer, startBarePing, startBareVerifier, startBetterAuth } from "./peers.ts";
import { writeResultsKeepingSections } from "./results-sections.ts";
import { subscribeToBusiness } from "./subscribe.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const DURATION = Number(process.env.BENCH_SECONDS ?? 8);

interface Row {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}
const rows: Row[] = [];

async function load(name: string, opts: autocannon.Options): Promise<Row> {
  const r = await autocannon({ duration: DURATION, connections: 32, pipelining: 1, ...opts });
  const row = {
    name,
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
  rows.push(row);
  console.log(
    `${name.padEnd(48)} ${String(row.rps).padStart(7)} req/s  p50 ${row.p50} ms  p99 ${row.p99} ms  non2xx ${row.non2xx}`,
  );
  return row;
}

async function main() {
  // The services run as they ship: the production bundle (`node dist/main.js`).
  execSync("pnpm run build", { cwd: root, stdio: "inherit" });
  // The peer and the bare baselines are bundled the same way (bench/peer/dist/).
  buildPeers();
  const loadAtStart = loadavg()[0] ?? 0;
  const cluster = process.env.DATABASE_URL ? null : await startPostgresCluster();
  const server = process.env.DATABASE_URL ?? (cluster?.url as string);
  const dbName = `atlas_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${quoteIdent(dbName)}`);
  const databaseUrl = withDatabase(server, dbName);
  for (const svc of SERVICE_MIGRATIONS) await deployMigrations(withSchema(databaseUrl, svc.schema), svc);

  const clientSecret = randomBytes(32).toString("base64url");
  const authPort = await freePort();
  const cloudPort = await freePort();
  const common = { DATABASE_URL: databaseUrl, LOG_LEVEL: "warn", NODE_ENV: "production", DATABASE_POOL_MAX: "20" };
  const authEnv = {
    ...common,
    PORT: String(authPort),
    PUBLIC_URL: `http://127.0.0.1:${authPort}`,
    KEY_ENCRYPTION_KEYS: `bench:${randomBytes(32).toString("base64")}`,
    INTROSPECTION_CLIENTS: `service-cloud-api:${clientSecret}`,
    // One client IP generates all the load here: lift the per-IP limits for the run.
    RATE_LIMIT_TOKEN_PER_MIN: "100000000",
    RATE_LIMIT_LOGIN_PER_MIN_IP: "100000000",
    RATE_LIMIT_LOGIN_PER_MIN_TENANT: "100000000",
    RATE_LIMIT_LOGIN_START_PER_HOUR: "100000000",
    RATE_LIMIT_PASSKEY_REGISTER_PER_HOUR: "100000000",
  };
  const cloudEnv = (port: number) => ({
    ...common,
    PORT: String(port),
    AUTH_URL: `http://127.0.0.1:${authPort}`,
    INTROSPECTION_CLIENT_SECRET: clientSecret,
  });
  const auth = spawnDist(`${root}service-auth`, authEnv);
  await waitForHttpOk(`http://127.0.0.1:${authPort}/ready`);
  const cloud = spawnDist(`${root}service-cloud-api`, cloudEnv(cloudPort));
  await waitForHttpOk(`http://127.0.0.1:${cloudPort}/ready`);

  // Users, sessions and a PAT made through the service's own functions on the same database.
  const config = loadAuthConfig({ ...authEnv });
  const deps = buildDeps(config, connectPostgres(databaseUrl, "auth"), {
    logger: createLogger({ name: "bench", level: "silent" }),
  });
  await seedDefaults(deps.prisma, config);
  await initDeps(deps);
  const tenant = await deps.prisma.tenant.findUniqueOrThrow({ where: { slug: "default" } });
  const sessions = [];
  // One fresh session per autocannon connection context (a reconnect makes a new context): two
  // contexts sharing a chain would look like token theft and revoke it.
  for (let i = 0; i < 256; i++) {
    const user = await deps.prisma.user.create({ data: { tenantId: tenant.id, email: `bench${i}@example.test` } });
    sessions.push(
      await createSession(deps, {
        user,
        audience: tenant.jwtAudience,
        amr: ["email"],
        context: { ipAddress: "127.0.0.1", userAgent: "bench", deviceHash: null },
      }),
    );
  }
  const first = sessions[0];
  if (!first) throw new Error("no session");
  const pat = await createPat(deps, {
    userId: first.user.id,
    tenantId: tenant.id,
    name: "bench",
    scopes: ["profile:read"],
    context: { ipAddress: "127.0.0.1", userAgent: "bench", deviceHash: null },
  });

  const authUrl = `http://127.0.0.1:${authPort}`;
  const cloudUrl = `http://127.0.0.1:${cloudPort}`;
  await subscribeToBusiness(databaseUrl, cloudUrl, first.user.id, tenant.id, first.accessToken);

  // The peer (Better Auth on its own database of the same server) and the bare baselines, each its
  // own process; the bare verifier trusts service-auth's JWKS.
  const peerDb = `${dbName}_peer`;
  const peer = await startBetterAuth(admin, server, peerDb, 32);
  const peerVersion = (
    JSON.parse(readFileSync(`${root}node_modules/better-auth/package.json`, "utf8")) as { version: string }
  ).version;
  const barePing = await startBarePing();
  const bareVerifier = await startBareVerifier(authUrl, first.accessToken);
  console.log(
    `\nservice-auth ${authUrl}, service-cloud-api ${cloudUrl}, Better Auth ${peerVersion} ${peer.url}, ${DURATION}s per run\n`,
  );

  // Memory at rest: every process up, seeded, a few requests served, then 3 s without traffic.
  await new Promise((r) => setTimeout(r, 3000));
  const idleRss = {
    auth: rssMB(auth.child.pid),
    cloud: rssMB(cloud.child.pid),
    peer: rssMB(peer.proc.child.pid),
    verifier: rssMB(bareVerifier.proc.child.pid),
    ping: rssMB(barePing.proc.child.pid),
  };
  const authPeak = rssSampler(auth.child.pid);
  const cloudPeak = rssSampler(cloud.child.pid);
  const peerPeak = rssSampler(peer.proc.child.pid);
  const verifierPeak = rssSampler(bareVerifier.proc.child.pid);
  const peerCookie = cookieRotation(peer.cookies);
  const withPeerCookie: autocannon.Request["setupRequest"] = (req) => ({
    ...req,
    headers: { ...req.headers, cookie: peerCookie() },
  });

  // Each Atlas run sits next to the run it is compared with, so that a change in the machine's
  // load during the run hits both alike.
  const pingBeforeAuth = await load("bare Hono GET /ping (shell baseline for service-auth)", { url: barePing.url });
  const authHealth = await load("service-auth GET /health (baseline)", { url: `${authUrl}/health` });
  const jwks = await load("service-auth GET /.well-known/jwks.json", { url: `${authUrl}/.well-known/jwks.json` });
  const peerJwks = await load(`Better Auth ${peerVersion} GET /api/auth/jwks`, { url: `${peer.url}/api/auth/jwks` });

  // A pool of live refresh-token chains: each request takes a chain's current token, and its
  // answer puts the successor back. Every request is a real rotation, never a reuse.
  const refreshFailures = new Map<string, number>();
  const chains = sessions.map((s) => s.refreshToken);
  const refresh = await load("service-auth POST /auth/token/refresh", {
    url: `${authUrl}/auth/token/refresh`,
    connections: 16,
    requests: [
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        setupRequest: (req) => {
          const token = chains.shift();
          if (!token) throw new Error("no free refresh-token chain");
          return { ...req, body: JSON.stringify({ refreshToken: token }) };
        },
        onResponse: (status, body) => {
          if (status === 200) chains.push((JSON.parse(body) as { refreshToken: string }).refreshToken);
          else
            refreshFailures.set(
              `${status} ${body.slice(0, 120)}`,
              (refreshFailures.get(`${status} ${body.slice(0, 120)}`) ?? 0) + 1,
            );
        },
      },
    ],
  });
  if (refreshFailures.size) console.log("refresh failures:", refreshFailures);
  const peerToken = await load(`Better Auth ${peerVersion} GET /api/auth/token (RS256)`, {
    url: `${peer.url}/api/auth/token`,
    connections: 16,
    requests: [{ method: "GET", setupRequest: withPeerCookie }],
  });
  const siwe = await siweLogins(authUrl, DURATION);
  console.log(
    `SIWE logins: ${siwe.perSecond.toFixed(0)}/s, verify p50 ${siwe.verify.p50Ms.toFixed(1)} ms`,
    siwe.failures,
  );
  const passkey = await passkeyLogins(
    authUrl,
    DURATION,
    sessions.slice(1, 9).map((s) => s.accessToken),
  );
  console.log(
    `passkey logins: ${passkey.perSecond.toFixed(0)}/s, verify p50 ${passkey.verify.p50Ms.toFixed(1)} ms`,
    passkey.failures,
  );
  const pingBeforeCloud = await load("bare Hono GET /ping (shell baseline for cloud-api)", { url: barePing.url });
  const cloudHealth = await load("service-cloud-api GET /health (baseline)", { url: `${cloudUrl}/health` });
  const jwt = await load("service-cloud-api GET /v1/me (JWT, local verify)", {
    url: `${cloudUrl}/v1/me`,
    headers: { authorization: `Bearer ${first.accessToken}` },
  });
  const verifierRun = await load("bare Hono + jose remote JWKS GET /v1/me (verifies every request)", {
    url: bareVerifier.url,
    headers: { authorization: `Bearer ${first.accessToken}` },
  });
  const peerSession = await load(`Better Auth ${peerVersion} GET /api/auth/get-session`, {
    url: `${peer.url}/api/auth/get-session`,
    requests: [{ method: "GET", setupRequest: withPeerCookie }],
  });
  const patRow = await load("service-cloud-api GET /v1/me (PAT, cached introspection)", {
    url: `${cloudUrl}/v1/me`,
    headers: { authorization: `Bearer ${pat.token}` },
  });
  const basic = `Basic ${Buffer.from(`service-cloud-api:${clientSecret}`).toString("base64")}`;
  const introspect = await load("service-auth POST /auth/token/introspect (JWT) = per-request introspection cost", {
    url: `${authUrl}/auth/token/introspect`,
    method: "POST",
    headers: { authorization: basic, "content-type": "application/json" },
    body: JSON.stringify({ token: first.accessToken }),
  });

  const loadRss = {
    auth: authPeak.stop(),
    cloud: cloudPeak.stop(),
    peer: peerPeak.stop(),
    verifier: verifierPeak.stop(),
  };
  console.log("RSS MB idle", idleRss, "peak under load", loadRss);

  // Issue 20 item 3, after the peak-RSS window: /health p99 alone vs during 50 concurrent
  // argon2id backup-code verifications (bench/hashing.ts).
  const hashing = await hashingUnderLoad(deps, tenant.id, authUrl, DURATION);
  console.log(
    `/health p99 alone ${hashing.alone.p99} ms, during ${hashing.concurrency} concurrent backup-code verifications ${hashing.loaded.p99} ms (${hashing.ratio.toFixed(2)}×), ${hashing.verificationsPerSec.toFixed(0)} verifications/s, ${hashing.failures} failed`,
  );

  // Cold start: a second instance of each service on the same (migrated, seeded) database, from
  // spawn to its first 200 on /ready (it can serve: database reached, keys loaded); baseline: a
  // bare node:http server spawned the same way.
  const coldPort = await freePort();
  const authCold = await coldStart(
    () => spawnDist(`${root}service-auth`, { ...authEnv, PORT: String(coldPort) }),
    `http://127.0.0.1:${coldPort}/ready`,
  );
  const cloudCold = await coldStart(
    () => spawnDist(`${root}service-cloud-api`, cloudEnv(coldPort)),
    `http://127.0.0.1:${coldPort}/ready`,
  );
  const peerCold = await coldStart(
    () => spawnPeer("better-auth", { ...peer.env, PORT: String(coldPort) }),
    `http://127.0.0.1:${coldPort}${peer.readyPath}`,
  );
  const bareCold = await coldStart(bareNodeServer(coldPort), `http://127.0.0.1:${coldPort}/`);
  console.log("cold start ms", { auth: authCold, cloud: cloudCold, peer: peerCold, bare: bareCold });
  const bareRss = await bareServerRss(coldPort);

  // The cloud benchmarks below run their own consumer: the services stop first, so that neither
  // competes for the events nor for the cores.
  await closeDeps(deps);
  const others = [auth, cloud, peer.proc, barePing.proc, bareVerifier.proc];
  for (const p of others) p.child.kill("SIGTERM");
  await Promise.all(others.map((p) => p.exited));
  const cloudRows = await runCloudBenchmarks(databaseUrl, DURATION);
  const argon = await argon2Timing();
  console.log("argon2id", argon);

  const ratios = {
    jwtVsHealth: jwt.rps / cloudHealth.rps,
    jwtVsIntrospect: jwt.rps / introspect.rps,
  };
  const ms = (n: number) => `${n}`;
  const f1 = (n: number) => n.toFixed(1);
  const yes = (ok: boolean) => (ok ? "yes" : "**no**");
  const goalRows = [
    `| cloud-api \`GET /v1/me\` with a JWT (metered) | ${jwt.rps} req/s | cloud-api \`/health\` ${cloudHealth.rps} req/s | ${ratios.jwtVsHealth.toFixed(2)} | ≥ 0.80 of /health | ${yes(ratios.jwtVsHealth >= 0.8)} |`,
    `| cloud-api \`GET /v1/me\` with a PAT (cached introspection) | ${patRow.rps} req/s | cloud-api \`/health\` ${cloudHealth.rps} req/s | ${(patRow.rps / cloudHealth.rps).toFixed(2)} | ≥ 0.80 of /health | ${yes(patRow.rps / cloudHealth.rps >= 0.8)} |`,
    `| \`/v1/me\` JWT vs per-request introspection | ${jwt.rps} req/s | introspection ${introspect.rps} req/s | ${ratios.jwtVsIntrospect.toFixed(2)} | (local verification pays off) | ${yes(ratios.jwtVsIntrospect > 1)} |`,
    `| token refresh (rotation on Postgres) | ${refresh.rps} /s | service-auth \`/health\` ${authHealth.rps} req/s | ${(refresh.rps / authHealth.rps).toFixed(2)} | ≥ 1,700 /s | ${yes(refresh.rps >= 1700)} |`,
    `| JWKS | ${jwks.rps} req/s | service-auth \`/health\` ${authHealth.rps} req/s | ${(jwks.rps / authHealth.rps).toFixed(2)} | ≥ 40,000 req/s | ${yes(jwks.rps >= 40_000)} |`,
    `| SIWE login end to end (nonce, sign, verify; verify p50 ${f1(siwe.verify.p50Ms)} / p99 ${f1(siwe.verify.p99Ms)} ms) | ${siwe.perSecond.toFixed(0)} logins/s | refresh ${refresh.rps} /s | ${(siwe.perSecond / refresh.rps).toFixed(2)} | (measured) | — |`,
    `| passkey login end to end (options, assert, verify; verify p50 ${f1(passkey.verify.p50Ms)} / p99 ${f1(passkey.verify.p99Ms)} ms) | ${passkey.perSecond.toFixed(0)} logins/s | refresh ${refresh.rps} /s | ${(passkey.perSecond / refresh.rps).toFixed(2)} | (measured) | — |`,
    `| argon2id hash (m 19 MiB, t 2, p 1), mean (p99) | ${argon.argon2id.meanMs.toFixed(2)} ms (${argon.argon2id.p99Ms.toFixed(2)}) | SHA-256 ${(argon.sha256.meanMs * 1000).toFixed(1)} µs | ${(argon.argon2id.meanMs / argon.sha256.meanMs).toFixed(0)}× | ≤ 6 ms | ${yes(argon.argon2id.meanMs <= 6)} |`,
    `| service-auth RSS idle | ${f1(idleRss.auth)} MB | bare node:http ${f1(bareRss)} MB | ${(idleRss.auth / bareRss).toFixed(2)} | ≤ 90 MB | ${yes(idleRss.auth <= 90)} |`,
    `| service-cloud-api RSS idle | ${f1(idleRss.cloud)} MB | bare node:http ${f1(bareRss)} MB | ${(idleRss.cloud / bareRss).toFixed(2)} | ≤ 90 MB | ${yes(idleRss.cloud <= 90)} |`,
    `| service-auth RSS peak under load | ${f1(loadRss.auth)} MB | its idle ${f1(idleRss.auth)} MB | ${(loadRss.auth / idleRss.auth).toFixed(2)} | ≤ 150 MB | ${yes(loadRss.auth <= 150)} |`,
    `| service-cloud-api RSS peak under load | ${f1(loadRss.cloud)} MB | its idle ${f1(idleRss.cloud)} MB | ${(loadRss.cloud / idleRss.cloud).toFixed(2)} | ≤ 150 MB | ${yes(loadRss.cloud <= 150)} |`,
    `| service-auth cold start, spawn → first 200 on /ready (median of 5: ${authCold.runs.map((r) => r.toFixed(0)).join(", ")}) | ${authCold.medianMs.toFixed(0)} ms | bare node:http ${bareCold.medianMs.toFixed(0)} ms | ${(authCold.medianMs / bareCold.medianMs).toFixed(1)} | ≤ 400 ms | ${yes(authCold.medianMs <= 400)} |`,
    `| service-cloud-api cold start, spawn → first 200 on /ready (median of 5: ${cloudCold.runs.map((r) => r.toFixed(0)).join(", ")}) | ${cloudCold.medianMs.toFixed(0)} ms | bare node:http ${bareCold.medianMs.toFixed(0)} ms | ${(cloudCold.medianMs / bareCold.medianMs).toFixed(1)} | ≤ 400 ms | ${yes(cloudCold.medianMs <= 400)} |`,
    ...cloudRows.map((r) => `| ${r.name} | ${r.value} | (see below) | | ${r.target} | ${yes(r.met)} |`),
  ];
  const peerFigures = {
    peerVersion,
    atlas: { refresh, jwks, me: jwt, authHealth, cloudHealth },
    peer: { token: peerToken, jwks: peerJwks, session: peerSession },
    bare: { pingBeforeAuth, pingBeforeCloud, verifier: verifierRun },
    rss: { idle: idleRss, peak: loadRss },
    cold: { auth: authCold, cloud: cloudCold, peer: peerCold },
    hashing,
  };
  const table = [
    "| run | req/s | p50 ms | p99 ms | non-2xx | errors |",
    "|---|---:|---:|---:|---:|---:|",
    ...rows.map((r) => `| ${r.name} | ${r.rps} | ${ms(r.p50)} | ${ms(r.p99)} | ${r.non2xx} | ${r.errors} |`),
  ].join("\n");
  const cpu = cpus()[0]?.model ?? "unknown";
  const report = `# Benchmark results

Generated by \`pnpm bench\` on ${new Date().toISOString()}.
Machine: ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; PostgreSQL ${cluster ? "throwaway cluster" : "DATABASE_URL"} on the same machine.
Load: autocannon on 127.0.0.1, ${DURATION} s per run, sharing the 2 cores with the servers (compare ratios, not absolutes). Services run with LOG_LEVEL=warn.
Machine load average (1 min) when the run started: ${loadAtStart.toFixed(2)}, when it ended: ${(loadavg()[0] ?? 0).toFixed(2)} (other work on the same cores lowers every number).

## Peer: Atlas ÷ Better Auth ${peerVersion} and bare baselines, same run

Better Auth runs on its own database of the same PostgreSQL server (JWT plugin, RS256 2048-bit, email + password
sessions, rate limiting off); the bare apps are Hono on @hono/node-server with no middleware. Every process runs
as a bundle with \`node\`, NODE_ENV=production. Peak RSS is the maximum over all the HTTP runs (service-auth's
include SIWE, passkey and introspection runs; Better Auth's only its own three).

${peerTable(peerFigures)}

## Targets (issue 20 item 2), each against this run

${targetsTable(peerFigures)}

## Goals (issue 12), each against its baseline from this run

| figure | measured | baseline (same run) | ratio | target | met |
|---|---:|---:|---:|---:|:-:|
${goalRows.join("\n")}

The usage ingestion and outbox rows come from \`bench/cloud.ts\` (the services are stopped for them; its own
consumer process); their baselines are in their descriptions.

## All HTTP runs

${table}
`;
  // The Journeys and Scaling sections (bench:journeys, bench:scaling) are carried over.
  writeResultsKeepingSections(report);
  console.log(`\n${report}`);

  await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(dbName)} WITH (FORCE)`);
  await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(peerDb)} WITH (FORCE)`);
  await admin.end();
  await cluster?.stop();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
