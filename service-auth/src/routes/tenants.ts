import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AuthEnv, Deps } from "../ports.ts";
import {
  LOGIN_METHODS,
  type LoginMethod,
  OAUTH_PROVIDERS,
  type OAuthProviderName,
} from "../services/login/method-ids.ts";

const TenantHeaders = z.object({
  "x-tenant": z.string().optional().openapi({ description: "Tenant slug; absent means `default`" }),
});

const PublicTenant = z
  .object({
    slug: z.string(),
    name: z.string(),
    allowedMethods: z.array(z.enum(LOGIN_METHODS)),
  })
  .openapi("PublicTenant");

const Problem = z
  .object({ type: z.string(), title: z.string(), status: z.number(), detail: z.string(), code: z.string() })
  .openapi("Problem");

/**
 * Whether this server can serve a method at all: an OAuth provider without client credentials,
 * or SMS/e-mail without a provider (outside development), would only fail after the click.
 */
function servable(deps: Pick<Deps, "oauth" | "sms" | "email">, method: LoginMethod): boolean {
  if (method === "sms") return deps.sms.kind !== "unconfigured";
  if (method === "email") return deps.email.kind !== "unconfigured";
  if (method.startsWith("oauth:")) {
    const provider = method.slice("oauth:".length);
    return (
      (OAUTH_PROVIDERS as readonly string[]).includes(provider) &&
      deps.oauth.isConfigured(provider as OAuthProviderName)
    );
  }
  return true;
}

/** Public tenant facts the login page needs (which methods to offer). */
export function registerTenantRoutes(app: OpenAPIHono<AuthEnv>, deps: Pick<Deps, "oauth" | "sms" | "email">) {
  app.openapi(
    createRoute({
      method: "get",
      path: "/tenants/current",
      tags: ["tenants"],
      summary: "The tenant named by X-Tenant, as the login page sees it",
      description:
        "`allowedMethods`: the tenant's allowed methods that this server can serve (OAuth providers without credentials, and SMS or e-mail without a provider, are left out).",
      request: { headers: TenantHeaders },
      responses: {
        200: { description: "Tenant", content: { "application/json": { schema: PublicTenant } } },
        403: { description: "Inactive tenant", content: { "application/problem+json": { schema: Problem } } },
        404: { description: "Unknown tenant", content: { "application/problem+json": { schema: Problem } } },
      },
    }),
    (c) => {
      const t = c.var.tenant;
      const allowedMethods = t.allowedMethods.filter((m) => servable(deps, m));
      return c.json({ slug: t.slug, name: t.name, allowedMethods }, 200);
    },
  );
}
