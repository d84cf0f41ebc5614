import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import type { AuthEnv, Deps } from "../ports.ts";

/** The cookie a browser of an allowed origin holds its refresh token in (HttpOnly). */
export const REFRESH_COOKIE = "atlas_refresh_token";
// Only the refresh endpoint needs it; a narrow path also keeps it off other apps on the same
// host (cookies ignore ports: on localhost the web-app would otherwise receive it too).
const COOKIE_PATH = "/auth/token";

/**
 * Hands out a token pair (api.md "Tokens in responses"): a browser request from one of the
 * tenant's allowed origins gets the refresh token in an HttpOnly, SameSite=Strict cookie
 * (Secure outside development) and not in the body, so page scripts never see it; requests
 * without an Origin (CLIs, servers) get it in the JSON body.
 */
export function deliverTokens<T extends { refreshToken: string }>(
  c: Context<AuthEnv>,
  deps: Pick<Deps, "config">,
  tokens: T,
): Omit<T, "refreshToken"> & { refreshToken?: string } {
  const origin = c.req.header("origin");
  if (!origin || !c.var.tenant.allowedOrigins.includes(origin)) return tokens;
  setRefreshCookie(c, deps, tokens.refreshToken);
  const { refreshToken: _omitted, ...rest } = tokens;
  return rest;
}

/**
 * Puts a refresh token in the browser's HttpOnly cookie. Browser-only flows (the OAuth
 * callback, a top-level navigation) deliver their session this way; the page then obtains an
 * access token from the refresh endpoint.
 */
export function setRefreshCookie(c: Context, deps: Pick<Deps, "config">, refreshToken: string): void {
  setCookie(c, REFRESH_COOKIE, refreshToken, {
    httpOnly: true,
    sameSite: "Strict",
    secure: deps.config.cookies.secure,
    path: COOKIE_PATH,
    maxAge: deps.config.REFRESH_TOKEN_TTL_SEC,
  });
}

/** Forgets the browser's refresh token (logout). */
export function clearRefreshCookie(c: Context<AuthEnv>, deps: Pick<Deps, "config">): void {
  deleteCookie(c, REFRESH_COOKIE, { path: COOKIE_PATH, secure: deps.config.cookies.secure });
}
