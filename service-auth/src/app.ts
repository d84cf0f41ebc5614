import { createServiceApp, metricsExposure } from "@atlas/service-kit";
import { LOGIN_METHOD_MANIFESTS } from "./methods/index.ts";
import { clientIp, trustedProxyList } from "./middleware/client-ip.ts";
import { tenantCors } from "./middleware/cors.ts";
import { tenantMiddleware } from "./middleware/tenant.ts";
import type { AuthEnv, Deps } from "./ports.ts";
import { providerAwareErrorHandler } from "./providers/outage.ts";
import { registerAdminClientRoutes } from "./routes/admin/clients.ts";
import { registerAdminKeyRoutes } from "./routes/admin/keys.ts";
import { registerAdminOutboxRoutes } from "./routes/admin/outbox.ts";
import { registerAdminTenantRoutes } from "./routes/admin/tenants.ts";
import { registerAuditRoutes } from "./routes/audit.ts";
import { registerConnectedAppRoutes } from "./routes/auth/connected-apps.ts";
import { registerDeviceRoutes } from "./routes/auth/device.ts";
import { registerMeRoutes } from "./routes/auth/me.ts";
import { registerMfaRoutes } from "./routes/auth/mfa.ts";
import { registerPatRoutes } from "./routes/auth/pats.ts";
import { registerPrivacyRoutes } from "./routes/auth/privacy.ts";
import { registerSessionRoutes } from "./routes/auth/sessions.ts";
import { registerTokenRoutes } from "./routes/auth/token.ts";
import { registerBillingRoutes } from "./routes/billing/index.ts";
import { registerDevRoutes } from "./routes/dev.ts";
import { registerOidcProviderRoutes } from "./routes/oidc/op.ts";
import { registerTenantRoutes } from "./routes/tenants.ts";
import { registerWellKnownRoutes } from "./routes/well-known.ts";
import { registerBusinessGauges } from "./services/platform/business-metrics.ts";

export const SERVICE_VERSION = "0.1.0";

/** service-auth as a Hono app over its dependencies: no I/O happens until a request arrives. */
export function createApp(deps: Deps) {
  const app = createServiceApp<AuthEnv>({
    name: "service-auth",
    version: SERVICE_VERSION,
    description: "Atlas identity, tokens and the payment side of billing.",
    logger: deps.logger,
    registry: deps.metrics,
    ...metricsExposure(deps.config),
    readiness: { database: () => deps.database.ping() },
    // Before the operational routes, so that /health & co. answer browsers of allowed origins too.
    middleware: [clientIp(trustedProxyList(deps.config.TRUSTED_PROXIES)), tenantCors(deps)],
  });
  registerBusinessGauges(deps);
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "basic", { type: "http", scheme: "basic" });
  for (const prefix of ["/tenants/*", "/auth/*", "/billing/*", "/admin/*"]) app.use(prefix, tenantMiddleware(deps));
  registerWellKnownRoutes(app, deps);
  // The tenants' OpenID Providers at /t/:slug/* (issue 23): oidc-provider loads on the first request.
  registerOidcProviderRoutes(app, deps);
  registerTenantRoutes(app, deps);
  registerTokenRoutes(app, deps);
  registerSessionRoutes(app, deps);
  registerPatRoutes(app, deps);
  registerDeviceRoutes(app, deps);
  registerAdminKeyRoutes(app, deps);
  // Before the login methods: its `/auth/identities/*` authentication also guards OAuth's linking route.
  registerMeRoutes(app, deps);
  // Every login method (src/methods/). OAuth's providers share one router: each function mounts once.
  for (const register of new Set(LOGIN_METHOD_MANIFESTS.map((m) => m.register))) register(app, deps);
  registerMfaRoutes(app, deps);
  registerAuditRoutes(app, deps);
  registerAdminTenantRoutes(app, deps);
  registerAdminClientRoutes(app, deps);
  registerConnectedAppRoutes(app, deps);
  registerAdminOutboxRoutes(app, deps);
  registerPrivacyRoutes(app, deps);
  registerDevRoutes(app, deps);
  registerBillingRoutes(app, deps);
  // Replaces the shared handler: provider outages answer 503 PROVIDER_UNAVAILABLE, the rest as before.
  app.onError(providerAwareErrorHandler(deps.logger));
  return app;
}
