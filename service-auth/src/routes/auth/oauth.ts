import { AppError } from "@atlas/errors";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { MethodDoc } from "../../methods/manifest.ts";
import { byIp, loginRules, rateLimit } from "../../middleware/rate-limit.ts";
import type { AuthEnv, Deps } from "../../ports.ts";
import { assertMethodAllowed, auditedRedirect } from "../../services/login/login-policy.service.ts";
import { OAUTH_PROVIDERS, type OAuthProviderName } from "../../services/login/method-ids.ts";
import { requestContext } from "../../services/login/request-context.ts";
import {
  completeOAuth,
  OAUTH_COOKIE,
  OAUTH_FLOW_TTL_MS,
  startOAuth,
} from "../../services/methods/oauth/oauth.service.ts";
import { methodOf } from "../../services/methods/oauth/providers.ts";
import * as EX from "../examples/login.ts";
import { bearerSecurity, problem, TenantHeader } from "../schemas.ts";
import { setRefreshCookie } from "../token-delivery.ts";

const ProviderParam = z.object({
  provider: z.string().openapi({ param: { name: "provider", in: "path" }, example: "google" }),
});

function providerOf(name: string): OAuthProviderName {
  if (!(OAUTH_PROVIDERS as readonly string[]).includes(name)) {
    throw new AppError("NOT_FOUND", { detail: `Unknown OAuth provider ${name}` });
  }
  return name as OAuthProviderName;
}

/**
 * The flow cookie: HttpOnly, SameSite=Lax (it must come back on the provider's top-level
 * redirect to the callback), only on /auth/oauth, for the flow's lifetime.
 */
function setFlowCookie(c: Context, deps: Deps, value: string) {
  setCookie(c, OAUTH_COOKIE, value, {
    httpOnly: true,
    sameSite: "Lax",
    secure: deps.config.cookies.secure,
    path: "/auth/oauth",
    maxAge: OAUTH_FLOW_TTL_MS / 1000,
  });
}

/**
 * `/auth/oauth/:provider/start|callback` and explicit linking of a provider, for every provider;
 * `doc` is the manifests' (src/methods/oauth.ts).
 */
export function registerOAuthRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps, doc: MethodDoc) {
  app.use("/auth/oauth/:provider/start", rateLimit(deps, loginRules(deps)));
  app.use(
    "/auth/oauth/:provider/callback",
    rateLimit(deps, [
      { name: "oauth:callback:ip", limit: deps.config.RATE_LIMIT_LOGIN_PER_MIN_IP, windowMs: 60_000, key: byIp },
    ]),
  );
  app.use(
    "/auth/identities/oauth/*",
    rateLimit(deps, [{ name: "link:ip", limit: deps.config.RATE_LIMIT_LOGIN_PER_MIN_IP, windowMs: 60_000, key: byIp }]),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/auth/oauth/{provider}/start",
      tags: [doc.tag],
      summary: "Redirect to the provider with state, PKCE (S256) and, for OIDC, a nonce",
      description:
        "Providers: google, github, discord, twitter, and `oidc` (a generic OpenID Connect provider). A browser navigates here; the tenant comes from `X-Tenant` or `?tenant=`. Sets the HttpOnly flow cookie `atlas_oauth` that the callback requires.",
      request: {
        params: ProviderParam,
        query: z.object({
          redirectTo: z.string().max(2048).optional(),
          tenant: z.string().max(64).optional().openapi({ description: "Tenant slug (navigations carry no header)" }),
        }),
        headers: TenantHeader,
      },
      responses: {
        302: { description: "To the provider's authorization endpoint" },
        400: problem("redirectTo is not one of the tenant's allowed origins"),
        403: problem("Provider not enabled for this tenant or not configured"),
        404: problem("Unknown provider"),
        429: problem("Rate limited"),
        503: problem("The provider cannot be reached"),
      },
    }),
    async (c) => {
      const provider = providerOf(c.req.valid("param").provider);
      const tenant = c.var.tenant;
      assertMethodAllowed(tenant, methodOf(provider));
      const redirectTo = await auditedRedirect(deps, {
        tenant,
        redirectTo: c.req.valid("query").redirectTo,
        method: methodOf(provider),
        context: requestContext(c),
      });
      const { url, cookie } = await startOAuth(deps, { tenant, provider, redirectTo, context: requestContext(c) });
      setFlowCookie(c, deps, cookie);
      c.header("Cache-Control", "no-store");
      return c.redirect(url, 302);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/auth/oauth/{provider}/callback",
      tags: [doc.tag],
      summary: "The provider's redirect back: completes the login or the linking",
      description:
        "Requires the `atlas_oauth` cookie of the browser that started the flow. A login sets the refresh-token cookie and redirects to `redirectTo` (default: the web-app); the page then calls `/auth/token/refresh`. A link redirects with `?linked=<provider>`. Failures after the flow is recognised redirect with `?error=<CODE>`; an unknown, used, expired or foreign `state` answers 401 INVALID_CREDENTIALS.",
      request: {
        params: ProviderParam,
        query: z.object({
          code: z.string().optional(),
          state: z.string().optional(),
          iss: z.string().optional(),
          error: z.string().optional(),
          error_description: z.string().optional(),
        }),
      },
      responses: {
        302: { description: "To redirectTo: logged in (refresh cookie set), linked, or `?error=<CODE>`" },
        401: problem("State missing, not this browser's, unknown, used or expired (INVALID_CREDENTIALS)"),
        404: problem("Unknown provider"),
        429: problem("Rate limited"),
      },
    }),
    async (c) => {
      const provider = providerOf(c.req.valid("param").provider);
      const cookie = getCookie(c, OAUTH_COOKIE);
      // Single use, whatever happens next.
      deleteCookie(c, OAUTH_COOKIE, { path: "/auth/oauth", secure: deps.config.cookies.secure });
      c.header("Cache-Control", "no-store");
      c.header("Referrer-Policy", "no-referrer");
      const query = new URL(c.req.url).searchParams;
      const outcome = await completeOAuth(deps, { provider, query, cookie, context: requestContext(c) });
      const target = new URL(outcome.redirectTo);
      if (outcome.kind === "failed") {
        target.searchParams.set("error", outcome.code);
      } else if (outcome.kind === "linked") {
        target.searchParams.set("linked", provider);
      } else if (outcome.kind === "mfa") {
        // The second step happens in the page: the token goes in the fragment (never sent to a
        // server, never in a Referer), the signal in the query.
        target.searchParams.set("error", "MFA_REQUIRED");
        target.hash = new URLSearchParams({
          mfaToken: outcome.mfaToken,
          methods: outcome.methods.join(","),
        }).toString();
      } else {
        setRefreshCookie(c, deps, outcome.tokens.refreshToken);
      }
      return c.redirect(target.href, 302);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/identities/oauth/{provider}",
      tags: ["account"],
      summary: "Start linking a provider to the caller: answers the URL to navigate to",
      description:
        "Call with credentials (the response sets the `atlas_oauth` flow cookie), then navigate the browser to `url`. The callback links the provider identity and redirects to `redirectTo` with `?linked=<provider>` (or `?error=CONFLICT` when another user holds it).",
      security: bearerSecurity,
      request: {
        params: ProviderParam,
        headers: TenantHeader,
        body: {
          content: {
            "application/json": {
              schema: z.strictObject({ redirectTo: z.string().max(2048).optional() }),
              example: EX.OAUTH_LINK_REQUEST,
            },
          },
          required: false,
        },
      },
      responses: {
        200: {
          description: "Where to send the browser",
          content: {
            "application/json": {
              schema: z.object({ url: z.string() }).openapi("OAuthLinkStart"),
              example: EX.OAUTH_LINK,
            },
          },
        },
        400: problem("Invalid redirectTo"),
        401: problem("Not authenticated"),
        403: problem("Provider not enabled for this tenant or not configured"),
        404: problem("Unknown provider"),
      },
    }),
    async (c) => {
      const provider = providerOf(c.req.valid("param").provider);
      const tenant = c.var.tenant;
      assertMethodAllowed(tenant, methodOf(provider));
      const body = c.req.header("content-type")?.includes("json") ? c.req.valid("json") : {};
      const redirectTo = await auditedRedirect(deps, {
        tenant,
        redirectTo: body.redirectTo,
        method: methodOf(provider),
        context: requestContext(c),
      });
      const { url, cookie } = await startOAuth(deps, {
        tenant,
        provider,
        redirectTo,
        linkUserId: c.var.principal.userId,
        context: requestContext(c),
      });
      setFlowCookie(c, deps, cookie);
      c.header("Cache-Control", "no-store");
      return c.json({ url }, 200);
    },
  );
}
