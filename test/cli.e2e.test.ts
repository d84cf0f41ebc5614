// The `atlas` CLI end to end: the bundled bin runs as a real child process against the real
// service-auth and service-cloud-api over HTTP on 127.0.0.1 (real Postgres). A signed-in user
// approves the device login through the API, as the web-app's approval page does.
import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectPostgres, freePort } from "@atlas/db";
import { workerDatabaseUrl } from "@atlas/db/testing";
import { createLogger, type RunningServer, startHttpServer } from "@atlas/service-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error build.mjs is plain JavaScript without type declarations
import { buildCli } from "../packages/cli/build.mjs";
import { billingConsumer } from "../service-auth/src/services/billing/jobs.ts";
import { emitInvoiceFinalized } from "../service-auth/test/billing-fixtures.ts";
import { jsonPost, loginTestUser } from "../service-auth/test/fixtures.ts";
import { createTestApp, INTROSPECTION_SECRET, type TestApp } from "../service-auth/test/harness.ts";
import { createApp as createCloudApp } from "../service-cloud-api/src/app.ts";
import { loadCloudConfig } from "../service-cloud-api/src/config.ts";
import { buildDeps, type Deps as CloudDeps, closeDeps } from "../service-cloud-api/src/deps.ts";

let auth: TestApp;
let authServer: RunningServer;
let cloudServer: RunningServer;
let cloudDeps: CloudDeps;
let authUrl: string;
let apiUrl: string;
let bin: string;
let home: string;

/**
 * A clock that ticks in real time from wherever a test sets it: the CLI polls on the wall clock,
 * so the services' clock must move too (setting `clock.now` still jumps it, e.g. past a cache TTL).
 */
function tickingClock(clock: { now: Date }) {
  let base = clock.now.getTime();
  let start = Date.now();
  Object.defineProperty(clock, "now", {
    get: () => new Date(base + (Date.now() - start)),
    set: (d: Date) => {
      base = d.getTime();
      start = Date.now();
    },
  });
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "atlas-cli-e2e-"));
  bin = await buildCli(join(home, "atlas.mjs"));
  const authPort = await freePort();
  authUrl = `http://127.0.0.1:${authPort}`;
  auth = await createTestApp({ env: { PUBLIC_URL: authUrl, DEVICE_POLL_INTERVAL_SEC: "1" } });
  tickingClock(auth.clock);
  await auth.reset();
  authServer = await startHttpServer((req, env) => auth.app.fetch(req, env), authPort, "127.0.0.1");

  const url = await workerDatabaseUrl();
  const config = loadCloudConfig({
    DATABASE_URL: url,
    AUTH_URL: authUrl,
    INTROSPECTION_CLIENT_SECRET: INTROSPECTION_SECRET,
    JWKS_COOLDOWN_SEC: "0",
  });
  cloudDeps = buildDeps(
    config,
    connectPostgres(url, "cloud", { max: 4 }),
    createLogger({ name: "c", level: "silent" }),
  );
  cloudDeps.now = () => auth.clock.now;
  const cloud = createCloudApp(cloudDeps);
  const cloudPort = await freePort();
  apiUrl = `http://127.0.0.1:${cloudPort}`;
  cloudServer = await startHttpServer((req, env) => cloud.fetch(req, env), cloudPort, "127.0.0.1");
});
afterAll(async () => {
  await cloudServer?.close();
  await authServer?.close();
  if (cloudDeps) await closeDeps(cloudDeps);
  await auth?.close();
  await rm(home, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const env = () => ({
  PATH: process.env.PATH ?? "",
  HOME: home,
  XDG_CONFIG_HOME: join(home, "config"),
  ATLAS_AUTH_URL: authUrl,
  ATLAS_API_URL: apiUrl,
});

function start(
  args: string[],
  extraEnv: Record<string, string> = {},
): { child: ChildProcess; done: Promise<Run>; stderr: () => string } {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { ...env(), ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const done = new Promise<Run>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done, stderr: () => stderr };
}
const atlas = (...args: string[]) => start(args).done;

async function waitFor<T>(probe: () => T | undefined, what: string, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs `atlas login`, approves (or denies) its code as `user`, and returns the finished run. */
async function loginAs(userAuth: Record<string, string>, decision: "approve" | "deny", scopes?: string) {
  const run = start(["login", ...(scopes ? ["--scopes", scopes] : [])]);
  const userCode = await waitFor(
    () => /enter the code: ([A-Z]{4}-[A-Z]{4})/.exec(run.stderr())?.[1],
    `the user code (stderr so far: ${run.stderr()})`,
  );
  expect(run.stderr()).toContain(`/device?user_code=${userCode}`);
  const res = await auth.app.request(`/auth/device/${decision}`, jsonPost({ user_code: userCode }, userAuth));
  expect(res.status).toBe(200);
  return run.done;
}

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("atlas CLI against the real services", () => {
  it("login → whoami → 10 MB put/get byte-identical → pat revoke stops the stored token", async () => {
    const me = await loginTestUser(auth);
    const login = await loginAs(me.auth, "approve");
    expect(login.stderr).not.toContain("error");
    expect(login.code).toBe(0);
    expect(login.stdout).toContain("Logged in");

    // The token is stored only for the user: 0600 in a 0700 folder.
    const configFile = join(home, "config", "atlas", "config.json");
    expect((await stat(configFile)).mode & 0o777).toBe(0o600);
    expect((await stat(join(home, "config", "atlas"))).mode & 0o777).toBe(0o700);
    const stored = JSON.parse(await readFile(configFile, "utf8")) as { token: string; patId: string };
    expect(stored.token).toMatch(/^atlas_pat_/);

    const who = await atlas("whoami", "--json");
    expect(who.code).toBe(0);
    expect(JSON.parse(who.stdout)).toMatchObject({
      sub: me.user.id,
      email: me.user.email,
      method: "pat",
      tokenSource: "config",
    });

    const data = randomBytes(10_000_000);
    const src = join(home, "big.bin");
    const out = join(home, "big.out");
    await writeFile(src, data);
    const put = await atlas("objects", "put", "big file.bin", src, "--json");
    expect(put.stderr).toBe("");
    expect(put.code).toBe(0);
    expect(JSON.parse(put.stdout)).toMatchObject({ key: "big file.bin", sizeBytes: 10_000_000, sha256: sha(data) });
    const get = await atlas("objects", "get", "big file.bin", out);
    expect(get.code).toBe(0);
    const back = await readFile(out);
    expect(back.length).toBe(data.length);
    expect(sha(back)).toBe(sha(data));
    expect(back.equals(data)).toBe(true);

    const ls = await atlas("objects", "ls");
    expect(ls.stdout).toContain("big file.bin");
    expect(ls.stdout).toContain("9.5 MiB");

    const pats = JSON.parse((await atlas("pat", "list", "--json")).stdout) as { items: { id: string; name: string }[] };
    expect(pats.items).toEqual([
      expect.objectContaining({ id: stored.patId, name: expect.stringMatching(/^Atlas CLI on /) }),
    ]);
    const revoke = await atlas("pat", "revoke", stored.patId);
    expect(revoke.code).toBe(0);
    expect(revoke.stdout).toContain("that was this login's token");

    // cloud-api caches a live introspection answer for up to 30 s: move past it.
    auth.clock.now = new Date(auth.clock.now.getTime() + 31_000);
    const after = await atlas("whoami");
    // Refused token: exit 3, the failed answer's X-Request-Id on the error line.
    expect(after.code).toBe(3);
    expect(after.stderr).toMatch(/^error: .*INVALID_TOKEN.* \[request id [\w-]+\]$/m);
    expect(after.stderr).toContain("atlas login");
    expect((await atlas("pat", "list")).code).toBe(3);
  });

  it("a denied login stores nothing and says so; logout revokes the token and deletes it", async () => {
    const me = await loginTestUser(auth);
    const configFile = join(home, "config", "atlas", "config.json");
    await rm(configFile, { force: true });
    const denied = await loginAs(me.auth, "deny");
    expect(denied.code).toBe(3);
    expect(denied.stderr).toContain("denied");
    await expect(stat(configFile)).rejects.toThrow();

    const ok = await loginAs(me.auth, "approve", "profile:read,usage:read,billing:read");
    expect(ok.code).toBe(0);
    const { token } = JSON.parse(await readFile(configFile, "utf8")) as { token: string };
    // Scopes are what was asked: objects are out of reach of this token.
    const put = await atlas("objects", "ls");
    expect(put.code).toBe(3);
    expect(put.stderr).toContain("FORBIDDEN");
    expect(put.stderr).toMatch(/\[request id [\w-]+\]/);
    const usage = await atlas("usage", "--json");
    expect(usage.code).toBe(0);
    expect(JSON.parse(usage.stdout)).toMatchObject({ granularity: "day" });
    expect((await atlas("usage")).stdout).toContain("REQUESTS");
    const inv = await atlas("invoices", "--json");
    expect(JSON.parse(inv.stdout)).toEqual({ items: [] });

    const out = await atlas("logout");
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("revoked");
    await expect(stat(configFile)).rejects.toThrow();
    const pats = (await (await auth.app.request("/auth/pats", { headers: me.auth })).json()) as { items: unknown[] };
    expect(pats.items).toEqual([]);
    // ATLAS_TOKEN overrides (here: the revoked token, refused).
    auth.clock.now = new Date(auth.clock.now.getTime() + 31_000);
    const viaEnv = spawn(process.execPath, [bin, "whoami"], { env: { ...env(), ATLAS_TOKEN: token } });
    const code = await new Promise<number | null>((r) => viaEnv.on("close", r));
    expect(code).toBe(3);
  });

  it("atlas admin outbox: a platform admin's access token lists, retries and discards a parked event; PATs and users are refused", async () => {
    // An invoice of a user who does not exist: the charge saga parks it at once (poison).
    const tenant = await auth.deps.prisma.tenant.findUniqueOrThrow({ where: { slug: "default" } });
    const invoiceId = await emitInvoiceFinalized(auth, {
      tenantId: tenant.id,
      userId: "no-such-user",
      totalMinor: 900,
    });
    const consumer = billingConsumer(auth.deps, { listen: false });
    expect(await consumer?.drain()).toMatchObject({ parked: 1 });
    const event = await auth.deps.prisma.billingEvent.findFirstOrThrow({
      where: { aggregateKey: `invoice:${invoiceId}` },
    });
    const admin = await loginTestUser(auth, { roles: ["admin"] });
    const asAdmin = { ATLAS_TOKEN: admin.tokens.accessToken };

    const listed = await start(["admin", "outbox", "list", "--json"], asAdmin).done;
    expect(listed.stderr).toBe("");
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual({
      items: [
        expect.objectContaining({
          id: event.id,
          eventType: "invoice.finalized",
          attempts: 1,
          lastError: expect.stringContaining("unknown user"),
          payload: expect.objectContaining({ invoiceId }),
        }),
      ],
      nextCursor: null,
    });
    const human = await start(["admin", "outbox", "ls"], asAdmin).done;
    expect(human.stdout).toContain(event.id);
    expect(human.stdout).toContain("LAST ERROR");

    const retried = await start(["admin", "outbox", "retry", event.id, "--reason", "user restored"], asAdmin).done;
    expect(retried.code).toBe(0);
    expect(retried.stdout).toContain("Queued invoice.finalized");
    expect(await auth.deps.prisma.billingEvent.findUniqueOrThrow({ where: { id: event.id } })).toMatchObject({
      parkedAt: null,
      attempts: 0,
    });
    // The cause was not fixed after all: the consumer parks it again; then it is discarded.
    expect(await consumer?.drain()).toMatchObject({ parked: 1 });
    const noReason = await start(["admin", "outbox", "discard", event.id], asAdmin).done;
    expect(noReason.code).toBe(1);
    expect(noReason.stderr).toContain("--reason");
    const discarded = await start(
      ["admin", "outbox", "discard", event.id, "--reason", "test invoice of a deleted user", "--json"],
      asAdmin,
    ).done;
    expect(discarded.code).toBe(0);
    expect(JSON.parse(discarded.stdout)).toMatchObject({
      id: event.id,
      discardReason: "test invoice of a deleted user",
    });
    expect(await auth.deps.prisma.billingEvent.findUniqueOrThrow({ where: { id: event.id } })).toMatchObject({
      processed: true,
      discardReason: "test invoice of a deleted user",
    });
    expect(
      (
        await auth.deps.prisma.authAuditLog.findMany({
          where: { userId: admin.user.id },
          orderBy: { createdAt: "asc" },
        })
      )
        .map((a) => a.eventType)
        .filter((type) => type.startsWith("outbox_event")),
    ).toEqual(["outbox_event_retried", "outbox_event_discarded"]);
    expect(JSON.parse((await start(["admin", "outbox", "list", "--json"], asAdmin).done).stdout)).toEqual({
      items: [],
      nextCursor: null,
    });
    // Not parked any more: 404, exit 4, with the request id (also in --json).
    const gone = await start(["admin", "outbox", "retry", event.id], asAdmin).done;
    expect(gone.code).toBe(4);
    expect(gone.stderr).toMatch(/^error: .*NOT_FOUND.* \[request id [\w-]+\]$/m);
    const goneJson = await start(["admin", "outbox", "retry", event.id, "--json"], asAdmin).done;
    expect(goneJson.code).toBe(4);
    expect(JSON.parse(goneJson.stderr)).toMatchObject({
      error: { code: "NOT_FOUND", status: 404, exitCode: 4, requestId: expect.any(String) },
    });

    // A PAT is refused by the CLI before it is sent; a user's access token by the server.
    const viaPat = await start(["admin", "outbox", "list"], { ATLAS_TOKEN: "atlas_pat_0123456789abcdef" }).done;
    expect(viaPat.code).toBe(3);
    expect(viaPat.stderr).toContain("personal access token");
    const user = await loginTestUser(auth);
    const asUser = await start(["admin", "outbox", "retry", event.id], { ATLAS_TOKEN: user.tokens.accessToken }).done;
    expect(asUser.code).toBe(3);
    expect(asUser.stderr).toContain("FORBIDDEN");
    expect(asUser.stderr).toContain("platform admin");
  });
});

describe("atlas CLI: who you are, which token is in force, and sizes in the web-app's units (issue 22, path 10)", () => {
  it('prints "Logged in as <e-mail>", warns on stderr when ATLAS_TOKEN overrides the stored login, and shows usage in KiB', async () => {
    const configFile = join(home, "config", "atlas", "config.json");
    await rm(configFile, { force: true });
    const me = await loginTestUser(auth, { email: `ada-${Date.now()}@example.test` });
    const login = await loginAs(me.auth, "approve");
    expect(login.code).toBe(0);
    expect(login.stdout).toContain(`Logged in as ${me.user.email}.`);
    expect(login.stderr).not.toContain("ATLAS_TOKEN");
    // Without profile:read the token cannot read the address: the CLI says so instead of guessing.
    const narrow = await loginAs(me.auth, "approve", "usage:read,objects:write,objects:read");
    expect(narrow.code).toBe(0);
    expect(narrow.stdout).toContain("Logged in (the token has no profile:read scope");
    expect(narrow.stdout).not.toContain("Logged in as");

    // A 64 KiB object, then usage by the hour: the level of its hour, in the web-app's units.
    const src = join(home, "64k.bin");
    await writeFile(src, randomBytes(64 * 1024));
    expect((await atlas("objects", "put", "64k.bin", src)).stdout).toContain("(64 KiB, sha256");
    await cloudDeps.meter.flush(); // the upload's request and transfer, written as the meter does
    // The services run on the test clock: the window is around its now.
    const at = auth.clock.now.getTime();
    const window = ["--from", new Date(at - 3 * 3_600_000).toISOString(), "--to", new Date(at + 1000).toISOString()];
    const usage = await atlas("usage", "--granularity", "hour", ...window);
    expect(usage.code).toBe(0);
    const rows = usage.stdout.split("\n");
    expect(rows[0]).toMatch(/^PERIOD \(UTC\)\s+REQUESTS\s+STORED \(HIGHEST\)\s+TRANSFER$/);
    const hour = new Date(at).toISOString().slice(0, 13).replace("T", " ");
    // Its hour holds the whole object (a level), the hours before it nothing: no averaging.
    expect(rows.find((r) => r.startsWith(hour))).toMatch(/\s1\s+64 KiB\s+64(\.\d)? KiB$/); // transfer: body + headers
    const earlier = new Date(at - 2 * 3_600_000).toISOString().slice(0, 13).replace("T", " ");
    expect(rows.find((r) => r.startsWith(earlier))).toMatch(/^\S+ \S+\s+0\s+0 B\s+0 B$/);
    expect(usage.stdout).toContain("Sizes in binary units: 1 KiB = 1,024 bytes");
    const json = JSON.parse((await atlas("usage", "--granularity", "hour", ...window, "--json")).stdout) as {
      series: { metric: string; points: { value: number }[] }[];
    };
    expect(json.series.find((s) => s.metric === "storage_bytes")?.points.at(-1)?.value).toBe(65_536);

    // Someone else's token in ATLAS_TOKEN wins over the stored login: said on stderr, every time.
    const other = await loginTestUser(auth);
    const viaEnv = await start(["whoami", "--json"], { ATLAS_TOKEN: other.tokens.accessToken }).done;
    expect(viaEnv.code).toBe(0);
    expect(JSON.parse(viaEnv.stdout)).toMatchObject({ sub: other.user.id, tokenSource: "env" });
    expect(viaEnv.stderr).toBe(
      `Warning: ATLAS_TOKEN is set and overrides the stored login (${configFile}); unset ATLAS_TOKEN to use it.\n`,
    );
    // The stored token itself in ATLAS_TOKEN overrides nothing: no warning.
    const { token } = JSON.parse(await readFile(configFile, "utf8")) as { token: string };
    const same = await start(["usage", ...window], { ATLAS_TOKEN: token }).done;
    expect(same.code).toBe(0);
    expect(same.stderr).toBe("");
    // A login while ATLAS_TOKEN is set: stored, and the user is told it is not the one in force.
    const run = start(["login"], { ATLAS_TOKEN: other.tokens.accessToken });
    const userCode = await waitFor(() => /enter the code: ([A-Z]{4}-[A-Z]{4})/.exec(run.stderr())?.[1], "the code");
    expect((await auth.app.request("/auth/device/approve", jsonPost({ user_code: userCode }, me.auth))).status).toBe(
      200,
    );
    const shadowed = await run.done;
    expect(shadowed.code).toBe(0);
    expect(shadowed.stdout).toContain(`Logged in as ${me.user.email}.`);
    expect(shadowed.stderr).toContain("Warning: ATLAS_TOKEN is set and overrides the login just stored");
  });
});
