import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { requireAuth } from "../../middleware/auth.ts";
import type { AuthEnv, Deps } from "../../ports.ts";
import { requestContext } from "../../services/login/request-context.ts";
import { listConnectedApps, revokeConnectedApp } from "../../services/oidc/consent.service.ts";
import { bearerSecurity, problem, TenantHeader } from "../schemas.ts";

const ConnectedApp = z
  .object({
    clientId: z.string(),
    name: z.string(),
    logoUri: z.string().nullable(),
    scopes: z.array(z.string()),
    grantedAt: z.string(),
  })
  .openapi("ConnectedApp");

/** `/auth/connected-apps`: the apps (OpenID clients) the caller consented to, and revoking one. */
export function registerConnectedAppRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps) {
  const auth = requireAuth(deps);
  app.use("/auth/connected-apps", auth);
  app.use("/auth/connected-apps/*", auth);

  app.openapi(
    createRoute({
      method: "get",
      path: "/auth/connected-apps",
      tags: ["openid-provider"],
      summary: "Apps the caller signed in to with Atlas and what they may read",
      security: bearerSecurity,
      request: { headers: TenantHeader },
      responses: {
        200: {
          description: "Connected apps, newest consent first",
          content: { "application/json": { schema: z.object({ items: z.array(ConnectedApp) }) } },
        },
        401: problem("Not authenticated"),
      },
    }),
    async (c) => c.json({ items: await listConnectedApps(deps, c.var.principal.userId) }, 200),
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/auth/connected-apps/{clientId}",
      tags: ["openid-provider"],
      summary: "Revoke an app: its consent and every grant, code and refresh token it holds for the caller",
      security: bearerSecurity,
      request: {
        headers: TenantHeader,
        params: z.object({
          clientId: z
            .string()
            .max(64)
            .openapi({ param: { name: "clientId", in: "path" } }),
        }),
      },
      responses: { 204: { description: "Revoked" }, 401: problem("Not authenticated"), 404: problem("No such app") },
    }),
    async (c) => {
      const p = c.var.principal;
      await revokeConnectedApp(
        deps,
        { userId: p.userId, tenantId: p.tenantId },
        c.req.valid("param").clientId,
        requestContext(c),
      );
      return c.body(null, 204);
    },
  );
}
