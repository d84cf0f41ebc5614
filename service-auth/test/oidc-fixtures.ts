// A real listening service-auth for the OpenID Provider tests, a relying party built on
// openid-client, and a cookie-jar "browser" that follows redirects the way a user agent does.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import * as client from "openid-client";
import { expect } from "vitest";
import { jsonPost, loginTestUser } from "./fixtures.ts";
import { createTestApp, type TestApp } from "./harness.ts";

export const WEB_ORIGIN = "http://web.test";
export const REDIRECT_URI = "http://127.0.0.1:9/callback";

export interface OpStack {
  t: TestApp;
  server: Server;
  base: string;
  /** Moves the service's clock (deps.now) relative to the system clock oidc-provider uses. */
  skew: { ms: number };
  close(): Promise<void>;
}

/**
 * service-auth on a real port (oidc-provider answers on the Node request), its clock the system
 * clock plus `skew` (oidc-provider measures `exp`, `auth_time` and max_age on the system clock).
 */
export async function startOpStack(env: Record<string, string> = {}): Promise<OpStack> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const skew = { ms: 0 };
  const t = await createTestApp({
    env: { PUBLIC_URL: base, WEB_ORIGIN, ...env },
    deps: { now: () => new Date(Date.now() + skew.ms) },
  });
  server.on(
    "request",
    getRequestListener((req, nodeEnv) => t.app.fetch(req, nodeEnv)),
  );
  return {
    t,
    server,
    base,
    skew,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await t.close();
    },
  };
}

/** A platform admin's Authorization header. */
export async function platformAdmin(t: TestApp) {
  return (await loginTestUser(t, { roles: ["admin"] })).auth;
}

/** Creates a tenant through the admin API. */
export async function createTenant(stack: OpStack, slug: string, admin: Record<string, string>) {
  const res = await stack.t.app.request(
    "/admin/tenants",
    jsonPost(
      {
        name: `${slug} Inc`,
        slug,
        allowedOrigins: [],
        allowedMethods: ["email"],
        jwtAudience: `https://api.${slug}.test`,
        brand: { name: `${slug} Cloud`, primaryColor: "#112233" },
      },
      admin,
    ),
  );
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; slug: string; jwtAudience: string };
}

/**
 * Before each test of an OP file: the real clock, an empty database, a platform admin, the tenant
 * `acme` and one client registered for it.
 */
export async function resetWithAcme(stack: OpStack) {
  stack.skew.ms = 0;
  await stack.t.reset();
  const admin = await platformAdmin(stack.t);
  const tenant = await createTenant(stack, "acme", admin);
  const registered = await registerClient(stack, tenant.id, admin);
  return { admin, tenant, registered };
}

export interface RegisteredClient {
  clientId: string;
  clientSecret?: string;
}

export async function registerClient(
  stack: OpStack,
  tenantId: string,
  admin: Record<string, string>,
  body: Record<string, unknown> = {},
): Promise<RegisteredClient> {
  const res = await stack.t.app.request(
    `/admin/tenants/${tenantId}/clients`,
    jsonPost(
      {
        name: "Dashboard",
        redirectUris: [REDIRECT_URI],
        postLogoutRedirectUris: ["http://127.0.0.1:9/signed-out"],
        allowedScopes: ["openid", "profile", "email", "offline_access"],
        tokenEndpointAuthMethod: "client_secret_basic",
        ...body,
      },
      admin,
    ),
  );
  expect(res.status, await res.clone().text()).toBe(201);
  const created = (await res.json()) as { client: { clientId: string }; clientSecret?: string };
  return { clientId: created.client.clientId, ...(created.clientSecret ? { clientSecret: created.clientSecret } : {}) };
}

/** openid-client's view of the tenant's issuer for one client. */
export async function relyingParty(
  stack: OpStack,
  slug: string,
  registered: RegisteredClient,
  auth?: client.ClientAuth,
): Promise<client.Configuration> {
  return client.discovery(
    new URL(`${stack.base}/t/${slug}`),
    registered.clientId,
    undefined,
    auth ?? client.ClientSecretBasic(registered.clientSecret as string),
    { execute: [client.allowInsecureRequests] },
  );
}

/** A user agent: a cookie jar (honouring each cookie's Path, as browsers do) and manual redirects. */
export class Browser {
  readonly cookies = new Map<string, { value: string; path: string }>();

  async get(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const pathname = new URL(url).pathname;
    const sent = [...this.cookies].filter(
      ([, c]) => pathname === c.path || pathname.startsWith(c.path.endsWith("/") ? c.path : `${c.path}/`),
    );
    if (sent.length > 0) headers.set("cookie", sent.map(([k, c]) => `${k}=${c.value}`).join("; "));
    const res = await fetch(url, { ...init, headers, redirect: "manual" });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const eq = (pair as string).indexOf("=");
      const name = (pair as string).slice(0, eq).trim();
      const value = (pair as string).slice(eq + 1).trim();
      const path =
        attrs
          .map((a) => a.trim())
          .find((a) => /^path=/i.test(a))
          ?.slice(5) ?? "/";
      const expired = attrs.some((a) => /expires=Thu, 01 Jan 1970/i.test(a)) || value === "";
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, { value, path });
    }
    return res;
  }

  /**
   * Follows redirects inside service-auth; stops at the first Location outside it (the web-app's
   * interaction page or the client's redirect URI) or at a non-redirect answer.
   */
  async follow(url: string, base: string): Promise<{ location?: URL; response: Response }> {
    let next = url;
    for (let i = 0; i < 10; i++) {
      const res = await this.get(next);
      const location = res.headers.get("location");
      if (res.status < 300 || res.status >= 400 || !location) return { response: res };
      const target = new URL(location, next);
      if (!target.href.startsWith(base)) return { location: target, response: res };
      next = target.href;
    }
    throw new Error("too many redirects");
  }
}

export interface AuthorizationChecks {
  codeVerifier: string;
  state: string;
  nonce: string;
}

/** Starts an authorization as the relying party: the URL and the checks to keep. */
export async function authorizationUrl(config: client.Configuration, params: Record<string, string> = {}) {
  const checks: AuthorizationChecks = {
    codeVerifier: client.randomPKCECodeVerifier(),
    state: client.randomState(),
    nonce: client.randomNonce(),
  };
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: "openid profile email offline_access",
    prompt: "consent",
    code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
    code_challenge_method: "S256",
    state: checks.state,
    nonce: checks.nonce,
    ...params,
  });
  return { url, checks };
}

/** The interaction uid of a web-app interaction URL (`${WEB_ORIGIN}/oidc/:slug/:uid`). */
export function uidOf(location: URL | undefined): string {
  expect(location?.origin).toBe(WEB_ORIGIN);
  return location?.pathname.split("/").at(-1) as string;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** POSTs to the interaction API the way the web-app does (from its origin, with the user's token). */
export function interactionPost(stack: OpStack, slug: string, uid: string, step: string, token?: string) {
  return fetch(`${stack.base}/t/${slug}/interactions/${uid}/${step}`, {
    method: "POST",
    headers: { origin: WEB_ORIGIN, ...(token ? bearer(token) : {}) },
  });
}

/**
 * The whole hosted flow for a signed-in user: authorize → login (→ consent) → the code at the
 * redirect URI. Returns the callback URL the relying party receives.
 */
export async function signInThroughOp(
  stack: OpStack,
  slug: string,
  browser: Browser,
  url: URL,
  accessToken: string,
): Promise<URL> {
  let { location } = await browser.follow(url.href, stack.base);
  for (let step = 0; step < 3 && location?.origin === WEB_ORIGIN; step++) {
    const uid = uidOf(location);
    const view = (await (await fetch(`${stack.base}/t/${slug}/interactions/${uid}`)).json()) as { prompt: string };
    const res = await interactionPost(stack, slug, uid, view.prompt, accessToken);
    expect(res.status, await res.clone().text()).toBe(200);
    const { redirectTo } = (await res.json()) as { redirectTo: string };
    ({ location } = await browser.follow(redirectTo, stack.base));
  }
  expect(location?.href.startsWith(REDIRECT_URI)).toBe(true);
  return location as URL;
}

/** Signs `accessToken`'s user in to the client and returns the callback URL and its checks. */
export async function authorize(
  stack: OpStack,
  slug: string,
  config: client.Configuration,
  accessToken: string,
  params: Record<string, string> = {},
) {
  const { url, checks } = await authorizationUrl(config, params);
  const browser = new Browser();
  const callback = await signInThroughOp(stack, slug, browser, url, accessToken);
  return { callback, checks, browser };
}

/** authorize + the code exchange. */
export async function signedIn(stack: OpStack, slug: string, config: client.Configuration, accessToken: string) {
  const flow = await authorize(stack, slug, config, accessToken);
  const tokens = await client.authorizationCodeGrant(config, flow.callback, {
    pkceCodeVerifier: flow.checks.codeVerifier,
    expectedState: flow.checks.state,
    expectedNonce: flow.checks.nonce,
  });
  return { ...flow, tokens };
}

/** A raw token request (for what openid-client refuses to send), with HTTP Basic client auth. */
export function tokenRequest(stack: OpStack, slug: string, registered: RegisteredClient, body: Record<string, string>) {
  const basic = Buffer.from(`${registered.clientId}:${registered.clientSecret}`).toString("base64");
  return fetch(`${stack.base}/t/${slug}/token`, {
    method: "POST",
    headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(body).toString(),
  });
}
