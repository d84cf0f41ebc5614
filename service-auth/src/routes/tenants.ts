import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { LOGIN_METHOD_IDS, manifestOf } from "../methods/index.ts";
import type { AuthEnv, Deps } from "../ports.ts";
import { TenantBrandSchema } from "./schemas.ts";

const TenantHeaders = z.object({
  "x-tenant": z.string().optional().openapi({ description: "Tenant slug; absent means `default`" }),
});

const PublicTenant = z
  .object({
    slug: z.string(),
    name: z.string(),
    allowedMethods: z.array(z.enum(LOGIN_METHOD_IDS)),
    brand: TenantBrandSchema,
  })
  .openapi("PublicTenant");

const Problem = z
  .object({ type: z.string(), title: z.string(), status: z.number(), detail: z.string(), code: z.string() })
  .openapi("Problem");

/** Public tenant facts the login page needs (which methods to offer). */
export function registerTenantRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps) {
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
      // Only what this server can serve (the method manifest's `available`): the rest would fail after the click.
      const allowedMethods = t.allowedMethods.filter((m) => manifestOf(m)?.available(deps) === true);
      return c.json({ slug: t.slug, name: t.name, allowedMethods, brand: t.brand }, 200);
    },
  );
}
