// service-cloud-api benchmarks that are not HTTP: usage ingestion into Postgres and the outbox
// end to end. `tsx bench/cloud.ts` runs them alone on a throwaway cluster; bench/run.ts calls
// them after the HTTP runs.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  connectPostgres,
  type DatabaseConnection,
  deployMigrations,
  quoteIdent,
  SERVICE_MIGRATIONS,
  startPostgresCluster,
  withDatabase,
  withSchema,
} from "@atlas/db";
import { createLogger } from "@atlas/service-kit";
import pg from "pg";
import { UsageMeter } from "../service-cloud-api/src/services/metering.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

export interface CloudBenchRow {
  name: string;
  value: string;
  target: string;
  met: boolean;
}

/** What the outbox producers offer: above the 5,000 events/s target, so meeting it is not an artefact of pacing. */
const OUTBOX_OFFERED_PER_SECOND = 6_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Usage ingestion: metered events (one request = one `requests` count plus bytes in and out)
 * recorded as fast as the loop can, the meter flushing every second as in production, until
 * `seconds` pass; then a final flush. Throughput = events durably in Postgres ÷ wall time, and
 * the database's sum is checked against the count. `distinctKeys` decides how much the
 * in-memory aggregation helps: with one key per event every event is its own row.
 */
async function ingestion(db: DatabaseConnection, seconds: number, keysPerHour: number | "unique") {
  const meter = new UsageMeter({
    db,
    logger: createLogger({ name: "bench", level: "warn" }),
    now: () => new Date(),
    flushIntervalMs: 1_000,
  });
  const tenant = `bench_${randomUUID().slice(0, 8)}`;
  meter.start();
  const started = performance.now();
  let events = 0;
  while (performance.now() - started < seconds * 1000) {
    for (let i = 0; i < 2_000; i++) {
      const user = keysPerHour === "unique" ? `u${events}` : `u${events % keysPerHour}`;
      meter.record(tenant, user, "requests", 1);
      events += 1;
    }
    // Yield so the flush timer runs: the producer and the flusher share one event loop.
    await new Promise((r) => setImmediate(r));
  }
  await meter.stop();
  const elapsed = (performance.now() - started) / 1000;
  const [check] = await db.query<{ total: string; rows: string }>(
    `SELECT sum("value")::text AS total, count(*)::text AS rows FROM "cloud"."cloud_usage_records" WHERE "tenantId" = $1`,
    [tenant],
  );
  if (Number(check?.total) !== events) throw new Error(`ingestion lost events: ${check?.total} of ${events}`);
  return { events, rows: Number(check?.rows), perSecond: Math.round(events / elapsed), elapsed };
}

/** Outbox end to end: paced producers commit customer.created events; a consumer process applies them. */
async function outbox(
  databaseUrl: string,
  db: DatabaseConnection,
  seconds: number,
  ratePerSecond: number,
  consumerCount: number,
) {
  const consumers = Array.from({ length: consumerCount }, (_, i) => {
    const stampsFile = join(tmpdir(), `atlas-outbox-stamps-${process.pid}-${i}.txt`);
    const child = spawn(process.execPath, ["--import", "tsx", "bench/outbox-consumer.ts", databaseUrl, stampsFile], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const c = { child, stampsFile, output: "", exited: new Promise((resolve) => child.once("exit", resolve)) };
    child.stdout.on("data", (d: Buffer) => (c.output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (c.output += d.toString()));
    return c;
  });
  for (let i = 0; i < 600 && !consumers.every((c) => c.output.includes("ready")); i++) await sleep(100);
  for (const c of consumers)
    if (!c.output.includes("ready")) throw new Error(`outbox consumer did not start: ${c.output}`);
  const pool = db.pool as pg.Pool;
  const committed = new Map<string, number>();
  const now = () => performance.timeOrigin + performance.now();
  const tickMs = 10;
  // Two producers, each offering half the rate.
  const perTick = Math.max(1, Math.round((ratePerSecond * tickMs) / 2000));
  const started = performance.now();
  let produced = 0;
  const producer = async () => {
    let next = performance.now();
    while (performance.now() - started < seconds * 1000) {
      const ids: string[] = [];
      const payloads: string[] = [];
      const keys: string[] = [];
      const aggregates: string[] = [];
      for (let i = 0; i < perTick; i++) {
        const id = randomUUID();
        const userId = `c${produced + i}`;
        ids.push(id);
        payloads.push(
          JSON.stringify({ tenantId: "bench", userId, billingProfileId: `bp_${userId}`, stripeCustomerId: null }),
        );
        keys.push(`customer.created:${id}`);
        aggregates.push(`customer:bp_${userId}`);
      }
      produced += perTick;
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        await client.query(
          `INSERT INTO "billing"."billing_events" ("id", "eventType", "sourceService", "payload", "dedupeKey", "aggregateKey")
           SELECT x.id, 'customer.created', 'service-auth', x.p::jsonb, x.k, x.a
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS x(id, p, k, a)`,
          [ids, payloads, keys, aggregates],
        );
        await client.query("COMMIT");
      } finally {
        client.release();
      }
      const t = now();
      for (const id of ids) committed.set(id, t);
      next += tickMs;
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
    }
  };
  await Promise.all([producer(), producer()]);
  const produceSeconds = (performance.now() - started) / 1000;
  // Wait until the consumer has caught up, then collect its stamps.
  for (let i = 0; i < 600; i++) {
    const [row] = await db.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM "billing"."billing_events" WHERE "eventType" = 'customer.created' AND NOT "processed"`,
    );
    if (Number(row?.n) === 0) break;
    await sleep(100);
  }
  const drained = (performance.now() - started) / 1000;
  for (const c of consumers) c.child.kill("SIGTERM");
  await Promise.all(consumers.map((c) => c.exited));
  const latencies: number[] = [];
  const t0 = Math.min(...committed.values());
  const windows = new Map<number, number[]>();
  for (const line of consumers.flatMap((c) => readFileSync(c.stampsFile, "utf8").split("\n"))) {
    const [id, t] = line.split(" ");
    const c = id ? committed.get(id) : undefined;
    if (c !== undefined && t) {
      latencies.push(Number(t) - c);
      const w = Math.floor((c - t0) / 1000);
      windows.set(w, [...(windows.get(w) ?? []), Number(t) - c]);
    }
  }
  // p99 per second of production: shows whether the tail is steady or a few stalls.
  const windowP99 = [...windows.values()].map((l) => {
    l.sort((a, b) => a - b);
    return l[Math.min(l.length - 1, Math.floor(l.length * 0.99))] ?? Number.NaN;
  });
  for (const c of consumers) rmSync(c.stampsFile, { force: true });
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? Number.NaN;
  const [applied] = await db.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM "cloud"."cloud_customers" WHERE "tenantId" = 'bench'`,
  );
  return {
    produced: committed.size,
    applied: Number(applied?.n),
    stamped: latencies.length,
    producedPerSecond: Math.round(committed.size / produceSeconds),
    consumedPerSecond: Math.round(committed.size / drained),
    p50: pct(50),
    p99: pct(99),
    max: latencies.at(-1) ?? Number.NaN,
    windowP99Min: Math.min(...windowP99),
    windowP99Max: Math.max(...windowP99),
    windowsMeeting50: windowP99.filter((p) => p <= 50).length,
    windows: windowP99.length,
  };
}

/** Runs the cloud benchmarks on a migrated database; returns table rows for RESULTS.md. */
export async function runCloudBenchmarks(databaseUrl: string, seconds: number): Promise<CloudBenchRow[]> {
  const db = connectPostgres(databaseUrl, "cloud", { max: 8 });
  const rows: CloudBenchRow[] = [];
  try {
    const unique = await ingestion(db, seconds, "unique");
    console.log("usage ingestion, every event its own row:", unique);
    rows.push({
      name: `usage ingestion into Postgres, no aggregation (every event a new row; ${unique.events} events, ${unique.rows} rows)`,
      value: `${unique.perSecond} events/s`,
      target: "≥ 20,000 events/s",
      met: unique.perSecond >= 20_000,
    });
    const aggregated = await ingestion(db, seconds, 10_000);
    console.log("usage ingestion, 10,000 customers:", aggregated);
    rows.push({
      name: `usage ingestion into Postgres, 10,000 active customers (${aggregated.events} events → ${aggregated.rows} rows)`,
      value: `${aggregated.perSecond} events/s`,
      target: "≥ 20,000 events/s",
      met: aggregated.perSecond >= 20_000,
    });
    const rate = OUTBOX_OFFERED_PER_SECOND;
    const ob = await outbox(databaseUrl, db, seconds, rate, 1);
    console.log("outbox end to end:", ob);
    if (ob.applied !== ob.produced || ob.stamped !== ob.produced) {
      throw new Error(
        `outbox lost or duplicated events: produced ${ob.produced}, applied ${ob.applied}, stamped ${ob.stamped}`,
      );
    }
    rows.push({
      name: `outbox end to end: events committed and consumed per second (${ob.produced} customer.created, offered at ${rate}/s)`,
      value: `${ob.consumedPerSecond} events/s (produced ${ob.producedPerSecond}/s)`,
      target: "≥ 5,000 events/s",
      met: ob.consumedPerSecond >= 5_000,
    });
    rows.push({
      name: "outbox commit-to-consume latency (producer COMMIT → consumer batch COMMIT)",
      value: `p50 ${ob.p50.toFixed(1)} ms, p99 ${ob.p99.toFixed(1)} ms, max ${ob.max.toFixed(1)} ms; per 1-s window p99 ${ob.windowP99Min.toFixed(0)}–${ob.windowP99Max.toFixed(0)} ms, ${ob.windowsMeeting50} of ${ob.windows} windows ≤ 50 ms`,
      target: "p99 ≤ 50 ms",
      met: ob.p99 <= 50,
    });
  } finally {
    await db.close();
  }
  return rows;
}

// Standalone: a throwaway cluster (or DATABASE_URL's server), a fresh migrated database.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const seconds = Number(process.env.BENCH_SECONDS ?? 8);
  const cluster = process.env.DATABASE_URL ? null : await startPostgresCluster();
  const server = process.env.DATABASE_URL ?? (cluster?.url as string);
  const name = `atlas_cloud_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
  const url = withDatabase(server, name);
  try {
    for (const svc of SERVICE_MIGRATIONS) await deployMigrations(withSchema(url, svc.schema), svc);
    const rows = await runCloudBenchmarks(url, seconds);
    for (const r of rows) console.log(`${r.met ? "✓" : "✗"} ${r.name}: ${r.value} (${r.target})`);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    await admin.end();
    await cluster?.stop();
  }
}
