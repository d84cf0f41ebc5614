#!/usr/bin/env node
// Bundles a service entry point into dist/ with esbuild. Workspace packages (@atlas/*) ship
// TypeScript sources and are bundled in; every other package stays an external import resolved
// from node_modules at run time (Prisma's runtime, pg, pino ...).
import { build } from "esbuild";

const entry = process.argv[2];
if (!entry) {
  console.error("usage: bundle.mjs <entry.ts>");
  process.exit(2);
}

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
  entryPoints: [entry],
  outdir: "dist",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  sourcemap: true,
  plugins: [externalDeps],
  logLevel: "warning",
});
console.log(`bundled ${entry} -> dist/`);
