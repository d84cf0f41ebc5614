import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AuthEnv, Deps } from "../ports.ts";
import type { LoginMethod } from "../services/login/method-ids.ts";

/** How a method's routes are documented: their OpenAPI tag, and the method's name in summaries. */
export interface MethodDoc {
  tag: string;
  label: string;
}

/**
 * A login method as one module (better-auth's one-folder plugins): the tenant method id it is
 * allowed under, how it is named, whether this server can serve it, and the routes it mounts.
 * app.ts mounts every manifest of src/methods/index.ts; the admin API's method enum, the public
 * tenant's `allowedMethods`, the OpenAPI tags of the method routes and the web-app's list of
 * methods (web-app/src/login-methods.ts, generated) all come from the manifests.
 *
 * @example
 * const method = { id: "siwe", label: "Ethereum", tag: "login: Ethereum" } as const;
 * export const siweMethod = defineMethod({ ...method, available: () => true,
 *   register: (app, deps) => registerSiweRoutes(app, deps, method) });
 */
export interface LoginMethodManifest<Id extends LoginMethod = LoginMethod> extends MethodDoc {
  /** The id a tenant's `allowedMethods` names (api.md vocabulary). */
  id: Id;
  /**
   * Whether this server can serve the method at all: an OAuth provider without client
   * credentials, or SMS/e-mail without a provider (outside development), would only fail after
   * the click, so the login page is not offered it (`GET /tenants/current`).
   */
  available(deps: Deps): boolean;
  /** Mounts the method's routes. Methods that share a router share this function: it is mounted once. */
  register(app: OpenAPIHono<AuthEnv>, deps: Deps): void;
}

/** A manifest, its id kept literal (src/methods/index.ts checks that the ids cover the vocabulary). */
export const defineMethod = <const Id extends LoginMethod>(manifest: LoginMethodManifest<Id>) => manifest;
