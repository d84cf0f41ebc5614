import type { MiddlewareHandler } from "hono";
import { credentialsRequired, insufficientScope } from "./challenge.ts";

// RFC 6749 §3.3 scope-token characters, minus `"` and `\` so the challenge needs no escaping.
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * Hono middleware that lets a request through only if `c.var.auth` (set by `bearerAuth`)
 * holds `scope`; otherwise 403 `FORBIDDEN` with
 * `WWW-Authenticate: Bearer realm="atlas", error="insufficient_scope", scope="<scope>"`.
 * Mounted without `bearerAuth` before it, it fails closed with 401.
 *
 * @example
 * app.put("/v1/objects/:key", requireScope("objects:write"), handler);
 */
export function requireScope(scope: string): MiddlewareHandler {
  if (typeof scope !== "string" || !SCOPE_TOKEN.test(scope)) {
    throw new TypeError(`requireScope: "${String(scope)}" is not a valid scope`);
  }
  return async function requireScopeMiddleware(c, next) {
    const auth = c.get("auth");
    if (!auth) throw credentialsRequired();
    if (!auth.scopes.includes(scope)) throw insufficientScope(scope);
    await next();
  };
}
