// Fault: PostgreSQL stopped (fast shutdown, as `pg_ctl stop -m fast`) and started again on the
// same port while real service-auth and service-cloud-api processes are under load. On a cluster
// of this test's own: the shared test cluster other workers use is never touched.
import { setTimeout as delay } from "node:timers/promises";
import { freePort, type PostgresCluster, startPostgresCluster } from "@atlas/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Login,
  migratedDatabase,
  refresh,
  type ServiceProcess,
  seedLogins,
  sql,
  startAuth,
  startCloud,
} from "./harness.ts";

let cluster: PostgresCluster;
let databaseUrl: string;
let auth: ServiceProcess;
let cloud: ServiceProcess;
let logins: Login[];

beforeAll(async () => {
  cluster = await startPostgresCluster();
  databaseUrl = await migratedDatabase(cluster.url, "atlas_fault_pg");
  const env = { PORT: String(await freePort()) };
  logins = await seedLogins(databaseUrl, 6, env);
  auth = await startAuth(databaseUrl, env);
  cloud = await startCloud(databaseUrl, auth.url, { USAGE_FLUSH_INTERVAL_MS: "200", QUOTA_CACHE_MS: "200" });
});
afterAll(async () => {
  await cloud?.stop();
  await auth?.stop();
  await cluster?.stop();
});

type Phase = "before" | "outage" | "recovering" | "after";
interface Answer {
  client: string;
  phase: Phase;
  status: number;
  contentType: string | null;
  body: string;
  retryAfter: string | null;
}

const OUTAGE_MS = 3_000;
const RECOVERY_BUDGET_MS = 3_000;
const AFTER_MS = 3_000;

describe("PostgreSQL restarted under load", () => {
  it("503 problem+json while it is down, recovery without a service restart, no 5xx after, no refresh family revoked", async () => {
    let phase: Phase = "before";
    let running = true;
    const answers: Answer[] = [];
    const transportErrors: string[] = [];
    // The last time each client got a success: recovery is every client succeeding again.
    const lastOk = new Map<string, number>();

    async function call(client: string, request: () => Promise<Response>): Promise<Response | null> {
      const at = phase;
      try {
        const res = await request();
        const body = await res.text();
        answers.push({
          client,
          phase: at,
          status: res.status,
          contentType: res.headers.get("content-type"),
          body,
          retryAfter: res.headers.get("retry-after"),
        });
        if (res.ok) lastOk.set(client, Date.now());
        return new Response(body, { status: res.status, headers: res.headers });
      } catch (error) {
        transportErrors.push(`${client} ${at}: ${String(error)}`);
        return null;
      }
    }

    // Each refresh client keeps its chain: a failed attempt is retried with the same token, as a
    // browser does; a success moves it on.
    const chains = new Map(logins.map((l, i) => [`refresh${i}`, l.refreshToken]));
    const clients: (() => Promise<void>)[] = [];
    for (const name of chains.keys()) {
      clients.push(async () => {
        const res = await call(name, () => refresh(auth.url, chains.get(name) as string));
        if (res?.ok) chains.set(name, ((await res.json()) as { refreshToken: string }).refreshToken);
      });
    }
    const [a, b] = logins as [Login, Login];
    const bearer = (l: Login) => ({ authorization: `Bearer ${l.accessToken}` });
    clients.push(async () => {
      await call("auth /auth/me", () => fetch(`${auth.url}/auth/me`, { headers: bearer(a) }));
    });
    clients.push(async () => {
      await call("cloud /v1/me", () => fetch(`${cloud.url}/v1/me`, { headers: bearer(b) }));
    });
    let n = 0;
    clients.push(async () => {
      n += 1;
      await call("cloud PUT /v1/objects", () =>
        fetch(`${cloud.url}/v1/objects/fault-${n % 20}`, {
          method: "PUT",
          headers: { ...bearer(a), "content-type": "text/plain" },
          body: `object body ${n}`,
        }),
      );
    });
    const loops = clients.map(async (step) => {
      while (running) {
        await step();
        await delay(20);
      }
    });

    try {
      const clientNames = [...chains.keys(), "auth /auth/me", "cloud /v1/me", "cloud PUT /v1/objects"];
      // Every client works before the fault.
      const warm = Date.now();
      while (clientNames.some((c) => !lastOk.has(c)) && Date.now() - warm < 15_000) await delay(50);
      expect(clientNames.filter((c) => !lastOk.has(c))).toEqual([]);
      await delay(1_000);

      phase = "outage";
      await cluster.halt();
      await delay(OUTAGE_MS);
      phase = "recovering";
      const resumedAt = Date.now();
      await cluster.resume();
      const readyAt = Date.now();
      // Recovered: every client has had a success since the database came back, within a budget
      // counted from the moment it accepts connections again (shorter than any cache of a failure).
      while (clientNames.some((c) => (lastOk.get(c) ?? 0) < resumedAt)) {
        if (Date.now() - readyAt > RECOVERY_BUDGET_MS) {
          const stuck = clientNames.filter((c) => (lastOk.get(c) ?? 0) < resumedAt);
          const last = answers.filter((x) => stuck.includes(x.client)).slice(-4);
          throw new Error(
            `not recovered within ${RECOVERY_BUDGET_MS} ms: ${stuck.join(", ")}\n${JSON.stringify(last, null, 1)}\n` +
              `cloud:\n${cloud.proc.output().slice(-3000)}\nauth:\n${auth.proc.output().slice(-3000)}`,
          );
        }
        await delay(50);
      }
      phase = "after";
      await delay(AFTER_MS);
    } finally {
      running = false;
      await Promise.all(loops);
    }

    // The processes were never restarted and never stopped answering HTTP.
    expect(auth.proc.child.exitCode).toBeNull();
    expect(cloud.proc.child.exitCode).toBeNull();
    expect(transportErrors).toEqual([]);

    const outage = answers.filter((x) => x.phase === "outage" || x.phase === "recovering");
    const failures = outage.filter((x) => x.status >= 500);
    // The outage was felt (the load did reach the database) ...
    expect(failures.length).toBeGreaterThan(0);
    for (const client of ["refresh0", "auth /auth/me", "cloud PUT /v1/objects"]) {
      expect(failures.some((x) => x.client === client)).toBe(true);
    }
    // ... and every failure said so properly: 503 SERVICE_UNAVAILABLE problem+json, with a
    // Retry-After, no stack trace or driver message.
    const internal = [auth, cloud].flatMap((svc) =>
      svc
        .logs()
        .filter((l) => l.msg === "request failed")
        .map((l) => JSON.stringify(l.err).slice(0, 1200)),
    );
    expect(
      failures.filter((f) => f.status !== 503).map((f) => `${f.client} ${f.status}`),
      `internal errors logged:\n${internal.join("\n")}`,
    ).toEqual([]);
    for (const f of failures) {
      expect(f.contentType).toBe("application/problem+json");
      const problem = JSON.parse(f.body) as Record<string, unknown>;
      expect(problem).toMatchObject({ status: 503, code: "SERVICE_UNAVAILABLE" });
      expect(f.retryAfter).toMatch(/^\d+$/);
      expect(f.body).not.toMatch(/ECONNREFUSED|terminat|at .*\.ts:|stack|prisma|postgres/i);
    }
    // Nothing else went wrong during the outage either (no 4xx invented from a failed lookup:
    // a refresh token or session the database could not read is not "invalid").
    const other = outage.filter((x) => !x.status.toString().startsWith("2") && x.status !== 503);
    expect(other.map((x) => `${x.client} ${x.status} ${x.body.slice(0, 120)}`)).toEqual([]);

    // No 5xx storm afterwards: zero 5xx once every client had recovered.
    const after = answers.filter((x) => x.phase === "after");
    expect(after.length).toBeGreaterThan(50);
    expect(after.filter((x) => x.status >= 500).map((x) => `${x.client} ${x.status}`)).toEqual([]);
    expect(after.filter((x) => x.status >= 400).map((x) => `${x.client} ${x.status} ${x.body}`)).toEqual([]);

    // No refresh family was revoked: clients that retried a refresh after a failed attempt still
    // hold a working chain; no reuse was detected.
    const revoked = await sql(
      databaseUrl,
      `SELECT id FROM "auth"."auth_refresh_token_families" WHERE "revokedAt" IS NOT NULL
       UNION ALL SELECT id FROM "auth"."auth_sessions" WHERE "revokedAt" IS NOT NULL`,
    );
    expect(revoked).toEqual([]);
    const reuse = await sql(
      databaseUrl,
      `SELECT id FROM "auth"."auth_audit_logs" WHERE "eventType" = 'refresh_token_reuse'`,
    );
    expect(reuse).toEqual([]);
    for (const token of chains.values()) expect((await refresh(auth.url, token)).status).toBe(200);
    // One live token per family: no chain forked.
    const live = await sql<{ n: string }>(
      databaseUrl,
      `SELECT count(*) AS n FROM "auth"."auth_refresh_tokens" WHERE "usedAt" IS NULL AND "revokedAt" IS NULL
       GROUP BY "familyId" HAVING count(*) > 1`,
    );
    expect(live).toEqual([]);
  });

  it("a tenant lookup that failed while the database was down is not cached past the outage", async () => {
    // A tenant no request has named yet: its first lookup happens during the outage.
    await sql(
      databaseUrl,
      `INSERT INTO "auth"."auth_tenants" (id, name, slug, "allowedOrigins", "allowedMethods", "jwtAudience", "updatedAt")
       SELECT gen_random_uuid()::text, 'Second', 'fault-second', "allowedOrigins", "allowedMethods", 'second', now()
       FROM "auth"."auth_tenants" WHERE slug = 'default'`,
    );
    const current = () => fetch(`${auth.url}/tenants/current`, { headers: { "x-tenant": "fault-second" } });
    await cluster.halt();
    try {
      const down = await current();
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({ code: "SERVICE_UNAVAILABLE" });
    } finally {
      await cluster.resume();
    }
    // At once, not after the tenant cache's lifetime (5 s).
    const up = await current();
    expect(up.status).toBe(200);
    expect(await up.json()).toMatchObject({ slug: "fault-second" });
  });
});
