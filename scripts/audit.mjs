#!/usr/bin/env node
// CI gate: dependency audit. Fails when any installed package (production or development) has a
// high or critical advisory. It needs the npm registry's advisory endpoint; where that endpoint
// cannot be reached (an offline machine, a proxy that refuses its POST), the gate says so loudly
// and passes unless AUDIT_REQUIRED=1, because no local copy of the advisory database exists to
// check against and a gate that can never pass would stop every change.
import { spawnSync } from "node:child_process";

const result = spawnSync("pnpm", ["audit", "--audit-level", "high", "--json"], { encoding: "utf8" });
let report;
try {
  report = JSON.parse(result.stdout);
} catch {
  report = { error: { code: "UNPARSEABLE", message: (result.stderr || result.stdout || "").slice(0, 300) } };
}

if (report.error) {
  const required = process.env.AUDIT_REQUIRED === "1";
  console.warn(
    `\n⚠ dependency audit could not run: ${report.error.code}: ${report.error.message}\n` +
      (required ? "AUDIT_REQUIRED=1: failing." : "Passing without an audit (set AUDIT_REQUIRED=1 to fail instead)."),
  );
  process.exit(required ? 1 : 0);
}

const counts = report.metadata?.vulnerabilities ?? {};
const serious = (counts.high ?? 0) + (counts.critical ?? 0);
for (const advisory of Object.values(report.advisories ?? {})) {
  if (advisory.severity === "high" || advisory.severity === "critical") {
    console.error(
      `${advisory.severity}: ${advisory.module_name} ${advisory.vulnerable_versions} — ${advisory.title} (${advisory.url})`,
    );
  }
}
console.log(`dependency audit: ${JSON.stringify(counts)}`);
process.exit(serious > 0 ? 1 : 0);
