import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AuthEnv, Deps } from "../ports.ts";
import { registerOAuthRoutes } from "../routes/auth/oauth.ts";
import type { OAuthProviderName } from "../services/login/method-ids.ts";
import { defineMethod } from "./manifest.ts";

const doc = { label: "OAuth", tag: "login: OAuth" };

/** One router serves every provider (`/auth/oauth/{provider}/…`): the same function, mounted once. */
const register = (app: OpenAPIHono<AuthEnv>, deps: Deps) => registerOAuthRoutes(app, deps, doc);

const provider = <const P extends OAuthProviderName>(name: P, label: string) =>
  defineMethod({
    id: `oauth:${name}`,
    label,
    tag: doc.tag,
    available: (deps) => deps.oauth.isConfigured(name),
    register,
  });

/** OAuth 2 / OpenID Connect providers, each the method `oauth:<provider>`. */
export const oauthMethods = [
  provider("google", "Google"),
  provider("github", "GitHub"),
  provider("discord", "Discord"),
  provider("twitter", "X (Twitter)"),
  provider("oidc", "Single sign-on"),
];
