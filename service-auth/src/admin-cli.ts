// `pnpm --filter @atlas/service-auth admin:grant <email> [tenant-slug]` against DATABASE_URL:
// makes (or creates) that user an admin. The only way to get the first admin.
import { loadAuthConfig } from "./config.ts";
import { buildDeps, closeDeps, connectDatabase } from "./deps.ts";
import { grantAdmin } from "./services/tenancy/admin.service.ts";

const [email, tenantSlug = "default"] = process.argv.slice(2);
if (!email) {
  console.error("usage: admin:grant <email> [tenant-slug]");
  process.exit(2);
}
const config = loadAuthConfig();
const deps = buildDeps(config, connectDatabase(config));
try {
  const user = await grantAdmin(deps, { email, tenantSlug });
  console.log(`${user.email} (${user.id}) is an admin of tenant ${tenantSlug}`);
} catch (error) {
  console.error(`admin:grant failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await closeDeps(deps);
}
