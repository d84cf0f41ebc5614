#!/usr/bin/env node
// The README's two commands, runnable on a fresh clone with nothing but Node 20 and npm:
//   npm start  → install what is missing, generate, build, start the three apps
//   npm test   → install what is missing, generate, build, lint, typecheck, check import cycles,
//                audit dependencies, run every test
// Only Node built-ins here: this runs before any dependency is installed.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const PNPM_VERSION = "10.34.9";
const root = fileURLToPath(new URL("..", import.meta.url));
const command = process.argv[2];

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: "inherit", ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function must(cmd, args, env) {
  const status = run(cmd, args, env ? { env: { ...process.env, ...env } } : {});
  if (status !== 0) {
    console.error(`\n✗ ${cmd} ${args.join(" ")} failed (exit ${status})`);
    process.exit(status);
  }
}

function ensurePnpm() {
  const probe = spawnSync("pnpm", ["--version"], { encoding: "utf8" });
  if (probe.status === 0 && probe.stdout.trim().startsWith("10.")) return;
  console.log(`→ installing pnpm@${PNPM_VERSION}`);
  // corepack's signature check fails offline; a global npm install works.
  must("npm", ["install", "-g", `pnpm@${PNPM_VERSION}`]);
}

const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`Atlas needs Node.js >= 20.19 (this is ${process.versions.node})`);
  process.exit(1);
}

const quiet = { TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" };
ensurePnpm();
must("pnpm", ["install", "--frozen-lockfile"]);
must("pnpm", ["run", "build"], quiet); // prisma generate + service bundles + web-app

if (command === "start") {
  process.exit(run("pnpm", ["exec", "tsx", "scripts/start.ts"]));
} else if (command === "test") {
  must("pnpm", ["run", "lint"]);
  must("pnpm", ["run", "typecheck"], quiet);
  must("pnpm", ["run", "check:cycles"]); // any import cycle in an app's or package's src/ fails the run
  must("node", ["scripts/audit.mjs"]); // high/critical advisories fail the run
  const report = join(mkdtempSync(join(tmpdir(), "atlas-vitest-")), "report.json");
  const status = run("pnpm", [
    "exec",
    "vitest",
    "run",
    "--coverage",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${report}`,
  ]);
  // One plain closing line a CI reader understands, whatever the reporter printed.
  try {
    const r = JSON.parse(readFileSync(report, "utf8"));
    const skipped = r.numPendingTests + r.numTodoTests;
    console.log(`\nvitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
  } catch {
    console.log("\nvitest: no report was written");
  }
  process.exit(status);
} else {
  console.error("usage: bootstrap.mjs start|test");
  process.exit(2);
}
