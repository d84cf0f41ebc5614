// `atlas` as users install it: `pnpm pack` in packages/cli, then `npm i -g` of the tarball into a
// temporary prefix, offline (the package must carry everything it runs: no workspace links, no
// registry dependencies), then the installed bin runs.
import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { freePort } from "@atlas/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const CLI_DIR = fileURLToPath(new URL("..", import.meta.url));

let dir: string;
let bin: string;

/** Runs the installed `atlas` with only PATH and a private config folder; resolves with its exit code and output. */
async function atlas(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(bin, args, {
      env: { PATH: process.env.PATH ?? "", HOME: dir, XDG_CONFIG_HOME: join(dir, "config"), ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "atlas-cli-pack-"));
  await run("pnpm", ["pack", "--pack-destination", dir], { cwd: CLI_DIR });
  const tarball = (await readdir(dir)).find((f) => f.endsWith(".tgz"));
  if (!tarball) throw new Error("pnpm pack wrote no tarball");
  const prefix = join(dir, "prefix");
  await run("npm", ["i", "-g", "--prefix", prefix, "--offline", "--no-audit", "--no-fund", join(dir, tarball)], {
    env: { ...process.env, npm_config_cache: join(dir, "npm-cache") },
  });
  bin = join(prefix, "bin", "atlas");
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("the packed CLI, installed with npm i -g", () => {
  it("holds only the bundle, its manifest and README: nothing to fetch at install", async () => {
    const { stdout } = await run("tar", ["tzf", join(dir, (await readdir(dir)).find((f) => f.endsWith(".tgz")) ?? "")]);
    expect(stdout.trim().split("\n").sort()).toEqual([
      "package/README.md",
      "package/dist/atlas.mjs",
      "package/package.json",
    ]);
  });

  it("runs --help, and fails with the documented exit codes", async () => {
    const help = await atlas(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: atlas");
    expect(help.stdout).toContain("objects");

    // Not logged in: authentication, exit 3.
    const whoami = await atlas(["whoami"]);
    expect(whoami.code).toBe(3);
    expect(whoami.stderr).toContain("error: Not logged in");

    // Nothing listens there: no answer, no request id, exit 1.
    const port = await freePort();
    const unreachable = await atlas(["objects", "ls", "--api-url", `http://127.0.0.1:${port}`], {
      ATLAS_TOKEN: "atlas_pat_0123456789abcdef",
    });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain(`Cannot reach http://127.0.0.1:${port}`);
    expect(unreachable.stderr).not.toContain("request id");

    // A usage error: commander's own exit code 1.
    const usage = await atlas(["objects", "put"]);
    expect(usage.code).toBe(1);
    expect(usage.stderr).toContain("missing required argument");
  });
});
