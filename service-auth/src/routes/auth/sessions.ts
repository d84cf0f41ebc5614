import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { requireAuth } from "../../middleware/auth.ts";
import type { AuthEnv, Deps } from "../../ports.ts";
import { requestContext } from "../../services/login/request-context.ts";
import { logout, logoutEverywhere, revokeOwnSession } from "../../services/tokens/logout.service.ts";
import * as EX from "../examples/tokens.ts";
import { bearerSecurity, problem, TenantHeader } from "../schemas.ts";
import { clearRefreshCookie } from "../token-delivery.ts";

const SessionSchema = z
  .object({
    id: z.string(),
    current: z.boolean(),
    amr: z.array(z.string()),
    ipAddress: z.string().nullable(),
    userAgent: z.string().nullable(),
    deviceHash: z.string().nullable(),
    createdAt: z.string(),
    lastSeenAt: z.string(),
    expiresAt: z.string(),
  })
  .openapi("Session");

const LogoutAllBody = z
  .strictObject({ includePats: z.boolean().optional().openapi({ description: "Also revoke every PAT" }) })
  .openapi("LogoutAllRequest");

const IdParam = z.object({ id: z.uuid().openapi({ param: { name: "id", in: "path" } }) });

export function registerSessionRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps) {
  const auth = requireAuth(deps);
  for (const path of ["/auth/sessions", "/auth/sessions/*", "/auth/logout", "/auth/logout-all"]) app.use(path, auth);

  app.openapi(
    createRoute({
      method: "get",
      path: "/auth/sessions",
      tags: ["sessions"],
      summary: "The caller's live sessions",
      description:
        "Every session of the caller that is neither revoked nor expired, most recently used first; current marks the one this access token belongs to. amr says how it signed in (email, sms, siwe, passkey, totp…).",
      security: bearerSecurity,
      request: { headers: TenantHeader },
      responses: {
        200: {
          description: "Sessions",
          content: {
            "application/json": { schema: z.object({ items: z.array(SessionSchema) }), example: EX.SESSIONS },
          },
        },
        401: problem("Not authenticated"),
      },
    }),
    async (c) => {
      const p = c.var.principal;
      const now = deps.now();
      const rows = await deps.prisma.session.findMany({
        where: { userId: p.userId, revokedAt: null, expiresAt: { gt: now } },
        orderBy: { lastSeenAt: "desc" },
      });
      const items = rows.map((s) => ({
        id: s.id,
        current: s.id === p.sessionId,
        amr: s.amr,
        ipAddress: s.ipAddress,
        userAgent: s.userAgent,
        deviceHash: s.deviceHash,
        createdAt: s.createdAt.toISOString(),
        lastSeenAt: s.lastSeenAt.toISOString(),
        expiresAt: s.expiresAt.toISOString(),
      }));
      return c.json({ items }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/auth/sessions/{id}",
      tags: ["sessions"],
      summary: "Revoke one of the caller's sessions (its refresh family dies with it)",
      description:
        "Signs one device out: the session's refresh tokens stop working at once, and its access token lapses within its short lifetime. Audited. A session of another user answers 404.",
      security: bearerSecurity,
      request: { params: IdParam, headers: TenantHeader },
      responses: {
        204: { description: "Revoked" },
        401: problem("Not authenticated"),
        404: problem("No such session"),
      },
    }),
    async (c) => {
      const p = c.var.principal;
      const { id } = c.req.valid("param");
      await revokeOwnSession(deps, {
        sessionId: id,
        userId: p.userId,
        tenantId: p.tenantId,
        context: requestContext(c),
      });
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/logout",
      tags: ["sessions"],
      summary: "End the current session and its refresh family",
      description:
        "Signs this device out: revokes the session of the access token and its refresh tokens, and clears the refresh cookie. Audited.",
      security: bearerSecurity,
      request: { headers: TenantHeader },
      responses: { 204: { description: "Logged out" }, 401: problem("Not authenticated") },
    }),
    async (c) => {
      const p = c.var.principal;
      await logout(deps, {
        sessionId: p.sessionId,
        userId: p.userId,
        tenantId: p.tenantId,
        context: requestContext(c),
      });
      clearRefreshCookie(c, deps);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/logout-all",
      tags: ["sessions"],
      summary: "End every session of the caller and forget their trusted devices (and their PATs when asked)",
      description:
        "Revokes every session (with its refresh tokens) and every trusted device; with `includePats: true` also every personal access token. The body is optional.",
      security: bearerSecurity,
      request: {
        headers: TenantHeader,
        body: { content: { "application/json": { schema: LogoutAllBody, example: EX.LOGOUT_ALL } }, required: false },
      },
      responses: {
        204: { description: "Logged out everywhere" },
        400: problem("Invalid body"),
        401: problem("Not authenticated"),
      },
    }),
    async (c) => {
      const p = c.var.principal;
      const body = c.req.header("content-type")?.includes("json") ? c.req.valid("json") : {};
      await logoutEverywhere(deps, {
        userId: p.userId,
        tenantId: p.tenantId,
        includePats: body.includePats ?? false,
        context: requestContext(c),
      });
      clearRefreshCookie(c, deps);
      return c.body(null, 204);
    },
  );
}
