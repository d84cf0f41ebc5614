// Runs the payment side's reconciliation against Stripe once and prints its report (JSON):
//   pnpm --filter @atlas/service-auth reconcile [--report-only]
import { runMain } from "@atlas/service-kit";
import { loadAuthConfig } from "./config.ts";
import { buildDeps, closeDeps, connectDatabase } from "./deps.ts";
import { reconcileBilling } from "./services/billing/reconcile.ts";

runMain("service-auth reconcile", async () => {
  const config = loadAuthConfig();
  const deps = buildDeps(config, connectDatabase(config));
  try {
    const report = await reconcileBilling(deps, { repair: !process.argv.includes("--report-only") });
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await closeDeps(deps);
  }
});
