import type { MiddlewareHandler } from "hono";
import type { Deps } from "../ports.ts";
import type { ResolvedTenant } from "../services/tenancy/tenant.service.ts";
import { TENANT_CACHE_MS } from "../services/tenancy/tenant-cache.ts";

declare module "hono" {
  interface ContextVariableMap {
    tenant: ResolvedTenant;
  }
}

/** How long a resolved tenant is reused when no change notification arrives (services/tenancy/tenant-cache.ts). */
export { TENANT_CACHE_MS };

const OAUTH_CALLBACK = /^\/auth\/oauth\/[^/]+\/callback$/;

/**
 * Resolves `X-Tenant` (GET: or `?tenant=`; absent: `default`) into `c.var.tenant`; 404 unknown, 403 inactive.
 * Answers are cached per slug (404/403 included, not database failures), so the hot paths (refresh,
 * introspection) do not query the tenant on every request. An admin's change empties the cache of
 * every instance through LISTEN/NOTIFY (services/tenancy/tenant-cache.ts); {@link TENANT_CACHE_MS} bounds
 * an entry's life when a notification is lost.
 */
export function tenantMiddleware(deps: Pick<Deps, "prisma" | "now" | "tenantCache">): MiddlewareHandler {
  const cache = deps.tenantCache.slugCache();
  return async function tenant(c, next) {
    // An OAuth callback's tenant is the one its stored flow names (the provider cannot carry it).
    if (OAUTH_CALLBACK.test(c.req.path)) return next();
    // Top-level navigations (OAuth start) cannot send headers: they name the tenant in the query.
    const slug = c.req.header("x-tenant") ?? (c.req.method === "GET" ? c.req.query("tenant") : undefined) ?? "";
    c.set("tenant", await cache.resolve(deps, slug));
    await next();
  };
}
