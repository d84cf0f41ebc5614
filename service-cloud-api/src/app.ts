import { type BaseVariables, createServiceApp } from "@atlas/service-kit";
import type { Deps } from "./deps.ts";

export type CloudEnv = { Variables: BaseVariables };

export const SERVICE_VERSION = "0.1.0";

/** service-cloud-api as a Hono app over its dependencies. */
export function createApp(deps: Deps) {
  return createServiceApp<CloudEnv>({
    name: "service-cloud-api",
    version: SERVICE_VERSION,
    description: "Atlas product API: objects, usage metering, entitlements, invoices.",
    logger: deps.logger,
    readiness: { database: () => deps.database.ping() },
    // Object uploads carry their own, plan-based size limit.
    bodyLimitExemptPrefixes: ["/v1/objects/"],
  });
}
