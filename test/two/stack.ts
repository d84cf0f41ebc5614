// Two of everything (issue 21 §5): 2 × service-auth and 2 × service-cloud-api as real processes
// (the production bundles, `node dist/main.js`) on one PostgreSQL database and one redis-server,
// with the peers they talk to: Resend (e-mail) and a tenant's webhook receiver.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { connectPostgres, freePort } from "@atlas/db";
import { createLogger } from "@atlas/service-kit";
import { loadAuthConfig } from "../../service-auth/src/config.ts";
import { buildDeps, closeDeps, initDeps } from "../../service-auth/src/deps.ts";
import { seedDefaults } from "../../service-auth/src/seed.ts";
import { createSession } from "../../service-auth/src/services/tokens/session.service.ts";
import { RedisServer } from "../../service-auth/test/fakes/redis-server.ts";
import { FakeResend } from "../../service-auth/test/fakes/resend.ts";
import { cloneTestDatabase, INTROSPECTION_SECRET, KEK, ROOT, sql } from "../fault/harness.ts";

/** Failed introspections per minute and IP the stack allows: the shared rate limit under test. */
export const INTROSPECTION_FAILURE_LIMIT = 6;

export interface Instance {
  name: string;
  url: string;
  child: ChildProcess;
  output(): string;
}

/** A tenant's webhook endpoint: answers 204 and keeps every delivery it received. */
export interface WebhookReceiver {
  url: string;
  received: { eventId: string; type: string; attempt: string }[];
}

export interface Stack {
  databaseUrl: string;
  /** The issuer both service-auth instances sign with (a load balancer's address in production). */
  issuer: string;
  auth: [Instance, Instance];
  cloud: [Instance, Instance];
  resend: FakeResend;
  webhooks: WebhookReceiver;
  admin: { accessToken: string; tenantId: string };
  /** Stops everything; throws when an instance did not exit cleanly (0, on SIGTERM). */
  stop(): Promise<void>;
}

/**
 * The production bundle of a service must hold what this test relies on (`pnpm run build`, which
 * `npm test` runs first, makes it): a stale bundle would fail for reasons that are not the test's.
 */
function assertBundleHas(service: string, markers: string[]): void {
  const bundle = readFileSync(join(ROOT, service, "dist/main.js"), "utf8");
  const missing = markers.filter((m) => !bundle.includes(m));
  if (missing.length > 0) {
    throw new Error(`${service}/dist/main.js predates ${missing.join(", ")}: run \`pnpm run build\` first`);
  }
}

function startBundle(name: string, service: string, port: number, env: Record<string, string>): Instance {
  const child = spawn(process.execPath, ["dist/main.js"], {
    cwd: join(ROOT, service),
    // PGAPPNAME names the process's database sessions (node-postgres reads it): the outbox probe
    // records which instance applied an event.
    env: { PATH: process.env.PATH, NODE_ENV: "test", LOG_LEVEL: "warn", PGAPPNAME: name, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  return { name, url: `http://127.0.0.1:${port}`, child, output: () => out };
}

async function ready(instance: Instance, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (instance.child.exitCode !== null)
      throw new Error(`${instance.name} exited:\n${instance.output().slice(-4000)}`);
    try {
      if ((await fetch(`${instance.url}/ready`)).status === 200) return;
    } catch {}
    if (Date.now() > deadline) throw new Error(`${instance.name} not ready:\n${instance.output().slice(-4000)}`);
    await delay(100);
  }
}

/** SIGTERM, then SIGKILL after 15 s; answers what was wrong with the shutdown (null: a clean exit 0). */
async function stopInstance(instance: Instance): Promise<string | null> {
  const { child } = instance;
  if (child.exitCode !== null || child.signalCode !== null) return `${instance.name} had exited (${child.exitCode})`;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  if (await Promise.race([exited.then(() => true), delay(15_000).then(() => false)])) {
    return child.exitCode === 0 ? null : `${instance.name} exited with ${child.exitCode}`;
  }
  child.kill("SIGKILL");
  return `${instance.name} did not stop on SIGTERM within 15 s`;
}

async function startReceiver(): Promise<WebhookReceiver & { server: Server }> {
  const received: WebhookReceiver["received"] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      received.push({
        eventId: String(req.headers["atlas-event-id"]),
        type: String(req.headers["atlas-event-type"]),
        attempt: String(req.headers["atlas-delivery-attempt"]),
      });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, received, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks` };
}

/**
 * Records every transition of an outbox event to `processed` with the database session's
 * application name: an event applied twice (two consumers, or one twice) leaves two rows.
 */
async function installOutboxProbe(databaseUrl: string): Promise<void> {
  await sql(
    databaseUrl,
    `CREATE TABLE public.two_applied (id bigserial PRIMARY KEY, "eventId" text NOT NULL, "eventType" text NOT NULL,
       app text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())`,
  );
  await sql(
    databaseUrl,
    `CREATE FUNCTION public.two_applied_probe() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       INSERT INTO public.two_applied ("eventId", "eventType", app)
       VALUES (NEW."id", NEW."eventType", current_setting('application_name'));
       RETURN NEW;
     END $$`,
  );
  await sql(
    databaseUrl,
    `CREATE TRIGGER two_applied_probe AFTER UPDATE ON "billing"."billing_events"
       FOR EACH ROW WHEN (NEW."processed") EXECUTE FUNCTION public.two_applied_probe()`,
  );
}

/** Seeds the default tenant, a signing key and an admin's session, before service-auth starts. */
async function seedAdmin(databaseUrl: string, env: Record<string, string>) {
  const config = loadAuthConfig(env);
  const deps = buildDeps(config, connectPostgres(databaseUrl, "auth", { max: 2 }), {
    logger: createLogger({ name: "two", level: "silent" }),
  });
  try {
    await seedDefaults(deps.prisma, config);
    await initDeps(deps);
    const tenant = await deps.prisma.tenant.findUniqueOrThrow({ where: { slug: "default" } });
    const user = await deps.prisma.user.create({
      data: { tenantId: tenant.id, email: `admin-${randomBytes(4).toString("hex")}@example.test`, roles: ["admin"] },
    });
    const s = await createSession(deps, {
      user,
      audience: tenant.jwtAudience,
      amr: ["email"],
      context: { ipAddress: "127.0.0.1", userAgent: "two-of-everything", deviceHash: null },
    });
    return { accessToken: s.accessToken, tenantId: tenant.id };
  } finally {
    await closeDeps(deps);
  }
}

export async function startStack(): Promise<Stack> {
  assertBundleHas("service-auth", ["DUNNING_INTERVAL_SEC", "AdvisoryLeader"]);
  assertBundleHas("service-cloud-api", ["AdvisoryLeader"]);
  const db = await cloneTestDatabase("two");
  await installOutboxProbe(db.url);
  const [redis, resend, receiver] = await Promise.all([RedisServer.start(), FakeResend.start(), startReceiver()]);
  const ports = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const [authA, authB, cloudA, cloudB] = ports as [number, number, number, number];
  const issuer = `http://127.0.0.1:${authA}`;
  const authEnv = (port: number): Record<string, string> => ({
    NODE_ENV: "test",
    DATABASE_URL: db.url,
    PORT: String(port),
    PUBLIC_URL: issuer,
    KEY_ENCRYPTION_KEYS: KEK,
    INTROSPECTION_CLIENTS: `service-cloud-api:${INTROSPECTION_SECRET}`,
    REDIS_URL: redis.url,
    RESEND_API_KEY: "re_two_of_everything",
    RESEND_BASE_URL: resend.url,
    // A replayed refresh token is reuse at once (no concurrent-tab grace).
    REFRESH_GRACE_SEC: "0",
    RATE_LIMIT_INTROSPECTION_FAILURES_PER_MIN_IP: String(INTROSPECTION_FAILURE_LIMIT),
    RATE_LIMIT_TOKEN_PER_MIN: "100000",
    RATE_LIMIT_LOGIN_PER_MIN_IP: "100000",
    RATE_LIMIT_LOGIN_PER_MIN_TENANT: "100000",
    RATE_LIMIT_LOGIN_START_PER_HOUR: "100000",
    TENANT_WEBHOOK_POLL_MS: "200",
    DUNNING_INTERVAL_SEC: "1",
    BILLING_RECONCILE_INTERVAL_SEC: "1",
  });
  const cloudEnv = (port: number, authUrl: string): Record<string, string> => ({
    DATABASE_URL: db.url,
    PORT: String(port),
    AUTH_URL: authUrl,
    AUTH_ISSUER: issuer,
    INTROSPECTION_CLIENT_SECRET: INTROSPECTION_SECRET,
    BILLING_JOB_INTERVAL_SEC: "1",
    RECONCILE_INTERVAL_SEC: "1",
    INVOICE_GRACE_SEC: "0",
    OUTBOX_POLL_INTERVAL_MS: "200",
    QUOTA_CACHE_MS: "0",
  });
  const admin = await seedAdmin(db.url, authEnv(authA));
  const instances: Instance[] = [];
  const stop = async () => {
    const problems = (await Promise.all(instances.map(stopInstance))).filter((p) => p !== null);
    await Promise.all([redis.stop(), resend.stop(), new Promise((r) => receiver.server.close(r))]);
    await db.drop();
    // Every instance drains its jobs, consumers and leader sessions and exits 0 on SIGTERM.
    if (problems.length > 0) throw new Error(problems.join("; "));
  };
  try {
    const auth: [Instance, Instance] = [
      startBundle("auth-a", "service-auth", authA, authEnv(authA)),
      startBundle("auth-b", "service-auth", authB, authEnv(authB)),
    ];
    instances.push(...auth);
    await Promise.all(auth.map((i) => ready(i)));
    const cloud: [Instance, Instance] = [
      startBundle("cloud-a", "service-cloud-api", cloudA, cloudEnv(cloudA, auth[0].url)),
      startBundle("cloud-b", "service-cloud-api", cloudB, cloudEnv(cloudB, auth[1].url)),
    ];
    instances.push(...cloud);
    await Promise.all(cloud.map((i) => ready(i)));
    return { databaseUrl: db.url, issuer, auth, cloud, resend, webhooks: receiver, admin, stop };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

/** Polls `check` every 50 ms until it answers a value (not undefined), or throws after `timeoutMs`. */
export async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(50);
  }
}

export const jsonPost = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});

export { sql };
