import { outboxBacklog } from "@atlas/outbox";
import { createServiceApp, metricsExposure, outboxGauges } from "@atlas/service-kit";
import { bearerFailureLimit } from "./auth/failure-limit.ts";
import { createAuthMiddleware, jwksReadiness } from "./auth/middleware.ts";
import type { Deps } from "./deps.ts";
import { originCors } from "./middleware/cors.ts";
import { meteringMiddleware } from "./middleware/metering.ts";
import type { CloudEnv } from "./ports.ts";
import { registerCreditNoteRoutes } from "./routes/credit-notes.ts";
import { registerEntitlementRoutes } from "./routes/entitlements.ts";
import { registerInvoiceRoutes } from "./routes/invoices.ts";
import { registerMeRoutes } from "./routes/me.ts";
import { registerObjectRoutes } from "./routes/objects.ts";
import { API_DESCRIPTION, API_TAGS, BEARER_SCHEME } from "./routes/openapi-tags.ts";
import { registerUsageRoutes } from "./routes/usage.ts";
import { CONSUMED_EVENT_TYPES } from "./services/consumer.ts";

export const SERVICE_VERSION = "0.1.0";

/** service-cloud-api as a Hono app over its dependencies. */
export function createApp(deps: Deps) {
  const app = createServiceApp<CloudEnv>({
    name: "service-cloud-api",
    version: SERVICE_VERSION,
    description: API_DESCRIPTION,
    tags: API_TAGS,
    logger: deps.logger,
    registry: deps.metrics,
    ...metricsExposure(deps.config),
    readiness: { database: () => deps.database.ping(), jwks: jwksReadiness(deps) },
    // Browsers (the web-app) call /v1 with bearer tokens; only configured origins get a grant.
    middleware: [originCors(deps.config.CORS_ORIGINS)],
    // Object uploads carry their own, plan-based size limit.
    bodyLimitExemptPrefixes: ["/v1/objects/"],
  });
  // The backlog of the events cloud-api consumes, read from the outbox on each scrape of /metrics.
  outboxGauges(
    deps.metrics,
    "service-cloud-api",
    () => outboxBacklog(deps.database, CONSUMED_EVENT_TYPES, deps.now()),
    (error) =>
      deps.logger.warn({ err: error instanceof Error ? error.message : String(error) }, "outbox metrics read failed"),
  );
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", BEARER_SCHEME);

  // Every /v1 route needs a bearer token (api.md); unknown /v1 paths answer 401 before 404. An
  // address that keeps failing gets 429 instead of further introspections.
  const failures = bearerFailureLimit(deps);
  app.use("/v1/*", failures.count(createAuthMiddleware(deps, failures.gate)));
  // Then every authenticated request is metered and checked against the plan's allowances.
  app.use("/v1/*", meteringMiddleware(deps));
  registerMeRoutes(app);
  registerObjectRoutes(app, deps);
  registerUsageRoutes(app, deps);
  registerEntitlementRoutes(app, deps);
  registerInvoiceRoutes(app, deps);
  registerCreditNoteRoutes(app, deps);
  return app;
}
