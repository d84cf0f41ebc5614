import { AppError } from "@atlas/errors";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { requireAuthOrPat } from "../../middleware/auth.ts";
import type { AuthEnv, Deps, Principal } from "../../ports.ts";
import { USER_SCOPES } from "../../services/jwt.service.ts";
import { requestContext } from "../../services/login/request-context.ts";
import { assertRecentMfa, mfaMethodsOf } from "../../services/mfa/mfa.service.ts";
import { createPat, listPats, revokePat } from "../../services/tokens/pat.service.ts";
import * as EX from "../examples/tokens.ts";
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

/**
 * A PAT may manage the user's PATs (the CLI does) only with `profile:read`, except revoking
 * itself (`atlas logout`), which any token may do: possession already proves it.
 */
function assertPatMayManage(p: Principal, revokingId?: string): void {
  if (!p.pat || p.pat.id === revokingId || p.scopes.includes("profile:read")) return;
  throw new AppError("FORBIDDEN", { detail: "This token lacks profile:read, which managing tokens needs" });
}

/**
 * What a PAT-authenticated caller may create: no scope it lacks itself, nothing that outlives it,
 * and nothing at all for users with MFA (a PAT has no session in which to prove the second factor).
 */
async function assertPatMayCreate(
  deps: Deps,
  p: Principal & { pat: NonNullable<Principal["pat"]> },
  body: { scopes: string[]; expiresInDays?: number | undefined },
): Promise<void> {
  assertPatMayManage(p);
  const extra = body.scopes.filter((s) => !p.scopes.includes(s));
  if (extra.length > 0) {
    throw new AppError("FORBIDDEN", { detail: `A token cannot grant scopes it lacks: ${extra.join(" ")}` });
  }
  const parentExpiry = p.pat.expiresAt?.getTime();
  const childExpiry = body.expiresInDays ? deps.now().getTime() + body.expiresInDays * 86_400_000 : Infinity;
  if (parentExpiry !== undefined && childExpiry > parentExpiry) {
    throw new AppError("VALIDATION_FAILED", {
      detail: "A token created with a token cannot outlive it: give expiresInDays within its lifetime",
    });
  }
  if ((await mfaMethodsOf(deps, p.userId)).length > 0) {
    throw new AppError("FORBIDDEN", {
      detail: "Accounts with MFA create tokens from a signed-in session (web app or atlas login)",
    });
  }
}

export function registerPatRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps) {
  const auth = requireAuthOrPat(deps);
  app.use("/auth/pats", auth);
  app.use("/auth/pats/*", auth);

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/pats",
      tags: ["personal access tokens"],
      summary: "Create a personal access token",
      description:
        "The token (atlas_pat_…) is in this answer once and never again; only its hash is stored. With an access token (MFA users: recent MFA). With a PAT holding `profile:read` (the CLI): only scopes that PAT has, expiring no later than it, and not for users with MFA.",
      security: bearerSecurity,
      request: {
        headers: TenantHeader,
        body: { content: { "application/json": { schema: CreatePat, example: EX.CREATE_PAT } }, required: true },
      },
      responses: {
        201: {
          description: "Created",
          content: {
            "application/json": {
              schema: PatSchema.extend({ token: z.string() }).openapi("CreatedPersonalAccessToken"),
              example: EX.CREATED_PAT,
            },
          },
        },
        400: problem("Invalid request"),
        401: problem("Not authenticated, or MFA_REQUIRED (users with MFA need a recent verification)"),
        403: problem("A PAT caller asked for more than it may grant (FORBIDDEN)"),
      },
    }),
    async (c) => {
      const p = c.var.principal;
      const body = c.req.valid("json");
      // Step-up: a PAT outlives the session, so MFA users re-prove their second factor first.
      if (p.pat) await assertPatMayCreate(deps, { ...p, pat: p.pat }, body);
      else await assertRecentMfa(deps, { principal: p, tenant: c.var.tenant, context: requestContext(c) });
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
      description:
        "The caller's personal access tokens that are neither revoked nor expired: name, scopes, the first characters of the token (displayPrefix) and when it was last used. The secret itself is never shown again. A PAT caller needs `profile:read`.",
      security: bearerSecurity,
      request: { headers: TenantHeader },
      responses: {
        200: {
          description: "PATs",
          content: { "application/json": { schema: z.object({ items: z.array(PatSchema) }), example: EX.PATS } },
        },
        401: problem("Not authenticated"),
        403: problem("A PAT caller without profile:read (FORBIDDEN)"),
      },
    }),
    async (c) => {
      assertPatMayManage(c.var.principal);
      return c.json({ items: await listPats(deps, c.var.principal.userId) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/auth/pats/{id}",
      tags: ["personal access tokens"],
      summary: "Revoke one of the caller's PATs",
      description:
        "The token stops working at once. A PAT may always revoke itself (atlas logout); revoking another token with a PAT needs `profile:read`. Audited.",
      security: bearerSecurity,
      request: {
        headers: TenantHeader,
        params: z.object({ id: z.uuid().openapi({ param: { name: "id", in: "path" } }) }),
      },
      responses: {
        204: { description: "Revoked" },
        401: problem("Not authenticated"),
        403: problem("A PAT caller without profile:read revoking another token (FORBIDDEN)"),
        404: problem("No such token"),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      assertPatMayManage(c.var.principal, id);
      await revokePat(deps, c.var.principal.userId, id, requestContext(c));
      return c.body(null, 204);
    },
  );
}
