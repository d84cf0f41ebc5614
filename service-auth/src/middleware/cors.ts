import type { Context, MiddlewareHandler, Next } from "hono";
import type { Deps } from "../ports.ts";
import { isOriginAllowedByAnyTenant, resolveTenant } from "../services/tenancy/tenant.service.ts";

const ALLOWED_HEADERS = "Authorization, Content-Type, Idempotency-Key, X-Tenant, X-Request-Id";
const ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE";

/**
 * CORS by tenant: a browser request gets a grant only when its `Origin` is in the
 * `allowedOrigins` of the tenant it names (api.md). Preflights carry no `X-Tenant`, so they are
 * granted when some active tenant allows the origin; the real request is then checked against
 * its own tenant, and a browser refuses the response without a grant.
 */
export function tenantCors(deps: Pick<Deps, "prisma" | "config">): MiddlewareHandler {
  return function cors(c, next) {
    const origin = c.req.header("origin");
    // Not a preflight and no Origin (servers, CLIs, same-origin GETs): nothing to grant, so the
    // route's promise is returned as is (no work after it, one async frame less).
    if (!origin && c.req.method !== "OPTIONS") return next();
    return withCors(c, next, origin);
  };

  async function withCors(c: Context, next: Next, origin: string | undefined): Promise<Response | undefined> {
    const isPreflight = c.req.method === "OPTIONS" && c.req.header("access-control-request-method") !== undefined;
    if (isPreflight) {
      c.header("Vary", "Origin");
      // The web-app's own origin too: its hosted OP pages call /t/:slug/interactions/* of any tenant.
      if (origin && (origin === deps.config.WEB_ORIGIN || (await isOriginAllowedByAnyTenant(deps, origin)))) {
        c.header("Access-Control-Allow-Origin", origin);
        c.header("Access-Control-Allow-Credentials", "true");
        c.header("Access-Control-Allow-Methods", ALLOWED_METHODS);
        c.header("Access-Control-Allow-Headers", ALLOWED_HEADERS);
        c.header("Access-Control-Max-Age", "600");
      }
      return c.body(null, 204);
    }
    await next();
    if (!origin) return undefined;
    c.res.headers.append("Vary", "Origin");
    const tenant = c.var.tenant ?? (await resolveTenant(deps, c.req.header("x-tenant")).catch(() => undefined));
    if (tenant?.allowedOrigins.includes(origin)) {
      c.res.headers.set("Access-Control-Allow-Origin", origin);
      c.res.headers.set("Access-Control-Allow-Credentials", "true");
      c.res.headers.set("Access-Control-Expose-Headers", "Retry-After, X-Request-Id");
    }
    return undefined;
  }
}
