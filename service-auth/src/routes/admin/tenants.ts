import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { LOGIN_METHOD_IDS } from "../../methods/index.ts";
import { requireAuth } from "../../middleware/auth.ts";
import { TENANT_CACHE_MS } from "../../middleware/tenant.ts";
import type { AuthEnv, Deps } from "../../ports.ts";
import { requestContext } from "../../services/login/request-context.ts";
import { tenantSlugSchema } from "../../services/tenancy/tenant.service.ts";
import {
  createTenant,
  getTenant,
  listTenants,
  rotateTenantWebhookSecret,
  updateTenant,
} from "../../services/tenancy/tenant-admin.service.ts";
import { bearerSecurity, problem, TenantBrandSchema, TenantHeader } from "../schemas.ts";
import { requirePlatformAdmin } from "./scope.ts";

const CACHE_NOTE = `Changes reach every instance at once (each instance's tenant cache is emptied through LISTEN/NOTIFY when the change commits; ${TENANT_CACHE_MS / 1000} s at most if a notification is lost).`;

/** `scheme://host[:port]` exactly as browsers send `Origin`: no path, no trailing slash, no default port. */
const Origin = z
  .string()
  .max(255)
  .refine((v) => {
    if (!URL.canParse(v)) return false;
    const url = new URL(v);
    return (url.protocol === "https:" || url.protocol === "http:") && url.origin === v;
  }, "must be scheme://host[:port] (lower case, without path, trailing slash or default port)");

const CLIENTS_PATH = /^\/admin\/tenants\/[^/]+\/clients(?:\/|$)/;

const unique = <T>(list: T[]) => new Set(list).size === list.length;

const TenantFields = {
  name: z.string().trim().min(1).max(100),
  slug: z.string().pipe(tenantSlugSchema).openapi({ description: "Lower-case letters, digits and dashes" }),
  allowedOrigins: z.array(Origin).max(50).refine(unique, "duplicate origin"),
  allowedMethods: z.array(z.enum(LOGIN_METHOD_IDS)).min(1).refine(unique, "duplicate method"),
  jwtAudience: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[\x21-\x7e]+$/, "printable ASCII without spaces"),
  webhookUrl: z.string().max(2048).nullable().openapi({ description: "Where auth events are POSTed, signed" }),
  isActive: z.boolean(),
  settings: z.strictObject({
    mfa: z.enum(["optional", "required"]).optional(),
    lockout: z.enum(["soft", "hard"]).optional(),
    risk: z
      .strictObject({
        challengeAt: z.number().min(0).max(1).optional(),
        denyAt: z.number().min(0).max(1.01).optional(),
      })
      .optional(),
  }),
};

const Brand = z
  .strictObject({
    name: z.string().trim().min(1).max(100).nullable().optional(),
    logoUrl: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .nullable()
      .optional(),
    primaryColor: z
      .string()
      .regex(/^#[0-9a-fA-F]{6}$/, "#rrggbb")
      .nullable()
      .optional(),
    supportEmail: z.email().max(254).nullable().optional(),
  })
  .openapi("TenantBrandInput", {
    description: "White-label brand: hosted login/consent pages and e-mails; null removes a field",
  });

const TenantCreate = z
  .strictObject({
    ...TenantFields,
    webhookUrl: TenantFields.webhookUrl.optional(),
    isActive: TenantFields.isActive.optional(),
    settings: TenantFields.settings.optional(),
    brand: Brand.optional(),
  })
  .openapi("TenantCreate");

const TenantPatch = z
  .strictObject({
    name: TenantFields.name.optional(),
    slug: TenantFields.slug.optional(),
    allowedOrigins: TenantFields.allowedOrigins.optional(),
    allowedMethods: TenantFields.allowedMethods.optional(),
    jwtAudience: TenantFields.jwtAudience.optional(),
    webhookUrl: TenantFields.webhookUrl.optional(),
    isActive: TenantFields.isActive.optional(),
    settings: TenantFields.settings.optional(),
    brand: Brand.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, "at least one field")
  .openapi("TenantPatch");

const TenantSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    slug: z.string(),
    allowedOrigins: z.array(z.string()),
    allowedMethods: z.array(z.string()),
    jwtAudience: z.string(),
    webhookUrl: z.string().nullable(),
    isActive: z.boolean(),
    settings: z.record(z.string(), z.unknown()),
    brand: TenantBrandSchema,
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Tenant");

const SecretNote = "Shown once: store it in the webhook receiver. HMAC-SHA256 key = this string (UTF-8).";

const IdParam = z.object({ id: z.uuid().openapi({ param: { name: "id", in: "path" } }) });

/** `/admin/tenants`: tenant management for platform admins (admins of the `default` tenant). */
export function registerAdminTenantRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps) {
  const auth = requireAuth(deps);
  app.use("/admin/tenants", auth, requirePlatformAdmin);
  // A tenant's OpenID clients are also its own admins' (routes/admin/clients.ts checks).
  app.use("/admin/tenants/*", auth, (c, next) =>
    CLIENTS_PATH.test(c.req.path) ? next() : requirePlatformAdmin(c, next),
  );
  const actor = (c: Parameters<typeof requestContext>[0]) => ({
    principal: c.var.principal,
    context: requestContext(c),
  });

  app.openapi(
    createRoute({
      method: "get",
      path: "/admin/tenants",
      tags: ["admin", "tenants"],
      summary: "Every tenant, newest first",
      security: bearerSecurity,
      request: {
        headers: TenantHeader,
        query: z.strictObject({
          cursor: z.string().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(100).default(50),
          tenant: z.string().optional(),
        }),
      },
      responses: {
        200: {
          description: "A page of tenants",
          content: {
            "application/json": {
              schema: z.object({ items: z.array(TenantSchema), nextCursor: z.string().nullable() }),
            },
          },
        },
        400: problem("Invalid cursor or limit"),
        401: problem("Not authenticated"),
        403: problem("Not a platform admin"),
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      return c.json(await listTenants(deps, { limit: q.limit, cursor: q.cursor }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/admin/tenants",
      tags: ["admin", "tenants"],
      summary: "Create a tenant (and its webhook signing secret, shown once)",
      description: CACHE_NOTE,
      security: bearerSecurity,
      request: {
        headers: TenantHeader,
        body: { content: { "application/json": { schema: TenantCreate } }, required: true },
      },
      responses: {
        201: {
          description: "Created",
          content: {
            "application/json": {
              schema: TenantSchema.extend({ webhookSecret: z.string().openapi({ description: SecretNote }) }).openapi(
                "CreatedTenant",
              ),
            },
          },
        },
        400: problem("Invalid tenant"),
        401: problem("Not authenticated"),
        403: problem("Not a platform admin"),
        409: problem("Slug or jwtAudience already taken (CONFLICT)"),
      },
    }),
    async (c) => {
      const created = await createTenant(deps, c.req.valid("json"), actor(c));
      c.header("Cache-Control", "no-store");
      return c.json({ ...created.tenant, webhookSecret: created.webhookSecret }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/admin/tenants/{id}",
      tags: ["admin", "tenants"],
      summary: "One tenant",
      security: bearerSecurity,
      request: { headers: TenantHeader, params: IdParam },
      responses: {
        200: { description: "Tenant", content: { "application/json": { schema: TenantSchema } } },
        401: problem("Not authenticated"),
        403: problem("Not a platform admin"),
        404: problem("No such tenant"),
      },
    }),
    async (c) => c.json(await getTenant(deps, c.req.valid("param").id), 200),
  );

  app.openapi(
    createRoute({
      method: "patch",
      path: "/admin/tenants/{id}",
      tags: ["admin", "tenants"],
      summary: "Change any subset of a tenant's fields; `isActive: false` deactivates it",
      description: `${CACHE_NOTE} \`settings\` is merged key by key into the stored policy; \`webhookUrl: null\` stops webhooks.`,
      security: bearerSecurity,
      request: {
        headers: TenantHeader,
        params: IdParam,
        body: { content: { "application/json": { schema: TenantPatch } }, required: true },
      },
      responses: {
        200: {
          description: "Updated",
          content: {
            "application/json": {
              schema: TenantSchema.extend({
                webhookSecret: z
                  .string()
                  .optional()
                  .openapi({
                    description: `Only when a webhookUrl was set on a tenant without a signing secret. ${SecretNote}`,
                  }),
              }).openapi("UpdatedTenant"),
            },
          },
        },
        400: problem("Invalid change"),
        401: problem("Not authenticated"),
        403: problem("Not a platform admin"),
        404: problem("No such tenant"),
        409: problem("Slug or jwtAudience taken, or deactivating/renaming the default tenant (CONFLICT)"),
      },
    }),
    async (c) => {
      const updated = await updateTenant(deps, c.req.valid("param").id, c.req.valid("json"), actor(c));
      if (updated.webhookSecret) c.header("Cache-Control", "no-store");
      return c.json(updated, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/admin/tenants/{id}/webhook-secret",
      tags: ["admin", "tenants"],
      summary: "Rotate the tenant's webhook secret; the previous one keeps signing for the grace period",
      security: bearerSecurity,
      request: { headers: TenantHeader, params: IdParam },
      responses: {
        200: {
          description: "The new secret (shown once)",
          content: {
            "application/json": {
              schema: z
                .object({
                  webhookSecret: z.string().openapi({ description: SecretNote }),
                  previousSecretsExpireAt: z.string(),
                })
                .openapi("RotatedWebhookSecret"),
            },
          },
        },
        401: problem("Not authenticated"),
        403: problem("Not a platform admin"),
        404: problem("No such tenant"),
      },
    }),
    async (c) => {
      const rotated = await rotateTenantWebhookSecret(deps, c.req.valid("param").id, actor(c));
      c.header("Cache-Control", "no-store");
      return c.json(rotated, 200);
    },
  );
}
