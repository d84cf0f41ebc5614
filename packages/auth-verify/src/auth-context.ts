/**
 * Who is calling, as established by {@link bearerAuth}: read it as `c.var.auth` in any handler
 * behind the middleware.
 *
 * @example
 * app.get("/v1/me", (c) => c.json({ sub: c.var.auth.sub, scopes: c.var.auth.scopes }));
 */
export interface AuthContext {
  /** User id (`sub`). */
  sub: string;
  /** Tenant id (`tid`). */
  tid: string;
  /** Granted scopes (the token's space-separated `scope`, split). */
  scopes: string[];
  /** `jwt`: a locally verified access token; `pat`: a personal access token checked by introspection. */
  method: "jwt" | "pat";
  /** Session id (`sid`) of the login that issued the access token. */
  sessionId?: string;
  /** Authentication methods used (`amr`). */
  amr?: string[];
  /** User roles (`roles`), e.g. `admin`. */
  roles?: string[];
  /** Token id (`jti`). */
  tokenId?: string;
}

/**
 * A copy of a cached caller that a handler may mutate without touching the cache (arrays are
 * the only nested values; a plain copy is ~20× cheaper than structuredClone on this hot path).
 */
export function copyAuth(auth: AuthContext): AuthContext {
  const copy: AuthContext = { ...auth, scopes: [...auth.scopes] };
  if (auth.amr) copy.amr = [...auth.amr];
  if (auth.roles) copy.roles = [...auth.roles];
  return copy;
}

declare module "hono" {
  interface ContextVariableMap {
    /** Set by `bearerAuth` from `@atlas/auth-verify`. */
    auth: AuthContext;
  }
}
