// service-auth's cold start and idle memory, alone (`tsx bench/cold-start.ts`): what lazy loading
// of the login methods' SDKs is for. A throwaway PostgreSQL is started and migrated once; then,
// RUNS times, the production bundle (`node dist/main.js`, build it first with `pnpm run build`)
// is spawned with the minimal environment of service-auth/test/boot.test.ts and timed from spawn
// to its first 200 on /health; its RSS is read IDLE_MS after that answer. Medians are reported.
//
//   BENCH_RUNS=5 BENCH_IDLE_MS=3000 tsx bench/cold-start.ts [dist/main.js ...]
//
// Several bundles (paths relative to service-auth/, e.g. a copy of the previous build) are
// measured interleaved, run by run, so that a busy neighbour on the shared cores skews them alike.
import { randomBytes } from "node:crypto";
import { cpus, loadavg } from "node:os";
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
import pg from "pg";
import { rssMB, type Spawned, spawnDist } from "./auth-extra.ts";

const serviceDir = fileURLToPath(new URL("../service-auth", import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 3_000);
const entries = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["dist/main.js"];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/** One boot: spawn → first 200 on /health (ms), then RSS (MB) after IDLE_MS of idling. */
async function boot(entry: string, env: Record<string, string>): Promise<{ ms: number; rss: number }> {
  const port = await freePort();
  const t0 = performance.now();
  const proc: Spawned = spawnDist(serviceDir, { ...env, PORT: String(port) }, entry);
  try {
    for (;;) {
      if (proc.child.exitCode !== null) throw new Error(`exited before answering: ${proc.output().slice(-800)}`);
      const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      if (performance.now() - t0 > 60_000) throw new Error(`no 200 in 60 s: ${proc.output().slice(-800)}`);
      await sleep(5);
    }
    const ms = performance.now() - t0;
    await sleep(IDLE_MS);
    return { ms, rss: rssMB(proc.child.pid) };
  } finally {
    proc.child.kill("SIGTERM");
    await proc.exited;
  }
}

async function main() {
  const cluster = await startPostgresCluster();
  try {
    const dbName = `atlas_cold_${process.pid}`;
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${quoteIdent(dbName)}`);
    await admin.end();
    const databaseUrl = withDatabase(cluster.url, dbName);
    for (const svc of SERVICE_MIGRATIONS) await deployMigrations(withSchema(databaseUrl, svc.schema), svc);
    // boot.test.ts's environment (TEST_ENV + DATABASE_URL), in production mode and quiet logs.
    const env = {
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      KEY_ENCRYPTION_KEYS: `bench:${randomBytes(32).toString("base64")}`,
      INTROSPECTION_CLIENTS: `service-cloud-api:${randomBytes(32).toString("base64url")}`,
      PUBLIC_URL: "http://127.0.0.1",
      DATABASE_URL: databaseUrl,
    };
    // The first boot creates the signing key; every measured boot then finds one (as in production).
    await boot(entries[0] as string, env);
    console.log(`node ${process.version}, ${cpus().length} cores, load average ${loadavg()[0]?.toFixed(2)}`);
    const results = new Map(entries.map((e) => [e, { ms: [] as number[], rss: [] as number[] }]));
    for (let i = 0; i < RUNS; i++) {
      for (const entry of entries) {
        const r = await boot(entry, env);
        results.get(entry)?.ms.push(r.ms);
        results.get(entry)?.rss.push(r.rss);
      }
    }
    for (const [entry, r] of results) {
      console.log(
        `${entry}: cold start to first 200 on /health, median ${median(r.ms).toFixed(0)} ms (${r.ms.map((x) => x.toFixed(0)).join(", ")}); ` +
          `idle RSS ${IDLE_MS / 1000} s after, median ${median(r.rss).toFixed(1)} MB (${r.rss.map((x) => x.toFixed(1)).join(", ")})`,
      );
    }
    console.log(`load average at the end ${loadavg()[0]?.toFixed(2)}`);
  } finally {
    await cluster.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
