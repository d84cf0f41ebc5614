// Voids one issued, unpaid invoice and prints the result (JSON):
//   pnpm --filter @atlas/service-cloud-api void-invoice <invoiceId> --reason "<why>"
// An operator command rather than an HTTP route: cloud-api cannot tell a platform administrator
// from its tokens (they carry the tenant's id, and the platform tenant is known by its slug to
// service-auth only), while whoever runs this already holds the database credentials. The
// void is recorded on the invoice (voidedAt, voidReason) and announced as `invoice.voided`.
import { isAppError } from "@atlas/errors";
import { runMain } from "@atlas/service-kit";
import { loadCloudConfig } from "./config.ts";
import { buildDeps, closeDeps, connectDatabase } from "./deps.ts";
import { voidInvoice } from "./services/invoicing/void-invoice.ts";

runMain("service-cloud-api void-invoice", async () => {
  const args = process.argv.slice(2);
  const reasonAt = args.indexOf("--reason");
  const reason = reasonAt >= 0 ? (args[reasonAt + 1] ?? "") : "";
  const invoiceId = args.find((a, i) => !a.startsWith("--") && i !== reasonAt + 1);
  if (!invoiceId || reasonAt < 0) {
    process.stderr.write('usage: void-invoice <invoiceId> --reason "<why>"\n');
    process.exit(2);
  }
  const config = loadCloudConfig();
  const deps = buildDeps(config, connectDatabase(config));
  try {
    const result = await voidInvoice(deps.database, invoiceId, reason, deps.now());
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } catch (error) {
    if (!isAppError(error)) throw error;
    // The problem's stable code (CONFLICT for a paid invoice, NOT_FOUND, VALIDATION_FAILED).
    process.stderr.write(`${JSON.stringify({ code: error.code, detail: error.detail })}\n`);
    process.exitCode = 1;
  } finally {
    await closeDeps(deps);
  }
});
