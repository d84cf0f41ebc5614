import { type BaseVariables, createServiceApp } from "@atlas/service-kit";
import type { Deps } from "./deps.ts";
import { tenantCors } from "./middleware/cors.ts";
import { tenantMiddleware } from "./middleware/tenant.ts";
import { registerTenantRoutes } from "./routes/tenants.ts";
import type { ResolvedTenant } from "./services/tenant.service.ts";

export type AuthEnv = { Variables: BaseVariables & { tenant: ResolvedTenant } };

export const SERVICE_VERSION = "0.1.0";

/** service-auth as a Hono app over its dependencies: no I/O happens until a request arrives. */
export function createApp(deps: Deps) {
  const app = createServiceApp<AuthEnv>({
    name: "service-auth",
    version: SERVICE_VERSION,
    description: "Atlas identity, tokens and the payment side of billing.",
    logger: deps.logger,
    readiness: { database: () => deps.database.ping() },
  });
  app.use(tenantCors(deps));
  for (const prefix of ["/tenants/*", "/auth/*", "/billing/*"]) app.use(prefix, tenantMiddleware(deps));
  registerTenantRoutes(app);
  return app;
}
