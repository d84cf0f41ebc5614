// `pnpm bench:scaling` (issue 20 item 5): how each cost grows with the data. Refresh, /v1/me and
// login throughput with SCALE_USERS_SMALL (10k) then SCALE_USERS (1M) users and sessions; audit
// list latency with SCALE_AUDIT_ROWS (10M) audit rows; invoice finalization for SCALE_CUSTOMERS
// (10k) customers; EXPLAIN of the SQL on those paths. Writes the "Scaling" section of RESULTS.md.
import { execSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { connectPostgres } from "@atlas/db";
import pg from "pg";
import { generatePrivateKey } from "viem/accounts";
import { finalizeDueInvoices } from "../service-cloud-api/src/services/invoicing/finalize-invoice.ts";
import { siweLogins } from "./auth-extra.ts";
import { writeResultsSection } from "./results-sections.ts";
import {
  type Explained,
  explain,
  type LoadFigure,
  load,
  refreshLoad,
  rotatingBearer,
  siweCliLogin,
} from "./scaling-probe.ts";
import { AUTH_BIG_TABLES, auditQueries, authPathQueries, CLOUD_BIG_TABLES, invoiceQueries } from "./scaling-queries.ts";
import { type AuthFigures, scalingReport } from "./scaling-report.ts";
import { seedAudit, seedInvoicing, seedUsers } from "./scaling-seed.ts";
import { root, type ServiceInstances, serverErrors, startDatabase, startRedis, startServices } from "./stack.ts";

const SMALL = Number(process.env.SCALE_USERS_SMALL ?? 10_000);
const LARGE = Number(process.env.SCALE_USERS ?? 1_000_000);
const AUDIT_ROWS = Number(process.env.SCALE_AUDIT_ROWS ?? 10_000_000);
const CUSTOMERS = Number(process.env.SCALE_CUSTOMERS ?? 10_000);
const USAGE_HOURS = Number(process.env.SCALE_USAGE_HOURS ?? 72);
const SECONDS = Number(process.env.SCALE_SECONDS ?? 8);

/**
 * 32 new refresh-token chains (SIWE logins). A run ends with requests in flight whose successors
 * never come back, so each run gets its own chains.
 */
async function freshChains(authUrl: string): Promise<string[]> {
  return (await Promise.all(Array.from({ length: 32 }, () => siweCliLogin(authUrl)))).map((l) => l.refreshToken);
}

async function measureAuth(authUrl: string, cloudUrl: string, users: number, seedMs: number) {
  console.log(`\nwith ${users.toLocaleString("en")} seeded users and sessions:`);
  const refresh = await refreshLoad(authUrl, SECONDS, await freshChains(authUrl));
  // 64 users: each free-plan user's 10,000 metered requests leave room for the whole run.
  const access = await Promise.all(Array.from({ length: 64 }, () => siweCliLogin(authUrl)));
  const me = await load("cloud-api GET /v1/me (JWT)", SECONDS, {
    url: `${cloudUrl}/v1/me`,
    connections: 32,
    requests: [{ method: "GET", setupRequest: rotatingBearer(access.map((a) => a.accessToken)) }],
  });
  const l = await siweLogins(authUrl, SECONDS);
  const failures = Object.values(l.failures).reduce((a, b) => a + b, 0);
  if (failures) console.log("  login failures", l.failures);
  console.log(`  SIWE logins ${l.perSecond.toFixed(1)}/s, verify p99 ${l.verify.p99Ms.toFixed(0)} ms`);
  return {
    users,
    seedMs,
    refresh,
    me,
    login: { perSecond: l.perSecond, p50: l.verify.p50Ms, p99: l.verify.p99Ms, failures },
  } satisfies AuthFigures;
}

async function main() {
  execSync("pnpm run build", { cwd: root, stdio: "inherit" });
  const loadStart = loadavg()[0] ?? 0;
  const db = await startDatabase("atlas_scaling");
  const redis = await startRedis();
  const sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  const explains: Explained[] = [];
  let services: ServiceInstances | null = null;
  try {
    services = await startServices({ databaseUrl: db.url, redisUrl: redis.url, instances: 1, nodeEnv: "production" });
    const [authUrl, cloudUrl] = [services.authUrls[0] as string, services.cloudUrls[0] as string];
    const tenantId = (await sql.query<{ id: string }>(`SELECT id FROM "auth"."auth_tenants" WHERE slug = 'default'`))
      .rows[0]?.id as string;
    const logins = await Promise.all(Array.from({ length: 32 }, () => siweCliLogin(authUrl)));
    // Warm-up (JIT, pools, the JWKS fetch), not reported: the first measured run would pay for it.
    console.log("warm-up…");
    await refreshLoad(authUrl, 3, await freshChains(authUrl));
    await load("warm-up GET /v1/me", 3, {
      url: `${cloudUrl}/v1/me`,
      requests: [{ method: "GET", setupRequest: rotatingBearer(logins.map((l) => l.accessToken)) }],
    });
    await siweLogins(authUrl, 3);

    // Users and sessions: the small size, then grown to the large one.
    console.log(`seeding ${SMALL.toLocaleString("en")} users…`);
    const auth = [await measureAuth(authUrl, cloudUrl, SMALL, await seedUsers(sql, tenantId, 0, SMALL))];
    console.log(`seeding up to ${LARGE.toLocaleString("en")} users…`);
    auth.push(await measureAuth(authUrl, cloudUrl, LARGE, await seedUsers(sql, tenantId, SMALL, LARGE)));
    const mid = Math.floor(LARGE / 2);
    const [seeded] = (
      await sql.query<{ tokenHash: string; userId: string; sessionId: string }>(
        `SELECT encode(sha256(('bench-rt-' || $1::int)::bytea), 'hex') AS "tokenHash", md5('u' || $1::int)::uuid::text AS "userId",
                md5('s' || $1::int)::uuid::text AS "sessionId"`,
        [mid],
      )
    ).rows;
    for (const q of authPathQueries(seeded as { tokenHash: string; userId: string; sessionId: string }))
      explains.push(await explain(sql, q.name, q.sql, q.params, AUTH_BIG_TABLES));

    // Audit: a real account (the probe, made a platform admin) owns 1 row in 1,000.
    const probeKey = generatePrivateKey();
    const probe = await siweCliLogin(authUrl, probeKey);
    await sql.query(`UPDATE "auth"."auth_users" SET roles = ARRAY['admin'] WHERE id = $1`, [probe.userId]);
    const admin = await siweCliLogin(authUrl, probeKey);
    const smallTenant = "00000000-0000-4000-8000-00000000beef";
    console.log(`seeding ${AUDIT_ROWS.toLocaleString("en")} audit rows…`);
    const auditSeedMs = await seedAudit(sql, {
      count: AUDIT_ROWS,
      tenantId,
      smallTenant,
      users: LARGE,
      probeUserId: probe.userId,
    });
    console.log("\nwith the audit rows:");
    const loginAfterAudit = await siweLogins(authUrl, SECONDS);
    console.log(`  SIWE logins ${loginAfterAudit.perSecond.toFixed(1)}/s`);
    const bearer = { authorization: `Bearer ${admin.accessToken}` };
    const firstPage = (await (
      await fetch(`${authUrl}/admin/audit?tenantId=${tenantId}`, { headers: bearer })
    ).json()) as {
      nextCursor: string;
    };
    const routes: [string, string][] = [
      ["GET /auth/audit (own events)", "/auth/audit"],
      ["GET /auth/audit?eventType=login_failure", "/auth/audit?eventType=login_failure"],
      ["GET /admin/audit (platform admin, every tenant)", "/admin/audit"],
      ["GET /admin/audit?tenantId= (large tenant)", `/admin/audit?tenantId=${tenantId}`],
      ["GET /admin/audit?tenantId= (small tenant)", `/admin/audit?tenantId=${smallTenant}`],
      [
        "GET /admin/audit?tenantId=&eventType=login_failure",
        `/admin/audit?tenantId=${tenantId}&eventType=login_failure`,
      ],
      ["GET /admin/audit?eventType=login_failure (every tenant)", "/admin/audit?eventType=login_failure"],
      [
        "GET /admin/audit?tenantId=, page 2 (cursor)",
        `/admin/audit?tenantId=${tenantId}&cursor=${encodeURIComponent(firstPage.nextCursor)}`,
      ],
    ];
    const audit: LoadFigure[] = [];
    for (const [name, path] of routes) {
      audit.push(
        await load(name, Math.max(3, SECONDS / 2), { url: `${authUrl}${path}`, connections: 4, headers: bearer }),
      );
    }
    const [cursorRow] = (
      await sql.query<{ createdAt: Date; id: string }>(
        `SELECT "createdAt", id FROM "auth"."auth_audit_logs" WHERE "tenantId" = $1 ORDER BY "createdAt" DESC, id DESC OFFSET 50 LIMIT 1`,
        [tenantId],
      )
    ).rows;
    for (const q of auditQueries({ probeUserId: probe.userId, tenantId, smallTenant, cursor: cursorRow as never }))
      explains.push(await explain(sql, q.name, q.sql, q.params, AUTH_BIG_TABLES));
    await services.stop();
    services = null;

    // Invoicing: ended periods of CUSTOMERS customers, finalized by cloud-api's job function.
    const periodEnd = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 3_600_000);
    const periodStart = new Date(periodEnd.getTime() - 30 * 86_400_000);
    console.log(`\nseeding ${CUSTOMERS.toLocaleString("en")} customers' billing periods and usage…`);
    const invoiceSeedMs = await seedInvoicing(sql, {
      tenantId,
      customers: CUSTOMERS,
      hours: USAGE_HOURS,
      periodStart,
      periodEnd,
    });
    const [first] = (
      await sql.query<{ id: string; userId: string }>(
        `SELECT id, "userId" FROM "cloud"."cloud_billing_periods" ORDER BY id LIMIT 1`,
      )
    ).rows;
    for (const q of invoiceQueries({
      periodId: first?.id as string,
      tenantId,
      userId: first?.userId as string,
      from: periodStart,
      to: periodEnd,
    }))
      explains.push(await explain(sql, q.name, q.sql, q.params, CLOUD_BIG_TABLES));
    const cloudDb = connectPostgres(db.url, "cloud", { max: 4 });
    const batches: number[] = [];
    const t0 = performance.now();
    for (;;) {
      const tb = performance.now();
      const created = await finalizeDueInvoices(cloudDb, new Date(), 0);
      if (created.length === 0) break;
      batches.push((performance.now() - tb) / created.length);
      process.stdout.write(`\r  finalized ${batches.length} batch(es), last ${created.length} invoices   `);
    }
    const finalizeMs = performance.now() - t0;
    await cloudDb.close();
    const invoices = Number(
      (
        await sql.query<{ n: string }>(
          `SELECT count(*)::text AS n FROM "cloud"."cloud_invoices" WHERE status = 'finalized'`,
        )
      ).rows[0]?.n,
    );
    // The steady state the job meets on every run: (almost) every period already invoiced.
    await sql.query(`ANALYZE "cloud"."cloud_billing_periods"`); // as autovacuum would after 10k updates
    const [due] = invoiceQueries({ periodId: "", tenantId, userId: "", from: periodStart, to: periodEnd });
    if (due)
      explains.push(await explain(sql, `${due.name}, after finalization`, due.sql, due.params, CLOUD_BIG_TABLES));
    console.log(`\n  ${invoices} invoices finalized in ${(finalizeMs / 1000).toFixed(1)} s`);
    if (invoices !== CUSTOMERS) throw new Error(`expected ${CUSTOMERS} finalized invoices, found ${invoices}`);

    const section = scalingReport({
      generatedAt: new Date().toISOString(),
      cores: cpus().length,
      seconds: SECONDS,
      loadStart,
      loadEnd: loadavg()[0] ?? 0,
      auth,
      loginAfterAudit: { perSecond: loginAfterAudit.perSecond, p99: loginAfterAudit.verify.p99Ms },
      auditRows: AUDIT_ROWS,
      auditSeedMs,
      audit,
      invoicing: { customers: CUSTOMERS, hours: USAGE_HOURS, seedMs: invoiceSeedMs, finalizeMs, perInvoiceMs: batches },
      explains,
    });
    writeResultsSection("scaling", section);
    console.log(`\n${section}`);
  } catch (e) {
    if (services) {
      const outputs = [
        { name: "service-auth", text: services.auth[0]?.output() ?? "" },
        { name: "cloud-api", text: services.cloud[0]?.output() ?? "" },
      ];
      for (const [line, count] of serverErrors(outputs)) console.error(`${count} × ${line}`);
    }
    throw e;
  } finally {
    await services?.stop();
    await sql.end();
    await redis.stop();
    await db.drop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
