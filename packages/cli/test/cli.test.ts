// The CLI's local parts: the config file (permissions, damage), what overrides what, tables,
// progress, and how problem documents become messages. The HTTP side runs end to end in
// test/cli.e2e.test.ts against the real services.
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { safeHostname } from "../src/commands/login.ts";
import { configPath, deleteConfig, readConfig, writeConfig } from "../src/config.ts";
import { resolveContext, tokenOverrideWarning } from "../src/context.ts";
import { money, table } from "../src/format.ts";
import { CliError, EXIT, problemError } from "../src/http.ts";
import { buildProgram } from "../src/program.ts";
import { formatBytes, progressStream } from "../src/progress.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "atlas-cli-unit-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe("config file", () => {
  it("lives under XDG_CONFIG_HOME, else ~/.config", () => {
    expect(configPath({ XDG_CONFIG_HOME: "/x" })).toBe("/x/atlas/config.json");
    expect(configPath({ XDG_CONFIG_HOME: " " })).toMatch(/\/\.config\/atlas\/config\.json$/);
  });

  it("is written 0600 in a 0700 folder, replaced atomically, and deleted", async () => {
    const file = join(dir, "atlas", "config.json");
    await writeConfig(file, { token: "atlas_pat_a" });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, "atlas"))).mode & 0o777).toBe(0o700);
    await writeConfig(file, { token: "atlas_pat_b", patId: "p" });
    expect(await readConfig(file)).toEqual({ token: "atlas_pat_b", patId: "p" });
    expect(await deleteConfig(file)).toBe(true);
    expect(await deleteConfig(file)).toBe(false);
    expect(await readConfig(file)).toBeNull();
  });

  it("treats a damaged file as no login", async () => {
    const file = join(dir, "config.json");
    await writeFile(file, "{not json");
    expect(await readConfig(file)).toBeNull();
    await writeFile(file, JSON.stringify({ token: 42 }));
    expect(await readConfig(file)).toBeNull();
  });
});

describe("what overrides what", () => {
  it("flag > environment > stored login > defaults; ATLAS_TOKEN over the stored token", async () => {
    await writeConfig(join(dir, "atlas", "config.json"), {
      token: "stored",
      authUrl: "http://stored-auth",
      apiUrl: "http://stored-api",
      tenant: "acme",
    });
    const env = { XDG_CONFIG_HOME: dir };
    const stored = await resolveContext({}, env);
    expect(stored).toMatchObject({
      authUrl: "http://stored-auth",
      apiUrl: "http://stored-api",
      tenant: "acme",
      token: "stored",
      tokenSource: "config",
    });
    const fromEnv = await resolveContext({}, { ...env, ATLAS_API_URL: "http://env-api/", ATLAS_TOKEN: "envtok" });
    expect(fromEnv).toMatchObject({ apiUrl: "http://env-api", token: "envtok", tokenSource: "env" });
    const fromFlag = await resolveContext(
      { apiUrl: "https://flag-api", json: true },
      { ...env, ATLAS_API_URL: "http://e" },
    );
    expect(fromFlag).toMatchObject({ apiUrl: "https://flag-api", json: true });
    const none = await resolveContext({}, { XDG_CONFIG_HOME: join(dir, "empty") });
    expect(none).toMatchObject({
      authUrl: "http://localhost:4000",
      apiUrl: "http://localhost:4001",
      tokenSource: "none",
    });
    await expect(resolveContext({ apiUrl: "ftp://x" }, env)).rejects.toThrow("not an http(s) URL");
  });
});

describe("output helpers", () => {
  it("align tables, print money and sizes", () => {
    expect(table(["A", "BB"], [["xxx", 1]])).toBe("A    BB\n---  --\nxxx  1");
    expect(money(1999, "usd")).toBe("19.99 USD");
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(10_000_000)).toBe("9.5 MiB");
  });

  it("draws progress on its stream only when enabled, passing bytes through untouched", async () => {
    const drawn = new PassThrough();
    let text = "";
    drawn.on("data", (d: Buffer) => {
      text += d.toString();
    });
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on("data", (d: Buffer) => chunks.push(d));
    const data = Buffer.alloc(3 * 1024 * 1024, 7);
    await pipeline(
      Readable.from([data]),
      progressStream("put x", data.length, { enabled: true, stream: drawn as unknown as NodeJS.WriteStream }),
      sink,
    );
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
    expect(text).toContain("100% 3 MiB/3 MiB");
    const quiet = new PassThrough();
    let none = "";
    quiet.on("data", (d: Buffer) => {
      none += d.toString();
    });
    await pipeline(
      Readable.from([data]),
      progressStream("put x", data.length, { enabled: false, stream: quiet as unknown as NodeJS.WriteStream }),
      new PassThrough().resume(),
    );
    expect(none).toBe("");
  });

  it("hostnames are reduced to what the server accepts", () => {
    expect(safeHostname("my laptop (work)")).toBe("my-laptop--work-");
    expect(safeHostname("")).toBe("unknown");
    expect(safeHostname("a".repeat(80))).toHaveLength(64);
  });
});

describe("problem documents become messages with a hint", () => {
  it("maps stable codes, keeps the server's detail, and survives non-JSON answers", async () => {
    const problem = new Response(JSON.stringify({ code: "FORBIDDEN", detail: "The token lacks objects:write" }), {
      status: 403,
      headers: { "content-type": "application/problem+json" },
    });
    const e = await problemError(problem, "Uploading k");
    expect(e.message).toBe("Uploading k failed: The token lacks objects:write (FORBIDDEN)");
    expect(e.options.hint).toContain("atlas login --scopes");
    const limited = await problemError(
      new Response(JSON.stringify({ code: "RATE_LIMITED", detail: "slow" }), {
        status: 429,
        headers: { "retry-after": "7" },
      }),
      "x",
    );
    expect(limited.options.hint).toBe("Retry in 7 s.");
    const html = await problemError(new Response("<html>", { status: 502, statusText: "Bad Gateway" }), "x");
    expect(html.message).toBe("x failed: Bad Gateway (HTTP_502)");
  });

  it("gives each kind of failure its exit code and keeps the answer's request id", async () => {
    const answer = (status: number, code: string) =>
      problemError(
        new Response(JSON.stringify({ code, detail: "d" }), { status, headers: { "x-request-id": `req-${status}` } }),
        "x",
      );
    const cases: [number, string, number][] = [
      [401, "INVALID_TOKEN", EXIT.auth],
      [403, "FORBIDDEN", EXIT.auth],
      [404, "NOT_FOUND", EXIT.notFound],
      [409, "CONFLICT", EXIT.conflict],
      [422, "VALIDATION_FAILED", EXIT.other],
      [500, "INTERNAL", EXIT.other],
    ];
    for (const [status, code, exit] of cases) {
      const e = await answer(status, code);
      expect([status, e.exitCode, e.options.requestId]).toEqual([status, exit, `req-${status}`]);
    }
    expect([EXIT.auth, EXIT.notFound, EXIT.conflict]).toEqual([3, 4, 5]);
    // Local failures: not logged in is authentication; a bad argument is "other".
    expect(new CliError("Not logged in", { code: "NOT_LOGGED_IN" }).exitCode).toBe(3);
    expect(new CliError("--granularity must be hour or day").exitCode).toBe(1);
  });
});

describe("command tree", () => {
  it("has --help and --json on every command", () => {
    const program = buildProgram();
    const names: string[] = [];
    const walk = (cmd: typeof program, prefix: string) => {
      for (const sub of cmd.commands) {
        names.push(`${prefix}${sub.name()}`);
        expect(sub.helpInformation()).toContain("--help");
        walk(sub as typeof program, `${prefix}${sub.name()} `);
      }
    };
    walk(program, "");
    expect(names).toEqual(
      expect.arrayContaining([
        "login",
        "logout",
        "whoami",
        "pat create",
        "pat list",
        "pat revoke",
        "objects put",
        "objects get",
        "objects ls",
        "objects rm",
        "usage",
        "invoices",
        "admin outbox list",
        "admin outbox retry",
        "admin outbox discard",
      ]),
    );
    // --json is global: it is accepted after any command.
    expect(program.options.map((o) => o.long)).toEqual(
      expect.arrayContaining(["--json", "--api-url", "--auth-url", "--tenant"]),
    );
  });
});

it("the README documents the CLI's commands", async () => {
  const readme = await readFile(new URL("../../../README.md", import.meta.url), "utf8");
  for (const cmd of [
    "atlas login",
    "atlas objects put",
    "atlas pat revoke",
    "atlas usage",
    "atlas invoices",
    "atlas admin outbox discard",
  ]) {
    expect(readme).toContain(cmd);
  }
});

describe("sizes and the token in force (issue 22, paths 6 and 10)", () => {
  it("writes sizes with the web-app's formatter: binary units, one decimal at most", async () => {
    const shared = await import("@atlas/client/units");
    expect(formatBytes).toBe(shared.formatBytes);
    expect(formatBytes(65_536)).toBe("64 KiB");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(1023)).toBe("1,023 B");
    expect(formatBytes(50 * 1024 ** 3)).toBe("50 GiB");
  });

  it("warns when ATLAS_TOKEN overrides a different stored login, and only then", async () => {
    const configFile = join(dir, "atlas", "config.json");
    const env = { XDG_CONFIG_HOME: dir };
    expect(tokenOverrideWarning(await resolveContext({}, { ...env, ATLAS_TOKEN: "envtok" }))).toBeNull();
    await writeConfig(configFile, { token: "stored" });
    expect(tokenOverrideWarning(await resolveContext({}, env))).toBeNull();
    expect(tokenOverrideWarning(await resolveContext({}, { ...env, ATLAS_TOKEN: "stored" }))).toBeNull();
    expect(tokenOverrideWarning(await resolveContext({}, { ...env, ATLAS_TOKEN: "envtok" }))).toBe(
      `Warning: ATLAS_TOKEN is set and overrides the stored login (${configFile}); unset ATLAS_TOKEN to use it.`,
    );
  });
});
