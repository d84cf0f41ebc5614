// Runs the reconciliation job once and prints its report (JSON):
//   pnpm --filter @atlas/service-cloud-api reconcile [--report-only]
import { runMain } from "@atlas/service-kit";
import { loadCloudConfig } from "./config.ts";
import { buildDeps, closeDeps, connectDatabase } from "./deps.ts";
import { reconcile } from "./services/reconcile.ts";

runMain("service-cloud-api reconcile", async () => {
  const config = loadCloudConfig();
  const deps = buildDeps(config, connectDatabase(config));
  try {
    const report = await reconcile(deps.database, deps.now(), { repair: !process.argv.includes("--report-only") });
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await closeDeps(deps);
  }
});
