#!/usr/bin/env node
// Bundles a service entry point into dist/ with esbuild. Workspace packages (@atlas/*) ship
// TypeScript sources and are bundled in; every other package stays an external import resolved
// from node_modules at run time (Prisma's runtime, pg, pino ...).
//   node bundle.mjs [--outdir=<dir>] <entry.ts | name=entry.ts>...
// `name=entry.ts` writes <outdir>/<name>.js; the images run these same files (see the Dockerfiles).
import { basename } from "node:path";
import { build } from "esbuild";

const args = process.argv.slice(2);
const outdir = args.find((a) => a.startsWith("--outdir="))?.slice("--outdir=".length) ?? "dist";
const entries = args.filter((a) => !a.startsWith("--"));
if (entries.length === 0) {
  console.error("usage: bundle.mjs [--outdir=<dir>] <entry.ts | name=entry.ts>...");
  process.exit(2);
}
const entryPoints = entries.map((e) => {
  const [name, path] = e.includes("=") ? e.split("=", 2) : [basename(e).replace(/\.[cm]?[jt]s$/, ""), e];
  return { in: path, out: name };
});

const externalDeps = {
  name: "external-deps",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith("@atlas/")) return undefined;
      return { path: args.path, external: true };
    });
  },
};

await build({
  entryPoints,
  outdir,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  sourcemap: true,
  plugins: [externalDeps],
  logLevel: "warning",
});
console.log(`bundled ${entries.join(", ")} -> ${outdir}/`);
