// A relying party ("an app of a tenant") that signs its users in with Atlas: authorization code
// flow with PKCE S256, state and nonce, refresh, userinfo and RP-initiated logout, using
// openid-client (https://github.com/panva/openid-client) against the tenant's issuer
// `<PUBLIC_URL>/t/<slug>`. A dependency-free node:http server; sessions live in memory.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import * as oidc from "openid-client";

/**
 * @typedef {object} RelyingPartyOptions
 * @property {string} issuer The tenant's issuer, e.g. `https://auth.example.com/t/acme`.
 * @property {string} clientId
 * @property {string} [clientSecret] For `client_secret_basic` (the default) or `client_secret_post`.
 * @property {"client_secret_basic" | "client_secret_post"} [authMethod]
 * @property {number} [port] 0 (default) picks a free port.
 * @property {string} [host] Default 127.0.0.1.
 * @property {string} [scope] Default `openid profile email offline_access`.
 * @property {string} [publicUrl] This app's own origin as the browser sees it (default http://localhost:<port>).
 */

/**
 * @typedef {object} RpSession
 * @property {{ state: string, nonce: string, codeVerifier: string, maxAge?: number } | null} pending
 * @property {import("openid-client").TokenEndpointResponse | null} tokens
 * @property {Record<string, unknown> | null} claims The ID token's claims (verified by openid-client).
 * @property {Record<string, unknown> | null} user Userinfo, fetched after the sign-in.
 * @property {string | null} error The last authorization error (`login_required`, `access_denied`…).
 */

const html = (s) =>
  String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

function page(title, body) {
  return `<!doctype html><html lang="en"><meta charset="utf-8"><title>${html(title)}</title><body><main><h1>${html(title)}</h1>${body}</main></body></html>`;
}

/**
 * Starts the relying party. Routes: `/` (who is signed in), `/login` (to Atlas; passes `prompt`,
 * `acr_values`, `max_age`, `login_hint` through), `/callback` (the code exchange), `/me`
 * (userinfo as JSON), `/refresh`, `/logout` (RP-initiated logout) and `/logged-out`.
 *
 * @param {RelyingPartyOptions} options
 */
export async function startRelyingParty(options) {
  const server = createServer();
  await new Promise((resolve) => server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve));
  const address = /** @type {import("node:net").AddressInfo} */ (server.address());
  const base = (options.publicUrl ?? `http://localhost:${address.port}`).replace(/\/+$/, "");
  const redirectUri = `${base}/callback`;
  const postLogoutRedirectUri = `${base}/logged-out`;
  const issuer = new URL(options.issuer);
  const auth =
    options.authMethod === "client_secret_post"
      ? oidc.ClientSecretPost(options.clientSecret)
      : oidc.ClientSecretBasic(options.clientSecret);
  // http is for a local Atlas only (openid-client refuses it otherwise).
  const insecure = issuer.protocol === "http:" ? { execute: [oidc.allowInsecureRequests] } : undefined;
  const config = await oidc.discovery(issuer, options.clientId, undefined, auth, insecure);
  const scope = options.scope ?? "openid profile email offline_access";
  /** @type {Map<string, RpSession>} */
  const sessions = new Map();

  /** @returns {[string, RpSession]} */
  function sessionOf(req, res) {
    const sid = /(?:^|;\s*)rp_sid=([A-Za-z0-9_-]{22,})/.exec(req.headers.cookie ?? "")?.[1];
    const known = sid && sessions.get(sid);
    if (sid && known) return [sid, known];
    const id = randomBytes(24).toString("base64url");
    const fresh = { pending: null, tokens: null, claims: null, error: null };
    sessions.set(id, fresh);
    res.setHeader("set-cookie", `rp_sid=${id}; HttpOnly; SameSite=Lax; Path=/`);
    return [id, fresh];
  }

  const routes = {
    "/": (_req, res, s) => {
      const who = s.claims
        ? `<p>Signed in as <b id="sub">${html(s.user?.email ?? s.claims.sub)}</b></p><p><a href="/me">Userinfo</a> · <a href="/refresh">Refresh</a> · <a href="/logout">Sign out</a></p>`
        : `<p><a href="/login">Sign in with Atlas</a></p>`;
      const error = s.error ? `<p role="alert" id="error">${html(s.error)}</p>` : "";
      send(res, 200, page("Example app", error + who));
    },
    "/login": async (req, res, s) => {
      const url = new URL(req.url, base);
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const pending = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier };
      const parameters = {
        redirect_uri: redirectUri,
        scope,
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: "S256",
        state: pending.state,
        nonce: pending.nonce,
      };
      // offline_access needs consent to be asked for (OpenID Connect Core §11).
      if (scope.split(" ").includes("offline_access")) parameters.prompt = "consent";
      for (const name of ["prompt", "acr_values", "max_age", "login_hint"]) {
        const value = url.searchParams.get(name);
        if (value) parameters[name] = value;
      }
      if (parameters.max_age) pending.maxAge = Number(parameters.max_age);
      s.pending = pending;
      redirect(res, oidc.buildAuthorizationUrl(config, parameters).href);
    },
    "/callback": async (req, res, s) => {
      const pending = s.pending;
      s.pending = null;
      if (!pending) return send(res, 400, page("Sign-in failed", "<p>No sign-in was started here.</p>"));
      try {
        const tokens = await oidc.authorizationCodeGrant(config, new URL(req.url, base), {
          pkceCodeVerifier: pending.codeVerifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
          ...(pending.maxAge !== undefined ? { maxAge: pending.maxAge } : {}),
        });
        s.tokens = tokens;
        s.claims = tokens.claims() ?? null;
        // The ID token says who (sub); the profile (e-mail, name, wallet) comes from userinfo.
        s.user = s.claims ? await oidc.fetchUserInfo(config, tokens.access_token, String(s.claims.sub)) : null;
        s.error = null;
        redirect(res, "/");
      } catch (error) {
        s.error = describe(error);
        redirect(res, "/");
      }
    },
    "/me": async (_req, res, s) => {
      if (!s.tokens || !s.claims) return send(res, 401, page("Not signed in", '<p><a href="/login">Sign in</a></p>'));
      const info = await oidc.fetchUserInfo(config, s.tokens.access_token, String(s.claims.sub));
      send(res, 200, JSON.stringify(info), "application/json");
    },
    "/refresh": async (_req, res, s) => {
      if (!s.tokens?.refresh_token) return send(res, 400, page("No refresh token", "<p>Sign in first.</p>"));
      try {
        const refreshed = await oidc.refreshTokenGrant(config, s.tokens.refresh_token);
        s.tokens = { ...s.tokens, ...refreshed };
        redirect(res, "/");
      } catch (error) {
        s.error = `refresh failed: ${describe(error)}`;
        s.tokens = null;
        s.claims = null;
        s.user = null;
        redirect(res, "/");
      }
    },
    "/logout": (_req, res, s) => {
      const idToken = s.tokens?.id_token;
      s.tokens = null;
      s.claims = null;
      s.user = null;
      if (!idToken) return redirect(res, "/");
      const state = oidc.randomState();
      redirect(
        res,
        oidc.buildEndSessionUrl(config, {
          id_token_hint: idToken,
          post_logout_redirect_uri: postLogoutRedirectUri,
          state,
        }).href,
      );
    },
    "/logged-out": (_req, res) => send(res, 200, page("Signed out", '<p><a href="/login">Sign in again</a></p>')),
  };

  server.on("request", (req, res) => {
    const path = new URL(req.url ?? "/", base).pathname;
    const route = routes[path];
    if (!route) return send(res, 404, page("Not found", ""));
    const [, s] = sessionOf(req, res);
    Promise.resolve(route(req, res, s)).catch((error) => {
      send(res, 500, page("Error", `<p>${html(error?.message ?? "error")}</p>`));
    });
  });

  return {
    /** This app's origin. */
    url: base,
    redirectUri,
    postLogoutRedirectUri,
    /** openid-client's configuration (the discovered issuer metadata and this client). */
    config,
    /** The browser sessions of this app (in memory), by cookie. */
    sessions,
    /** Stops the server, dropping the browsers' idle keep-alive connections at once. */
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve(undefined));
        server.closeAllConnections();
      }),
  };
}

/** An authorization error (`login_required`, `access_denied`…), the token endpoint's, or a failed check. */
function describe(error) {
  if (error instanceof oidc.AuthorizationResponseError) return error.error;
  if (error instanceof oidc.ResponseBodyError) {
    return error.error_description ? `${error.error} (${error.error_description})` : error.error;
  }
  return String(error?.code ?? error?.message ?? error);
}

function send(res, status, body, type = "text/html; charset=utf-8") {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store" }).end(body);
}

function redirect(res, location) {
  res.writeHead(302, { location, "cache-control": "no-store" }).end();
}
