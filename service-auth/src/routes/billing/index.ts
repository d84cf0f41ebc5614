import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AuthEnv } from "../../app.ts";
import type { Deps } from "../../deps.ts";
import { registerBillingCustomerRoutes } from "./customers.ts";

/** The payment side of billing: /billing/* and the Stripe webhook. */
export function registerBillingRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps) {
  registerBillingCustomerRoutes(app, deps);
}
