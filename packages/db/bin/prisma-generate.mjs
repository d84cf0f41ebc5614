#!/usr/bin/env node
// Runs `prisma generate` for the service in the current folder without the schema-engine
// binary: generate never runs it, but the CLI insists that one exists, and downloading it needs
// Prisma's CDN (unreachable offline and in air-gapped installs). /bin/false stands in for it.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

const require = createRequire(`${process.cwd()}/package.json`);
const cli = require.resolve("prisma/build/index.js");
const result = spawnSync(process.execPath, [cli, "generate"], {
  stdio: "inherit",
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: "/bin/false",
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    CHECKPOINT_DISABLE: "1",
  },
});
process.exit(result.status ?? 1);
