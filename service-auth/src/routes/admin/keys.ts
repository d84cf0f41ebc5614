import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { requireAuth } from "../../middleware/auth.ts";
import type { AuthEnv, Deps } from "../../ports.ts";
import { recordAudit } from "../../services/audit/audit.service.ts";
import { requestContext } from "../../services/login/request-context.ts";
import * as EX from "../examples/tokens.ts";
import { bearerSecurity, problem, TenantHeader } from "../schemas.ts";
import { requirePlatformAdmin } from "./scope.ts";

const Rotation = z.object({ kid: z.string(), activatesAt: z.string() }).openapi("KeyRotation");

/**
 * On-demand signing-key rotation (scheduled rotation runs in the background job). The keys sign
 * every tenant's tokens, so only platform administrators rotate them, never a tenant's admin.
 */
export function registerAdminKeyRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps) {
  app.use("/admin/keys/*", requireAuth(deps), requirePlatformAdmin);
  app.openapi(
    createRoute({
      method: "post",
      path: "/admin/keys/rotate",
      tags: ["admin"],
      summary: "Publish a new signing key now; it signs one JWKS cache lifetime later",
      description:
        "Platform admins only. The new key is in the JWKS at once and starts signing after one JWKS cache lifetime, so every verifier has it before the first token it signs; when a rotation is already pending, that one is answered. Audited (signing_key_rotated).",
      security: bearerSecurity,
      request: { headers: TenantHeader },
      responses: {
        202: {
          description: "Rotation scheduled (or the pending one)",
          content: { "application/json": { schema: Rotation, example: EX.KEY_ROTATION } },
        },
        401: problem("Not authenticated"),
        403: problem("Not a platform admin (admin of the default tenant)"),
      },
    }),
    async (c) => {
      const now = deps.now();
      const rotation = await deps.signingKeys.rotate(now);
      const p = c.var.principal;
      await recordAudit(
        deps.prisma,
        {
          eventType: "signing_key_rotated",
          tenantId: p.tenantId,
          userId: p.userId,
          context: requestContext(c),
          details: { kid: rotation.kid },
        },
        now,
      );
      return c.json({ kid: rotation.kid, activatesAt: rotation.activatesAt.toISOString() }, 202);
    },
  );
}
