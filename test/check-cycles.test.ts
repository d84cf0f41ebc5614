// scripts/check-cycles.mjs (npm test's import-cycle check) on small source trees written here: it
// must see the cycles a type-only or lazy import closes, and leave generated code and tests alone.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = new URL("..", import.meta.url).pathname;
mkdirSync(join(root, "test-results"), { recursive: true });
const base = mkdtempSync(join(root, "test-results", "cycles-"));
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** Writes `files` (path → source) under a fresh folder; returns its src/ relative to the root. */
function tree(name: string, files: Record<string, string>): string {
  for (const [path, source] of Object.entries(files)) {
    const file = join(base, name, "src", path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, source);
  }
  return relative(root, join(base, name, "src"));
}

function check(...folders: string[]) {
  const run = spawnSync(process.execPath, ["scripts/check-cycles.mjs", ...folders], { cwd: root, encoding: "utf8" });
  return { status: run.status, out: `${run.stdout}${run.stderr}` };
}

describe("scripts/check-cycles.mjs", () => {
  it("fails on a cycle closed by a type-only import, naming its files", () => {
    const src = tree("types", {
      "app.ts": 'import { register } from "./routes/a.ts";\nexport type Env = { v: 1 };\nregister();\n',
      "routes/a.ts": 'import type { Env } from "../app.ts";\nexport const register = (_?: Env) => {};\n',
    });
    const { status, out } = check(src);
    expect(status).toBe(1);
    expect(out).toContain(`✗ ${src}: 1 cycle`);
    const line = out.split("\n").find((l) => l.includes(" → ")) ?? "";
    const steps = line.trim().split(" → ");
    expect(steps.at(0)).toBe(steps.at(-1));
    expect([...new Set(steps)].sort()).toEqual([`${src}/app.ts`, `${src}/routes/a.ts`]);
  });

  it("fails on a cycle through a lazy import() and through .tsx files", () => {
    const src = tree("lazy", {
      "App.tsx": 'import { page } from "./page.tsx";\nexport const App = () => page;\n',
      "page.tsx": 'export const page = 1;\nexport const load = () => import("./App.tsx");\n',
    });
    const { status, out } = check(src);
    expect(status).toBe(1);
    expect(out).toContain(`✗ ${src}: 1 cycle`);
  });

  it("passes a layered tree, leaving out src/generated and test files", () => {
    const src = tree("clean", {
      "ports.ts": "export type Env = { v: 1 };\n",
      "app.ts":
        'import type { Env } from "./ports.ts";\nimport { register } from "./routes/a.ts";\nregister({ v: 1 } as Env);\n',
      "routes/a.ts": 'import type { Env } from "../ports.ts";\nexport const register = (_: Env) => {};\n',
      "app.test.ts": 'import "./app.ts";\nimport "./app.test.ts";\n',
      "generated/x.ts": 'import "./y.ts";\n',
      "generated/y.ts": 'import "./x.ts";\n',
    });
    const { status, out } = check(src);
    expect(out).toContain(`✓ ${src}: 0 cycles`);
    expect(out).toContain("3 files in 1 folders, 0 import cycles");
    expect(status).toBe(0);
  });

  it("refuses a folder where it read no source file rather than passing it", () => {
    const src = tree("empty", { "notes.md": "nothing to import\n" });
    const { status, out } = check(src);
    expect(status).toBe(2);
    expect(out).toContain(`no source file read in ${src}`);
  });
});
