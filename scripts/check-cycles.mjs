#!/usr/bin/env node
// Import-cycle check (issue 19 item 8): every app's and package's `src/` must be free of import
// cycles, type-only imports and `import()` included — a cycle through `import type` is still an
// arrow running back up the layers, and a lazy import is still a dependency. Exits 1 on any
// cycle, listing each one under the folder it starts in.
//
//   node scripts/check-cycles.mjs [folder ...]   (default: every app and package src/)
//
// dpdm parses each file with the TypeScript compiler and follows relative imports and workspace
// packages (resolved to their real paths, so a cycle across packages is found too). Left out:
// third-party code (node_modules), the Prisma clients written by `prisma generate` (generated/ folders,
// not ours to shape) and test files.
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const { parseCircular, parseDependencyTree } = require("dpdm");

const root = fileURLToPath(new URL("..", import.meta.url));
const APPS = ["service-auth", "service-cloud-api", "web-app"];
const EXCLUDE = /(^|[\\/])node_modules[\\/]|[\\/]generated[\\/]|\.test\.tsx?$/;

const folders =
  process.argv.length > 2
    ? process.argv.slice(2).map((f) => f.replace(/[\\/]+$/, ""))
    : [...APPS, ...readdirSync(join(root, "packages")).map((p) => `packages/${p}`)]
        .map((p) => `${p}/src`)
        .filter((p) => existsSync(join(root, p)));
if (folders.length === 0) {
  console.error("check-cycles: no src/ folder to check");
  process.exit(2);
}

const tree = await parseDependencyTree(
  folders.map((f) => `${f}/**/*.{ts,tsx,mts}`),
  { context: root, cwd: root, exclude: EXCLUDE, transform: false, skipDynamicImports: false },
);
const files = Object.keys(tree).filter((f) => tree[f] !== null);
// A folder whose files were never read would pass vacuously: refuse that instead.
const unread = folders.filter((f) => !files.some((file) => file.startsWith(`${f}/`)));
if (unread.length > 0) {
  console.error(`check-cycles: no source file read in ${unread.join(", ")}`);
  process.exit(2);
}

const cycles = parseCircular(tree);
const folderOf = (file) => folders.find((f) => file.startsWith(`${f}/`)) ?? "(outside the checked folders)";
const byFolder = new Map();
for (const cycle of cycles) {
  const folder = folderOf(cycle[0]);
  byFolder.set(folder, [...(byFolder.get(folder) ?? []), cycle]);
}
const shown = (file) => relative(root, join(root, file)).split(sep).join("/");
for (const folder of folders) {
  const found = byFolder.get(folder) ?? [];
  console.log(`${found.length === 0 ? "✓" : "✗"} ${folder}: ${found.length} cycle${found.length === 1 ? "" : "s"}`);
  for (const cycle of found) console.log(`    ${[...cycle, cycle[0]].map(shown).join(" → ")}`);
}
for (const [folder, found] of byFolder) {
  if (folders.includes(folder)) continue;
  console.log(`✗ ${folder}: ${found.length} cycle${found.length === 1 ? "" : "s"}`);
  for (const cycle of found) console.log(`    ${[...cycle, cycle[0]].map(shown).join(" → ")}`);
}
console.log(`${files.length} files in ${folders.length} folders, ${cycles.length} import cycles`);
process.exit(cycles.length === 0 ? 0 : 1);
