// `pnpm bench:journeys` (issue 20 item 4): whole user journeys against the production bundles,
// first one instance of each service, then two of each behind the same PostgreSQL and Redis.
// JOURNEY_USERS (500) virtual users for JOURNEY_SECONDS (60) each; see bench/README.md.
import { execSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { rssSampler } from "./auth-extra.ts";
import { type LoginMethod, METHODS, Steps, VirtualUser } from "./journey-user.ts";
import { writeResultsSection } from "./results-sections.ts";
import { BENCH_RATE_LIMITS, root, serverErrors, startDatabase, startRedis, startServices } from "./stack.ts";

const USERS = Number(process.env.JOURNEY_USERS ?? 500);
const SECONDS = Number(process.env.JOURNEY_SECONDS ?? 60);
const REFRESH_EVERY_MS = Number(process.env.JOURNEY_REFRESH_MS ?? 3000);
const REFRESHES = Number(process.env.JOURNEY_REFRESHES ?? 2);
const OBJECT_BYTES = Number(process.env.JOURNEY_OBJECT_BYTES ?? 1024);
/** Instances of each service per run, in order (default: one, then two). */
const TOPOLOGIES = (process.env.JOURNEY_INSTANCES ?? "1,2").split(",").map(Number);
/** VUs start spread over this much of the run, not all in the same millisecond. */
const RAMP_SECONDS = Math.min(10, SECONDS / 4);

interface RunResult {
  instances: number;
  /** Distinct error log lines of the services (pino level ≥ 50), with counts. */
  serverErrors: Map<string, number>;
  steps: Steps;
  seconds: number;
  logins: number;
  journeysPerSecond: number;
  rss: { auth: number[]; cloud: number[] };
  loadStart: number;
  loadEnd: number;
}

async function runWith<T>(items: T[], concurrency: number, fn: (t: T) => Promise<void>) {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let t = queue.shift(); t !== undefined; t = queue.shift()) await fn(t);
    }),
  );
}

async function run(databaseUrl: string, redisUrl: string, instances: number): Promise<RunResult> {
  const services = await startServices({ databaseUrl, redisUrl, instances, nodeEnv: "development" });
  try {
    const steps = new Steps();
    // VU i: login method i mod 3, service instances i mod `instances` (auth and cloud alike).
    const users = Array.from(
      { length: USERS },
      (_, vu) =>
        new VirtualUser({
          vu: vu + instances * 1_000_000,
          authUrl: services.authUrls[vu % instances] as string,
          cloudUrl: services.cloudUrls[vu % instances] as string,
          method: METHODS[vu % METHODS.length] as LoginMethod,
          steps,
          refreshEveryMs: REFRESH_EVERY_MS,
          refreshesPerSession: REFRESHES,
          objectBytes: OBJECT_BYTES,
        }),
    );
    // Passkey users register their passkey first (not timed as part of the run).
    await runWith(users, 16, (u) => u.prepare());
    if (steps.errorCount) throw new Error(`setup failed: ${JSON.stringify([...steps.errors])}`);
    const timed = new Steps();
    for (const u of users) u.useSteps(timed);
    const samplers = {
      auth: services.auth.map((p) => rssSampler(p.child.pid)),
      cloud: services.cloud.map((p) => rssSampler(p.child.pid)),
    };
    const loadStart = loadavg()[0] ?? 0;
    const t0 = performance.now();
    const deadline = t0 + SECONDS * 1000;
    await Promise.all(
      users.map(async (u, i) => {
        await new Promise((r) => setTimeout(r, (i / USERS) * RAMP_SECONDS * 1000));
        await u.run(deadline);
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const logins = [...timed.logins.values()].reduce((a, b) => a + b, 0);
    const journeys = timed.samples.get("auth: POST /auth/logout")?.length ?? 0;
    const outputs = [
      ...services.auth.map((p, i) => ({ name: `service-auth #${i + 1}`, text: p.output() })),
      ...services.cloud.map((p, i) => ({ name: `cloud-api #${i + 1}`, text: p.output() })),
    ];
    return {
      instances,
      serverErrors: serverErrors(outputs),
      steps: timed,
      seconds,
      logins,
      journeysPerSecond: journeys / seconds,
      rss: { auth: samplers.auth.map((s) => s.stop()), cloud: samplers.cloud.map((s) => s.stop()) },
      loadStart,
      loadEnd: loadavg()[0] ?? 0,
    };
  } finally {
    await services.stop();
  }
}

const f1 = (n: number) => n.toFixed(1);

function report(r: RunResult): string {
  const byMethod = METHODS.map((m) => `${m} ${f1((r.steps.logins.get(m) ?? 0) / r.seconds)}`).join(", ");
  const stepRows = r.steps
    .summary()
    .sort((a, b) => a.step.localeCompare(b.step))
    .map((s) => `| ${s.step} | ${s.count} | ${f1(s.p50)} | ${f1(s.p99)} |`);
  const errors = [...r.steps.errors.entries()].map(([text, n]) => `- ${n} × \`${text.replaceAll("`", "'")}\``);
  const logged = [...r.serverErrors.entries()].map(([text, n]) => `  - ${n} × \`${text.replaceAll("`", "'")}\``);
  const rss = (label: string, list: number[]) => list.map((mb, i) => `${label} #${i + 1} ${f1(mb)} MB`).join(", ");
  return `### ${r.instances === 1 ? "One instance" : `${r.instances} instances`} of each service

- logins: **${f1(r.logins / r.seconds)}/s** (${r.logins} in ${f1(r.seconds)} s; by method/s: ${byMethod}); whole journeys ${f1(r.journeysPerSecond)}/s
- errors: **${r.steps.errorCount}**${errors.length ? `\n${errors.join("\n")}` : ""}${logged.length ? `\n- the services logged these errors:\n${logged.join("\n")}` : ""}
- peak RSS: ${rss("service-auth", r.rss.auth)}; ${rss("cloud-api", r.rss.cloud)}
- machine load (1-min average) at start ${f1(r.loadStart)}, at end ${f1(r.loadEnd)}

| step | requests | p50 ms | p99 ms |
|---|---:|---:|---:|
${stepRows.join("\n")}`;
}

async function main() {
  execSync("pnpm run build", { cwd: root, stdio: "inherit" });
  const db = await startDatabase("atlas_journeys");
  const redis = await startRedis();
  const results: RunResult[] = [];
  try {
    for (const instances of TOPOLOGIES) {
      console.log(`\n${USERS} virtual users, ${SECONDS} s, ${instances} instance(s) of each service…`);
      const r = await run(db.url, redis.url, instances);
      results.push(r);
      console.log(report(r));
    }
  } finally {
    await redis.stop();
    await db.drop();
  }
  const limits = Object.entries(BENCH_RATE_LIMITS)
    .map(([k, v]) => `\`${k}=${v}\``)
    .join(", ");
  const section = `## Journeys (issue 20 item 4)

Generated by \`pnpm bench:journeys\` on ${new Date().toISOString()}: ${USERS} virtual users for ${SECONDS} s per
topology (started over the first ${f1(RAMP_SECONDS)} s), ${cpus().length} cores shared by the load generator, the
services, PostgreSQL and Redis. Services: production bundles (\`node dist/main.js\`) with NODE_ENV=development
(the dev outbox serves e-mail links) on a loopback PUBLIC_URL, LOG_LEVEL=warn, pool 20, rate-limit counters in Redis.
Each VU, again and again: logs in (VU i: ${METHODS.join(" / ")} by i mod 3; passkeys registered before the run),
\`GET /v1/me\`, \`PUT\` then \`GET /v1/objects/:key\` (${OBJECT_BYTES} bytes, compared), ${REFRESHES} × (think
${REFRESH_EVERY_MS} ms ± 20 %, refresh, \`GET /v1/me\`), logs out. With two instances VU i uses service-auth #(i mod 2)
and cloud-api #(i mod 2). Latencies are measured in the load generator (to the last body byte), so they include
its own queueing on the shared cores.

**Rate limits**: all load comes from 127.0.0.1, so the bench raises service-auth's limits through their env
variables (the limiter stays on): ${limits}.

${results.map(report).join("\n\n")}`;
  writeResultsSection("journeys", section);
  const errors = results.reduce((a, r) => a + r.steps.errorCount, 0);
  if (errors) {
    console.error(`${errors} errors (must be 0)`);
    process.exitCode = 1;
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
