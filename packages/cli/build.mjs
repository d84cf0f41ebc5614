#!/usr/bin/env node
// Bundles the CLI (commander included) into one executable ESM file: dist/atlas.mjs.
import { chmod } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));

/** Builds dist/atlas.mjs (or `outfile`) and makes it executable; returns its path. */
export async function buildCli(outfile = resolve(here, "dist/atlas.mjs")) {
  await build({
    entryPoints: [resolve(here, "src/main.ts")],
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    // commander is CommonJS: its require() of Node built-ins needs a real require in ESM.
    banner: {
      js: '#!/usr/bin/env node\nimport { createRequire as __atlasRequire } from "node:module";\nconst require = __atlasRequire(import.meta.url);',
    },
    logLevel: "warning",
  });
  await chmod(outfile, 0o755);
  return outfile;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(`built ${await buildCli()}`);
}
