import { AppError } from "@atlas/errors";
import type { MiddlewareHandler } from "hono";
import type { Deps } from "../deps.ts";
import { type ResolvedTenant, resolveTenant } from "../services/tenant.service.ts";

declare module "hono" {
  interface ContextVariableMap {
    tenant: ResolvedTenant;
  }
}

/** How long a resolved tenant is reused: an admin's change (deactivation) applies within it. */
export const TENANT_CACHE_MS = 5_000;

const OAUTH_CALLBACK = /^\/auth\/oauth\/[^/]+\/callback$/;

/**
 * Resolves `X-Tenant` (GET: or `?tenant=`; absent: `default`) into `c.var.tenant`; 404 unknown, 403 inactive.
 * Answers are cached per slug for {@link TENANT_CACHE_MS} (404/403 included, not database failures), so the hot paths
 * (refresh, introspection) do not query the tenant on every request.
 */
export function tenantMiddleware(deps: Pick<Deps, "prisma" | "now">): MiddlewareHandler {
  const cache = new Map<string, { at: number; result: Promise<ResolvedTenant> }>();
  return async function tenant(c, next) {
    // An OAuth callback's tenant is the one its stored flow names (the provider cannot carry it).
    if (OAUTH_CALLBACK.test(c.req.path)) return next();
    // Top-level navigations (OAuth start) cannot send headers: they name the tenant in the query.
    const slug = c.req.header("x-tenant") ?? (c.req.method === "GET" ? c.req.query("tenant") : undefined) ?? "";
    const now = deps.now().getTime();
    let entry = cache.get(slug);
    if (!entry || now - entry.at > TENANT_CACHE_MS) {
      if (cache.size > 1_000) cache.clear();
      const fresh = { at: now, result: resolveTenant(deps, slug || undefined) };
      // Answers (404, 403) are cached; a failed lookup (database unreachable) is not, or it
      // would keep failing requests for the cache lifetime after the database is back.
      fresh.result.catch((error: unknown) => {
        if (!(error instanceof AppError) && cache.get(slug) === fresh) cache.delete(slug);
      });
      entry = fresh;
      cache.set(slug, entry);
    }
    c.set("tenant", await entry.result);
    await next();
  };
}
