import type { MiddlewareHandler } from "hono";
import type { Deps } from "../deps.ts";
import { type ResolvedTenant, resolveTenant } from "../services/tenant.service.ts";

declare module "hono" {
  interface ContextVariableMap {
    tenant: ResolvedTenant;
  }
}

/** Resolves `X-Tenant` (absent: `default`) into `c.var.tenant`; 404 unknown, 403 inactive. */
export function tenantMiddleware(deps: Pick<Deps, "prisma">): MiddlewareHandler {
  return async function tenant(c, next) {
    c.set("tenant", await resolveTenant(deps, c.req.header("x-tenant")));
    await next();
  };
}
