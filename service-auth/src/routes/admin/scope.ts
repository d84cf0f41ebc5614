import { AppError } from "@atlas/errors";
import type { Context, MiddlewareHandler } from "hono";
import { DEFAULT_TENANT_SLUG } from "../../services/tenancy/tenant.service.ts";

/**
 * Platform administrators are the admins of the `default` tenant: they manage every tenant and
 * read every tenant's audit log. Admins of another tenant only see their own tenant's events
 * and cannot change tenants (else one tenant's admin could redirect another's webhooks or
 * widen its origins). Admins come from the role claim (`roles`), as for `/admin/keys`.
 */
export function isPlatformAdmin(c: Context): boolean {
  return c.var.principal.roles.includes("admin") && c.var.tenant.slug === DEFAULT_TENANT_SLUG;
}

/** 403 FORBIDDEN unless the caller is a platform administrator (see {@link isPlatformAdmin}). */
export const requirePlatformAdmin: MiddlewareHandler = async function requirePlatformAdmin(c, next) {
  if (!isPlatformAdmin(c)) {
    throw new AppError("FORBIDDEN", { detail: "Platform admin role required (admin of the default tenant)" });
  }
  await next();
};

/** Admin endpoints need an access token whose user has the `admin` role (api.md). */
export const requireAdmin: MiddlewareHandler = async function requireAdmin(c, next) {
  if (!c.var.principal?.roles.includes("admin")) throw new AppError("FORBIDDEN", { detail: "Admin role required" });
  await next();
};
