// The OpenID Provider of each tenant at `/t/:slug/*` (oidc-provider on the Node request), and the
// JSON API of its interactions for the web-app's hosted login and consent pages.
import type { IncomingMessage, ServerResponse } from "node:http";
import { AppError } from "@atlas/errors";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { bearerToken } from "../../middleware/auth.ts";
import type { AuthEnv, Deps } from "../../ports.ts";
import { requestContext } from "../../services/login/request-context.ts";
import {
  abortInteraction,
  interactionView,
  submitConsent,
  submitLogin,
} from "../../services/oidc/interactions.service.ts";
import { OidcProviders } from "../../services/oidc/registry.ts";
import { bearerSecurity, problem } from "../schemas.ts";

const Params = z.object({
  slug: z.string().openapi({ param: { name: "slug", in: "path" } }),
  uid: z
    .string()
    .max(64)
    .openapi({ param: { name: "uid", in: "path" } }),
});

const InteractionSchema = z
  .object({
    uid: z.string(),
    prompt: z.enum(["login", "consent"]),
    client: z.object({
      clientId: z.string(),
      name: z.string(),
      logoUri: z.string().nullable(),
      redirectHost: z.string(),
      firstParty: z.boolean(),
    }),
    scopes: z.array(z.string()),
    requireMfa: z.boolean(),
    maxAge: z.number().nullable(),
    loginHint: z.string().nullable(),
    tenant: z.object({
      slug: z.string(),
      name: z.string(),
      brand: z.object({
        name: z.string(),
        logoUrl: z.string().nullable(),
        primaryColor: z.string().nullable(),
        supportEmail: z.string().nullable(),
      }),
    }),
  })
  .openapi("OidcInteraction");

const Redirect = z.object({ redirectTo: z.string() }).openapi("OidcInteractionRedirect");
const redirectResponse = {
  description: "Where the browser goes next (a top-level navigation that resumes the authorization)",
  content: { "application/json": { schema: Redirect } },
};

/** CORS for the hosted pages: the web-app (WEB_ORIGIN) and the tenant's allowed origins. */
function interactionCors(deps: Deps): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    await next();
    const origin = c.req.header("origin");
    if (origin && (origin === deps.config.WEB_ORIGIN || c.var.tenant?.allowedOrigins.includes(origin))) {
      c.res.headers.set("Access-Control-Allow-Origin", origin);
      c.res.headers.set("Access-Control-Allow-Credentials", "true");
      c.res.headers.append("Vary", "Origin");
    }
  };
}

export function registerOidcProviderRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps) {
  const providers = new OidcProviders(deps);
  const slugs = deps.tenantCache.slugCache();
  const tenantOf: MiddlewareHandler<AuthEnv> = async (c, next) => {
    c.set("tenant", await slugs.resolve(deps, c.req.param("slug") ?? ""));
    await next();
  };
  app.use("/t/:slug/interactions/*", interactionCors(deps), tenantOf);
  const provider = (c: Context<AuthEnv>) => providers.get(c.var.tenant);
  const token = (c: Context<AuthEnv>) => bearerToken(c.req.header("authorization"));
  const noStore = (c: Context<AuthEnv>) => c.header("Cache-Control", "no-store");

  app.openapi(
    createRoute({
      method: "get",
      path: "/t/{slug}/interactions/{uid}",
      tags: ["openid-provider"],
      summary: "A pending sign-in request of the tenant's OpenID Provider, as the hosted page shows it",
      request: { params: Params },
      responses: {
        200: { description: "The interaction", content: { "application/json": { schema: InteractionSchema } } },
        403: problem("Inactive tenant"),
        404: problem("Unknown or expired interaction, or unknown tenant"),
      },
    }),
    async (c) => {
      noStore(c);
      return c.json(await interactionView(await provider(c), c.var.tenant, c.req.valid("param").uid), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/t/{slug}/interactions/{uid}/login",
      tags: ["openid-provider"],
      summary: "Complete the login prompt with the caller's Atlas session",
      description:
        "401 MFA_REQUIRED when the request asks for MFA (acr_values urn:atlas:acr:mfa) and the session has none; 401 INVALID_TOKEN 'sign in again' when prompt=login or max_age need a newer login.",
      security: bearerSecurity,
      request: { params: Params },
      responses: {
        200: redirectResponse,
        401: problem("Not signed in, MFA required, or the login is too old"),
        403: problem("A token of another tenant"),
        404: problem("Unknown or expired interaction"),
      },
    }),
    async (c) => {
      noStore(c);
      const uid = c.req.valid("param").uid;
      const redirectTo = await submitLogin(deps, await provider(c), c.var.tenant, uid, token(c), requestContext(c));
      return c.json({ redirectTo }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/t/{slug}/interactions/{uid}/consent",
      tags: ["openid-provider"],
      summary: "Grant the requested scopes to the client (remembered per user, client and scopes)",
      security: bearerSecurity,
      request: { params: Params },
      responses: {
        200: redirectResponse,
        401: problem("Not signed in"),
        403: problem("Another user or tenant"),
        404: problem("Unknown or expired interaction"),
        409: problem("The interaction is not waiting for consent"),
      },
    }),
    async (c) => {
      noStore(c);
      const uid = c.req.valid("param").uid;
      const redirectTo = await submitConsent(deps, await provider(c), c.var.tenant, uid, token(c), requestContext(c));
      return c.json({ redirectTo }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/t/{slug}/interactions/{uid}/abort",
      tags: ["openid-provider"],
      summary: "Cancel the sign-in: the client receives error=access_denied",
      request: { params: Params },
      responses: { 200: redirectResponse, 404: problem("Unknown or expired interaction") },
    }),
    async (c) => {
      noStore(c);
      return c.json({ redirectTo: await abortInteraction(await provider(c), c.req.valid("param").uid) }, 200);
    },
  );

  // The protocol endpoints (authorize, token, userinfo, jwks, logout, revoke, introspect,
  // discovery): oidc-provider answers on the Node request and response themselves.
  app.all("/t/:slug/*", tenantOf, async (c) => {
    const env = c.env as { incoming?: IncomingMessage; outgoing?: ServerResponse } | undefined;
    if (!env?.incoming || !env.outgoing) {
      throw new AppError("SERVICE_UNAVAILABLE", {
        detail: "The OpenID Provider is served by the Node HTTP server only",
      });
    }
    const op = await provider(c);
    const prefix = `/t/${c.var.tenant.slug}`;
    const incoming = env.incoming as IncomingMessage & { originalUrl?: string };
    const original = incoming.url ?? "/";
    // As a mounted app: oidc-provider builds its URLs from originalUrl minus url (the mount path).
    incoming.originalUrl = original;
    incoming.url = original.slice(prefix.length) || "/";
    // The Node stream was read by the adapter; oidc-provider takes a read body from req.body
    // (lib/shared/selective_body.js), which it then parses by the request's content type.
    if (c.req.method !== "GET" && c.req.method !== "HEAD") {
      (incoming as IncomingMessage & { body?: Buffer }).body = Buffer.from(await c.req.arrayBuffer());
    }
    await providers.callback(op)(incoming, env.outgoing);
    return RESPONSE_ALREADY_SENT;
  });
}
