import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AuthEnv } from "../../app.ts";
import type { Deps } from "../../deps.ts";
import { requireAuth } from "../../middleware/auth.ts";
import { USER_SCOPES } from "../../services/jwt.service.ts";
import { assertRecentMfa } from "../../services/mfa.service.ts";
import { createPat, listPats, revokePat } from "../../services/pat.service.ts";
import { requestContext } from "../../services/request-context.ts";
import { bearerSecurity, problem, TenantHeader } from "../schemas.ts";

const PatSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    scopes: z.array(z.string()),
    displayPrefix: z.string(),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
  })
  .openapi("PersonalAccessToken");

const CreatePat = z.strictObject({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(z.enum(USER_SCOPES)).min(1).max(USER_SCOPES.length),
  expiresInDays: z.number().int().min(1).max(365).optional(),
});

export function registerPatRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps) {
  const auth = requireAuth(deps);
  app.use("/auth/pats", auth);
  app.use("/auth/pats/*", auth);

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/pats",
      tags: ["personal access tokens"],
      summary: "Create a PAT; the token is shown once",
      security: bearerSecurity,
      request: {
        headers: TenantHeader,
        body: { content: { "application/json": { schema: CreatePat } }, required: true },
      },
      responses: {
        201: {
          description: "Created",
          content: {
            "application/json": {
              schema: PatSchema.extend({ token: z.string() }).openapi("CreatedPersonalAccessToken"),
            },
          },
        },
        400: problem("Invalid request"),
        401: problem("Not authenticated, or MFA_REQUIRED (users with MFA need a recent verification)"),
      },
    }),
    async (c) => {
      const p = c.var.principal;
      const body = c.req.valid("json");
      // Step-up: a PAT outlives the session, so MFA users re-prove their second factor first.
      await assertRecentMfa(deps, { principal: p, tenant: c.var.tenant, context: requestContext(c) });
      const created = await createPat(deps, {
        ...body,
        userId: p.userId,
        tenantId: p.tenantId,
        context: requestContext(c),
      });
      c.header("Cache-Control", "no-store");
      return c.json(created, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/auth/pats",
      tags: ["personal access tokens"],
      summary: "The caller's live PATs (never their secrets)",
      security: bearerSecurity,
      request: { headers: TenantHeader },
      responses: {
        200: {
          description: "PATs",
          content: { "application/json": { schema: z.object({ items: z.array(PatSchema) }) } },
        },
        401: problem("Not authenticated"),
      },
    }),
    async (c) => c.json({ items: await listPats(deps, c.var.principal.userId) }, 200),
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/auth/pats/{id}",
      tags: ["personal access tokens"],
      summary: "Revoke one of the caller's PATs",
      security: bearerSecurity,
      request: {
        headers: TenantHeader,
        params: z.object({ id: z.uuid().openapi({ param: { name: "id", in: "path" } }) }),
      },
      responses: { 204: { description: "Revoked" }, 401: problem("Not authenticated"), 404: problem("No such token") },
    }),
    async (c) => {
      await revokePat(deps, c.var.principal.userId, c.req.valid("param").id, requestContext(c));
      return c.body(null, 204);
    },
  );
}
