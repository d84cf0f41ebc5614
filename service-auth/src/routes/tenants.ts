import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AuthEnv } from "../app.ts";
import { LOGIN_METHODS } from "../services/tenant.service.ts";

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

/** Public tenant facts the login page needs (which methods to offer). */
export function registerTenantRoutes(app: OpenAPIHono<AuthEnv>) {
  app.openapi(
    createRoute({
      method: "get",
      path: "/tenants/current",
      tags: ["tenants"],
      summary: "The tenant named by X-Tenant, as the login page sees it",
      request: { headers: TenantHeaders },
      responses: {
        200: { description: "Tenant", content: { "application/json": { schema: PublicTenant } } },
        403: { description: "Inactive tenant", content: { "application/problem+json": { schema: Problem } } },
        404: { description: "Unknown tenant", content: { "application/problem+json": { schema: Problem } } },
      },
    }),
    (c) => {
      const t = c.var.tenant;
      return c.json({ slug: t.slug, name: t.name, allowedMethods: t.allowedMethods }, 200);
    },
  );
}
