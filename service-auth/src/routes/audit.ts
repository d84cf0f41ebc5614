import { AppError } from "@atlas/errors";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { requireAuth } from "../middleware/auth.ts";
import type { AuthEnv, Deps } from "../ports.ts";
import { listAuditEvents } from "../services/audit/audit-query.service.ts";
import { isPlatformAdmin, requireAdmin } from "./admin/scope.ts";
import * as EX from "./examples/security.ts";
import { AuditItemSchema, bearerSecurity, problem, TenantHeader } from "./schemas.ts";

const AuditPageSchema = z
  .object({ items: z.array(AuditItemSchema), nextCursor: z.string().nullable() })
  .openapi("AuditEventPage");

const isoDate = z.iso.datetime({ offset: true });

const PageQuery = {
  cursor: z.string().max(200).optional().openapi({ description: "`nextCursor` of the previous page" }),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  eventType: z
    .string()
    .regex(/^[a-z][a-z0-9_.]{0,63}$/)
    .optional(),
  from: isoDate.optional().openapi({ description: "Inclusive lower bound (ISO 8601)" }),
  to: isoDate.optional().openapi({ description: "Exclusive upper bound (ISO 8601)" }),
  tenant: z.string().optional().openapi({ description: "Tenant slug (alternative to X-Tenant on GET)" }),
};
const OwnQuery = z.strictObject(PageQuery);
const AdminQuery = z.strictObject({
  ...PageQuery,
  userId: z.uuid().optional(),
  tenantId: z.uuid().optional().openapi({ description: "Platform admins only; others always see their own tenant" }),
});

const asDate = (v: string | undefined) => (v === undefined ? undefined : new Date(v));

/** `GET /auth/audit` (the caller's own events) and `GET /admin/audit` (all events, filtered). */
export function registerAuditRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps) {
  const auth = requireAuth(deps);
  app.use("/auth/audit", auth);
  app.use("/admin/audit", auth, requireAdmin);

  app.openapi(
    createRoute({
      method: "get",
      path: "/auth/audit",
      tags: ["audit"],
      summary: "The caller's own security events, newest first",
      description:
        "Sign-ins, MFA and token changes, linked methods and billing actions of the caller, with address, approximate place, device and risk score. Pages of up to 100 (limit); pass nextCursor as cursor for the next page. Filter by eventType and a from/to time range.",
      security: bearerSecurity,
      request: { headers: TenantHeader, query: OwnQuery },
      responses: {
        200: {
          description: "A page of events",
          content: { "application/json": { schema: AuditPageSchema, example: EX.AUDIT_PAGE } },
        },
        400: problem("Invalid filter or cursor"),
        401: problem("Not authenticated"),
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const page = await listAuditEvents(
        deps,
        { userId: c.var.principal.userId, eventType: q.eventType, from: asDate(q.from), to: asDate(q.to) },
        { limit: q.limit, cursor: q.cursor },
      );
      return c.json(page, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/admin/audit",
      tags: ["admin", "audit"],
      summary: "Audit events of every user, newest first (admins; platform admins see every tenant)",
      description:
        "For tenant admins: the events of every user of their tenant, filtered by userId, eventType and time range. Platform admins may pass tenantId to read another tenant. Same paging as GET /auth/audit.",
      security: bearerSecurity,
      request: { headers: TenantHeader, query: AdminQuery },
      responses: {
        200: {
          description: "A page of events",
          content: { "application/json": { schema: AuditPageSchema, example: EX.AUDIT_PAGE } },
        },
        400: problem("Invalid filter or cursor"),
        401: problem("Not authenticated"),
        403: problem("Not an admin, or a tenant filter outside the caller's tenant"),
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const platform = isPlatformAdmin(c);
      if (!platform && q.tenantId !== undefined && q.tenantId !== c.var.tenant.id) {
        throw new AppError("FORBIDDEN", { detail: "Admins of a tenant see only that tenant's events" });
      }
      const page = await listAuditEvents(
        deps,
        {
          tenantId: platform ? q.tenantId : c.var.tenant.id,
          userId: q.userId,
          eventType: q.eventType,
          from: asDate(q.from),
          to: asDate(q.to),
        },
        { limit: q.limit, cursor: q.cursor },
      );
      return c.json(page, 200);
    },
  );
}
