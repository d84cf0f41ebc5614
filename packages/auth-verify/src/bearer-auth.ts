import type { Context, MiddlewareHandler } from "hono";
import type { AuthContext } from "./auth-context.ts";
import { parseAuthorization } from "./bearer-token.ts";
import { credentialsRequired, invalidToken } from "./challenge.ts";
import { createIntrospector } from "./introspection.ts";
import { createJwtVerifier } from "./jwt-verifier.ts";
import { type BearerAuthOptions, resolveOptions } from "./options.ts";
import { PAT_FORMAT, PAT_PREFIX } from "./tokens.ts";

/**
 * Hono middleware that authenticates `Authorization: Bearer <token>` as an Atlas access token
 * (a JWT verified locally against the issuer's JWKS) or a personal access token (`atlas_pat_…`,
 * checked by introspection), and sets `c.var.auth`. Options are validated once, here: a bad
 * option (e.g. `algorithms: ["HS256"]`) throws at startup, not per request.
 *
 * Failures throw `AppError` (rendered as problem+json by the app's `onError`): 401
 * `INVALID_TOKEN` or `EXPIRED_TOKEN`, each with an RFC 6750 `WWW-Authenticate` challenge.
 *
 * @example
 * app.use("/v1/*", bearerAuth({
 *   issuer: "https://auth.example",
 *   audiences: ["atlas"],
 *   jwksUrl: "https://auth.example/.well-known/jwks.json",
 * }));
 * app.get("/v1/me", (c) => c.json({ sub: c.var.auth.sub }));
 */
export function bearerAuth(options: BearerAuthOptions): MiddlewareHandler {
  const resolved = resolveOptions(options);
  const verifyJwt = createJwtVerifier(resolved);
  const introspect = createIntrospector(resolved);

  async function authenticate(c: Context, token: string): Promise<AuthContext> {
    if (token.startsWith(PAT_PREFIX)) {
      if (!PAT_FORMAT.test(token)) throw invalidToken("malformed token");
      const gate = options.beforeIntrospection;
      return introspect(token, gate ? () => gate(c) : undefined);
    }
    // A compact JWS has exactly three parts; anything else is neither a JWT nor a PAT.
    if (token.split(".").length !== 3) throw invalidToken("malformed token");
    return verifyJwt(token);
  }

  return async function bearerAuthMiddleware(c, next) {
    const credentials = parseAuthorization(c.req.header("authorization"));
    if (credentials.kind === "none") throw credentialsRequired();
    if (credentials.kind === "malformed") throw invalidToken("malformed authorization header");
    c.set("auth", await authenticate(c, credentials.token));
    await next();
  };
}
