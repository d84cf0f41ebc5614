import { AppError } from "@atlas/errors";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { AuthEnv, Deps } from "../../ports.ts";
import { requestContext } from "../../services/login/request-context.ts";
import {
  CLIENT_AUTH_METHODS,
  createClient,
  deleteClient,
  getClient,
  listClients,
  OIDC_SCOPES,
  rotateClientSecret,
  updateClient,
} from "../../services/oidc/clients.service.ts";
import { bearerSecurity, problem, TenantHeader } from "../schemas.ts";
import { isPlatformAdmin } from "./scope.ts";

const unique = <T>(list: T[]) => new Set(list).size === list.length;
const Uri = z.string().min(1).max(2048);

const Jwks = z.strictObject({ keys: z.array(z.record(z.string(), z.unknown())).min(1).max(10) });

const ClientFields = {
  name: z.string().trim().min(1).max(100),
  redirectUris: z.array(Uri).min(1).max(20).refine(unique, "duplicate URI"),
  postLogoutRedirectUris: z.array(Uri).max(20).refine(unique, "duplicate URI"),
  allowedScopes: z.array(z.enum(OIDC_SCOPES)).min(1).refine(unique, "duplicate scope"),
  firstParty: z.boolean(),
  tokenEndpointAuthMethod: z.enum(CLIENT_AUTH_METHODS),
  jwks: Jwks.nullable(),
  logoUri: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .nullable(),
};

const ClientCreate = z
  .strictObject({
    ...ClientFields,
    postLogoutRedirectUris: ClientFields.postLogoutRedirectUris.optional(),
    firstParty: ClientFields.firstParty.optional(),
    jwks: ClientFields.jwks.optional(),
    logoUri: ClientFields.logoUri.optional(),
  })
  .openapi("OidcClientCreate");

const ClientPatch = z
  .strictObject(
    Object.fromEntries(Object.entries(ClientFields).map(([k, v]) => [k, v.optional()])) as {
      [K in keyof typeof ClientFields]: z.ZodOptional<(typeof ClientFields)[K]>;
    },
  )
  .refine((v) => Object.keys(v).length > 0, "at least one field")
  .openapi("OidcClientPatch");

const ClientSchema = z
  .object({
    clientId: z.string(),
    tenantId: z.string(),
    name: z.string(),
    redirectUris: z.array(z.string()),
    postLogoutRedirectUris: z.array(z.string()),
    allowedScopes: z.array(z.string()),
    firstParty: z.boolean(),
    tokenEndpointAuthMethod: z.string(),
    jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).nullable(),
    logoUri: z.string().nullable(),
    previousSecretExpiresAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("OidcClient");

const SecretNote = "Shown once: Atlas stores only its SHA-256.";
const IdParam = z.object({ id: z.uuid().openapi({ param: { name: "id", in: "path" } }) });
const ClientParams = IdParam.extend({
  clientId: z
    .string()
    .regex(/^[0-9a-f]{32}$/)
    .openapi({ param: { name: "clientId", in: "path" } }),
});

/** Platform admins manage every tenant's clients; a tenant's own admins manage their tenant's. */
const requireClientAdmin: MiddlewareHandler<AuthEnv> = async (c, next) => {
  const own = c.var.principal.roles.includes("admin") && c.var.tenant.id === c.req.param("id");
  if (!own && !isPlatformAdmin(c)) throw new AppError("FORBIDDEN", { detail: "Admin of this tenant required" });
  await next();
};

/** `/admin/tenants/:id/clients`: the OpenID clients (relying parties) of a tenant. */
export function registerAdminClientRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps) {
  // After registerAdminTenantRoutes: its `/admin/tenants/*` authentication runs first.
  app.use("/admin/tenants/:id/clients", requireClientAdmin);
  app.use("/admin/tenants/:id/clients/*", requireClientAdmin);
  const actor = (c: Parameters<typeof requestContext>[0]) => ({
    principal: c.var.principal,
    context: requestContext(c),
  });
  const common = { tags: ["admin", "openid-provider"], security: bearerSecurity };
  const denied = { 401: problem("Not authenticated"), 403: problem("Not an admin of this tenant") };

  app.openapi(
    createRoute({
      ...common,
      method: "get",
      path: "/admin/tenants/{id}/clients",
      summary: "The tenant's OpenID clients, newest first",
      request: {
        headers: TenantHeader,
        params: IdParam,
        query: z.strictObject({
          cursor: z.string().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(100).default(50),
          tenant: z.string().optional(),
        }),
      },
      responses: {
        200: {
          description: "A page of clients",
          content: {
            "application/json": {
              schema: z.object({ items: z.array(ClientSchema), nextCursor: z.string().nullable() }),
            },
          },
        },
        ...denied,
        404: problem("No such tenant"),
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      return c.json(await listClients(deps, c.req.valid("param").id, q), 200);
    },
  );

  app.openapi(
    createRoute({
      ...common,
      method: "post",
      path: "/admin/tenants/{id}/clients",
      summary: "Register a client (its secret, for secret-based authentication, is shown once)",
      request: {
        headers: TenantHeader,
        params: IdParam,
        body: { content: { "application/json": { schema: ClientCreate } }, required: true },
      },
      responses: {
        201: {
          description: "Created",
          content: {
            "application/json": {
              schema: z
                .object({
                  client: ClientSchema,
                  clientSecret: z.string().optional().openapi({ description: SecretNote }),
                })
                .openapi("CreatedOidcClient"),
            },
          },
        },
        400: problem("Invalid client"),
        ...denied,
        404: problem("No such tenant"),
      },
    }),
    async (c) => {
      const created = await createClient(deps, c.req.valid("param").id, c.req.valid("json"), actor(c));
      c.header("Cache-Control", "no-store");
      return c.json(created, 201);
    },
  );

  app.openapi(
    createRoute({
      ...common,
      method: "get",
      path: "/admin/tenants/{id}/clients/{clientId}",
      summary: "One client",
      request: { headers: TenantHeader, params: ClientParams },
      responses: {
        200: { description: "Client", content: { "application/json": { schema: ClientSchema } } },
        ...denied,
        404: problem("No such client"),
      },
    }),
    async (c) => {
      const p = c.req.valid("param");
      return c.json(await getClient(deps, p.id, p.clientId), 200);
    },
  );

  app.openapi(
    createRoute({
      ...common,
      method: "patch",
      path: "/admin/tenants/{id}/clients/{clientId}",
      summary: "Change any subset of a client's fields",
      request: {
        headers: TenantHeader,
        params: ClientParams,
        body: { content: { "application/json": { schema: ClientPatch } }, required: true },
      },
      responses: {
        200: {
          description: "Updated (clientSecret only when switching to a secret-based method)",
          content: {
            "application/json": {
              schema: ClientSchema.extend({ clientSecret: z.string().optional() }).openapi("UpdatedOidcClient"),
            },
          },
        },
        400: problem("Invalid change"),
        ...denied,
        404: problem("No such client"),
      },
    }),
    async (c) => {
      const p = c.req.valid("param");
      const updated = await updateClient(deps, p.id, p.clientId, c.req.valid("json"), actor(c));
      if (updated.clientSecret) c.header("Cache-Control", "no-store");
      return c.json(updated, 200);
    },
  );

  app.openapi(
    createRoute({
      ...common,
      method: "delete",
      path: "/admin/tenants/{id}/clients/{clientId}",
      summary: "Delete a client, its grants and tokens, and users' consents to it",
      request: { headers: TenantHeader, params: ClientParams },
      responses: { 204: { description: "Deleted" }, ...denied, 404: problem("No such client") },
    }),
    async (c) => {
      const p = c.req.valid("param");
      await deleteClient(deps, p.id, p.clientId, actor(c));
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      ...common,
      method: "post",
      path: "/admin/tenants/{id}/clients/{clientId}/secret",
      summary: "Rotate the client secret; the previous one keeps working for overlapSeconds",
      request: {
        headers: TenantHeader,
        params: ClientParams,
        body: {
          content: {
            "application/json": {
              schema: z.strictObject({
                overlapSeconds: z
                  .number()
                  .int()
                  .min(0)
                  .max(30 * 86_400)
                  .optional(),
              }),
            },
          },
          required: false,
        },
      },
      responses: {
        200: {
          description: "The new secret (shown once)",
          content: {
            "application/json": {
              schema: z
                .object({
                  clientSecret: z.string().openapi({ description: SecretNote }),
                  previousSecretExpiresAt: z.string().nullable(),
                })
                .openapi("RotatedOidcClientSecret"),
            },
          },
        },
        400: problem("Invalid overlap"),
        ...denied,
        404: problem("No such client"),
        409: problem("A private_key_jwt client has no secret"),
      },
    }),
    async (c) => {
      const p = c.req.valid("param");
      const body = c.req.header("content-type")?.includes("json") ? c.req.valid("json") : {};
      const rotated = await rotateClientSecret(deps, p.id, p.clientId, body.overlapSeconds ?? 0, actor(c));
      c.header("Cache-Control", "no-store");
      return c.json(rotated, 200);
    },
  );
}
