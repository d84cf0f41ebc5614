// docker-compose.yml without a Docker engine (.ci/run has none): it parses, its build contexts,
// Dockerfiles and env files exist, every service waits for the one-shot `migrate`, health checks
// ask /ready. Then the entry points the images run start, as the stack would: the same bundles
// (built as the Dockerfiles build them) under plain `node` on the test PostgreSQL: `migrate`
// first (it must exit 0), then both services, until /ready answers 200.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { freePort, quoteIdent, withDatabase } from "@atlas/db";
import { waitForHttpOk } from "@atlas/service-kit/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { bundleDirName, bundleLikeTheImage, ROOT, read, removeBundle } from "./images/bundle.ts";

interface ComposeService {
  build?: { context: string; dockerfile: string };
  image?: string;
  command?: string[];
  env_file?: (string | { path: string; required?: boolean })[] | string;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
}

const text = read("docker-compose.yml");
const compose = parseYaml(text) as { services: Record<string, ComposeService> };
const services = compose.services;
const OUT = bundleDirName();
const CONDITIONS = ["service_started", "service_healthy", "service_completed_successfully"];

/** Every service `name` waits for, directly or through others (throws on a cycle). */
function waitsFor(name: string, seen: string[] = []): Set<string> {
  if (seen.includes(name)) throw new Error(`depends_on cycle: ${[...seen, name].join(" → ")}`);
  const all = new Set<string>();
  for (const dep of Object.keys(services[name]?.depends_on ?? {})) {
    all.add(dep);
    for (const d of waitsFor(dep, [...seen, name])) all.add(d);
  }
  return all;
}

describe("docker-compose.yml", () => {
  it("parses; build contexts, Dockerfiles and env files exist; interpolated variables are documented in .env.example", () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining(["postgres", "redis", "migrate", "service-auth", "service-cloud-api", "web-app"]),
    );
    for (const [name, svc] of Object.entries(services)) {
      expect(svc.build ?? svc.image, `${name} has neither build nor image`).toBeDefined();
      if (svc.build) {
        expect(statSync(join(ROOT, svc.build.context)).isDirectory(), `${name} context`).toBe(true);
        expect(existsSync(join(ROOT, svc.build.context, svc.build.dockerfile)), `${name} Dockerfile`).toBe(true);
      }
      const envFiles = svc.env_file === undefined ? [] : Array.isArray(svc.env_file) ? svc.env_file : [svc.env_file];
      for (const f of envFiles) {
        const entry = typeof f === "string" ? { path: f, required: true } : f;
        if (entry.required !== false)
          expect(existsSync(join(ROOT, entry.path)), `${name} env_file ${entry.path}`).toBe(true);
      }
    }
    const documented = new Set([...read(".env.example").matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    for (const m of text.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g))
      expect(documented, `${m[1]} in .env.example`).toContain(m[1]);
  });

  it("migrate is a one-shot of service-auth's image running dist/migrate.js, and every built service waits for it", () => {
    const migrate = services.migrate as ComposeService;
    expect(migrate.build).toEqual(services["service-auth"]?.build);
    expect(migrate.command).toEqual(["node", "dist/migrate.js"]);
    expect(migrate.healthcheck?.disable).toBe(true);
    expect(migrate.environment).toEqual(services["service-auth"]?.environment);
    expect(Object.keys(migrate.depends_on ?? {})).toContain("postgres");
    for (const [name, svc] of Object.entries(services)) {
      for (const [dep, { condition }] of Object.entries(svc.depends_on ?? {})) {
        expect(services[dep], `${name} depends on unknown ${dep}`).toBeDefined();
        expect(CONDITIONS).toContain(condition);
        if (dep === "migrate") expect(condition).toBe("service_completed_successfully");
      }
      if (svc.build && name !== "migrate") expect(waitsFor(name), `${name} waits for migrate`).toContain("migrate");
    }
    for (const name of ["service-auth", "service-cloud-api"]) {
      expect(services[name]?.depends_on?.migrate?.condition).toBe("service_completed_successfully");
    }
  });

  it("health checks of the built services ask /ready on their own PORT; METRICS_PORT is set and not published", () => {
    for (const [name, svc] of Object.entries(services)) {
      if (!svc.build || name === "migrate") continue;
      const probe = (svc.healthcheck?.test ?? []).join(" ");
      expect(probe, name).toContain(`http://127.0.0.1:${svc.environment?.PORT}/ready`);
      expect(svc.healthcheck?.test?.[0]).toBe("CMD");
      if (name.startsWith("service-")) {
        expect(svc.environment?.METRICS_PORT).toMatch(/^\d+$/);
        expect(text).not.toContain(`"${svc.environment?.METRICS_PORT}:`);
      }
    }
  });
});

describe("the images' entry points (node dist/migrate.js, node dist/main.js)", () => {
  const { serverUrl } = inject("atlasPostgres");
  const database = `atlas_entry_${randomBytes(4).toString("hex")}`;
  const children: ChildProcess[] = [];
  let url: string;

  function start(dir: string, file: string, env: Record<string, string>) {
    const child = spawn(process.execPath, [join(ROOT, dir, OUT, file)], {
      cwd: join(ROOT, dir),
      env: { PATH: process.env.PATH, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    let out = "";
    child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    return { child, output: () => out, exited };
  }

  async function admin(sql: string) {
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    await c.query(sql).finally(() => c.end());
  }

  beforeAll(async () => {
    for (const dir of ["service-auth", "service-cloud-api"]) bundleLikeTheImage(dir, OUT);
    await admin(`CREATE DATABASE ${quoteIdent(database)}`);
    url = withDatabase(serverUrl, database);
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    for (const dir of ["service-auth", "service-cloud-api"]) removeBundle(dir, OUT);
    await admin(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
  });

  it("migrate exits 0 on a fresh database, then both services answer /ready 200 and serve /metrics only on METRICS_PORT", async () => {
    const secret = randomBytes(32).toString("base64url");
    const [authPort, authMetrics, cloudPort, cloudMetrics] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const publicUrl = "https://auth.example.test";
    const authEnv = {
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      HOST: "127.0.0.1",
      PORT: String(authPort),
      METRICS_PORT: String(authMetrics),
      DATABASE_URL: url,
      PUBLIC_URL: publicUrl,
      KEY_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString("base64")}`,
      INTROSPECTION_CLIENTS: `service-cloud-api:${secret}`,
    };
    const migrate = start("service-auth", "migrate.js", authEnv);
    expect(await migrate.exited, migrate.output()).toBe(0);
    expect(migrate.output()).toMatch(/^auth: applied \d{14}_init/m);
    expect(migrate.output()).toMatch(/^cloud: applied \d{14}_init/m);

    const auth = start("service-auth", "main.js", authEnv);
    await waitForHttpOk(`http://127.0.0.1:${authPort}/ready`, 90_000, auth);
    const cloud = start("service-cloud-api", "main.js", {
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      HOST: "127.0.0.1",
      PORT: String(cloudPort),
      METRICS_PORT: String(cloudMetrics),
      DATABASE_URL: url,
      AUTH_URL: `http://127.0.0.1:${authPort}`,
      AUTH_ISSUER: publicUrl,
      INTROSPECTION_CLIENT_SECRET: secret,
    });
    const ready = await waitForHttpOk(`http://127.0.0.1:${cloudPort}/ready`, 90_000, cloud);
    expect(await ready.json()).toMatchObject({
      status: "ready",
      checks: { database: { status: "ok" }, jwks: { status: "ok" } },
    });

    for (const [port, metrics] of [
      [authPort, authMetrics],
      [cloudPort, cloudMetrics],
    ]) {
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
      const scraped = await fetch(`http://127.0.0.1:${metrics}/metrics`);
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toMatch(/^http_requests_total\{[^}]*route="\/ready"[^}]*\} \d+$/m);
    }

    for (const p of [cloud, auth]) {
      p.child.kill("SIGTERM");
      expect(await p.exited, p.output()).toBe(0);
    }
  });
});
