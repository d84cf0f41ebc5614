// Issue 23: each tenant is an OpenID Provider. A relying party (openid-client) signs a user in
// through the hosted interaction API, exchanges the code, verifies the ID token with jose against
// the tenant's JWKS, calls userinfo, refreshes, and logs out; consent is remembered and revoked.
import { bearerAuth } from "@atlas/auth-verify";
import { Hono } from "hono";
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import * as client from "openid-client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createSession } from "../src/services/tokens/session.service.ts";
import { loginTestUser, TEST_CONTEXT } from "./fixtures.ts";
import {
  authorizationUrl,
  Browser,
  bearer,
  createTenant,
  interactionPost,
  type OpStack,
  platformAdmin,
  REDIRECT_URI,
  type RegisteredClient,
  registerClient,
  relyingParty,
  signInThroughOp,
  startOpStack,
  uidOf,
  WEB_ORIGIN,
} from "./oidc-fixtures.ts";

let stack: OpStack;
let admin: Record<string, string>;
let tenant: { id: string; slug: string; jwtAudience: string };
let registered: RegisteredClient;

beforeAll(async () => {
  stack = await startOpStack();
});
afterAll(async () => {
  await stack.close();
});
beforeEach(async () => {
  stack.skew.ms = 0;
  await stack.t.reset();
  admin = await platformAdmin(stack.t);
  tenant = await createTenant(stack, "acme", admin);
  registered = await registerClient(stack, tenant.id, admin);
});

type View = { prompt: string; requireMfa: boolean; maxAge: number | null };

const userOf = (email = "ada@acme.test") => loginTestUser(stack.t, { tenantSlug: "acme", email });

describe("OpenID Provider: authorization code flow", () => {
  it("signs a user in, issues verifiable tokens, serves userinfo, refreshes and logs out", async () => {
    const user = await userOf();
    const config = await relyingParty(stack, "acme", registered);
    const { url, checks } = await authorizationUrl(config);
    const browser = new Browser();

    // The authorize endpoint sends the browser to the web-app's hosted page.
    const first = await browser.follow(url.href, stack.base);
    const uid = uidOf(first.location);
    const view = await (await fetch(`${stack.base}/t/acme/interactions/${uid}`, { headers: { origin: WEB_ORIGIN } })).json();
    expect(view).toMatchObject({
      uid,
      prompt: "login",
      client: { clientId: registered.clientId, name: "Dashboard", redirectHost: "127.0.0.1:9", firstParty: false },
      scopes: ["openid", "profile", "email", "offline_access"],
      requireMfa: false,
      maxAge: null,
      tenant: { slug: "acme", name: "acme Inc", brand: { name: "acme Cloud", primaryColor: "#112233" } },
    });

    const callback = await signInThroughOp(stack, "acme", browser, url, user.tokens.accessToken);
    // RFC 9207: the authorization response names its issuer.
    expect(callback.searchParams.get("iss")).toBe(`${stack.base}/t/acme`);
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: checks.codeVerifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      idTokenExpected: true,
    });
    const jwks = createRemoteJWKSet(new URL(`${stack.base}/t/acme/jwks`));
    const { payload, protectedHeader } = await jwtVerify(tokens.id_token as string, jwks, {
      issuer: `${stack.base}/t/acme`,
      audience: registered.clientId,
    });
    expect(protectedHeader.alg).toBe("RS256");
    expect(protectedHeader.kid).toBe(stack.t.deps.signingKeys.signer(stack.t.deps.now())?.kid);
    expect(payload).toMatchObject({ sub: user.user.id, nonce: checks.nonce, amr: ["email"], acr: "urn:atlas:acr:1fa" });
    expect(payload.azp ?? registered.clientId).toBe(registered.clientId);
    expect(typeof payload.auth_time).toBe("number");

    const info = await client.fetchUserInfo(config, tokens.access_token, user.user.id);
    expect(info).toMatchObject({ sub: user.user.id, email: "ada@acme.test", email_verified: false });

    // Refresh (offline_access) rotates the refresh token.
    expect(tokens.refresh_token).toBeTruthy();
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token as string);
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);

    // The audit log names the client and grant type of every token issued.
    const issued = await stack.t.deps.prisma.authAuditLog.findMany({ where: { eventType: "oidc_token_issued" } });
    expect(issued.map((e) => (e.details as { grantType: string }).grantType).sort()).toEqual([
      "authorization_code",
      "refresh_token",
    ]);

    // RP-initiated logout: the post_logout_redirect_uri must be registered.
    const logoutUrl = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token as string,
      post_logout_redirect_uri: "http://127.0.0.1:9/signed-out",
      state: "bye",
    });
    const confirm = await browser.get(logoutUrl.href);
    expect(confirm.status).toBe(200);
    const html = await confirm.text();
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1] as string;
    const done = await browser.get(`${stack.base}/t/acme/logout/confirm`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ xsrf, logout: "yes" }).toString(),
    });
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe("http://127.0.0.1:9/signed-out?state=bye");

    // prompt=none after logout: login_required, back at the client.
    const silent = await authorizationUrl(config, { prompt: "none" });
    const after = await browser.follow(silent.url.href, stack.base);
    expect(after.location?.href.startsWith(REDIRECT_URI)).toBe(true);
    expect(after.location?.searchParams.get("error")).toBe("login_required");
  });
});

describe("OpenID Provider: consent, silent sign-in and MFA", () => {
  it("remembers consent per (user, client, scopes), signs in silently, and forgets it when the app is revoked", async () => {
    const user = await userOf();
    const config = await relyingParty(stack, "acme", registered);
    const browser = new Browser();
    const first = await authorizationUrl(config);
    const callback = await signInThroughOp(stack, "acme", browser, first.url, user.tokens.accessToken);
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: first.checks.codeVerifier,
      expectedState: first.checks.state,
      expectedNonce: first.checks.nonce,
    });

    // A subset of the consented scopes, no prompt: straight back with a code (no page at all).
    const again = await authorizationUrl(config, { scope: "openid email", prompt: "" });
    const silent = await browser.follow(again.url.href, stack.base);
    expect(silent.location?.href.startsWith(REDIRECT_URI)).toBe(true);
    expect(silent.location?.searchParams.get("code")).toBeTruthy();
    // prompt=none while signed in: the same, with no UI.
    const none = await authorizationUrl(config, { scope: "openid email", prompt: "none" });
    const noneResult = await browser.follow(none.url.href, stack.base);
    expect(noneResult.location?.searchParams.get("code")).toBeTruthy();

    const apps = await stack.t.app.request("/auth/connected-apps", { headers: { ...user.auth, "x-tenant": "acme" } });
    expect(apps.status).toBe(200);
    expect(await apps.json()).toMatchObject({
      items: [{ clientId: registered.clientId, name: "Dashboard", scopes: ["email", "offline_access", "openid", "profile"] }],
    });

    // Revoking the app: the consent, its grants and refresh tokens are gone.
    const revoked = await stack.t.app.request(`/auth/connected-apps/${registered.clientId}`, {
      method: "DELETE",
      headers: { ...user.auth, "x-tenant": "acme" },
    });
    expect(revoked.status).toBe(204);
    await expect(client.refreshTokenGrant(config, tokens.refresh_token as string)).rejects.toMatchObject({
      error: "invalid_grant",
    });
    const empty = await stack.t.app.request("/auth/connected-apps", { headers: { ...user.auth, "x-tenant": "acme" } });
    expect(await empty.json()).toEqual({ items: [] });
    const unknown = await stack.t.app.request(`/auth/connected-apps/${registered.clientId}`, {
      method: "DELETE",
      headers: { ...user.auth, "x-tenant": "acme" },
    });
    expect(unknown.status).toBe(404);
    // The next authorization asks for consent again.
    const after = await authorizationUrl(config, { scope: "openid email", prompt: "" });
    const page = await browser.follow(after.url.href, stack.base);
    const view = (await (await fetch(`${stack.base}/t/acme/interactions/${uidOf(page.location)}`)).json()) as View;
    expect(view.prompt).toBe("consent");

    const events = await stack.t.deps.prisma.authAuditLog.findMany({
      where: { eventType: { in: ["oidc_consent_granted", "oidc_consent_revoked"] } },
      orderBy: { createdAt: "asc" },
    });
    expect(events.map((e) => e.eventType)).toEqual(["oidc_consent_granted", "oidc_consent_revoked"]);
  });

  it("skips the consent page for first-party clients", async () => {
    const firstParty = await registerClient(stack, tenant.id, admin, { name: "Acme Console", firstParty: true });
    const user = await userOf();
    const config = await relyingParty(stack, "acme", firstParty);
    const { url } = await authorizationUrl(config, { prompt: "" });
    const browser = new Browser();
    const start = await browser.follow(url.href, stack.base);
    const uid = uidOf(start.location);
    const login = await interactionPost(stack, "acme", uid, "login", user.tokens.accessToken);
    const { redirectTo } = (await login.json()) as { redirectTo: string };
    const end = await browser.follow(redirectTo, stack.base);
    expect(end.location?.href.startsWith(REDIRECT_URI)).toBe(true);
    expect(end.location?.searchParams.get("code")).toBeTruthy();
  });

  it("forces the second factor when acr_values asks for MFA", async () => {
    const { user } = await userOf();
    const config = await relyingParty(stack, "acme", registered);
    const { url, checks } = await authorizationUrl(config, { acr_values: "urn:atlas:acr:mfa" });
    const browser = new Browser();
    const start = await browser.follow(url.href, stack.base);
    const uid = uidOf(start.location);
    const view = (await (await fetch(`${stack.base}/t/acme/interactions/${uid}`)).json()) as View;
    expect(view.requireMfa).toBe(true);

    const oneFactor = await createSession(stack.t.deps, {
      user,
      audience: tenant.jwtAudience,
      amr: ["email"],
      context: TEST_CONTEXT,
    });
    const refused = await interactionPost(stack, "acme", uid, "login", oneFactor.accessToken);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("content-type")).toContain("application/problem+json");
    expect(((await refused.json()) as { code: string }).code).toBe("MFA_REQUIRED");

    // After the web-app's step-up: a session whose amr includes mfa.
    const stepped = await createSession(stack.t.deps, {
      user,
      audience: tenant.jwtAudience,
      amr: ["email", "totp", "mfa"],
      context: TEST_CONTEXT,
      mfaVerified: true,
    });
    const callback = await signInThroughOp(stack, "acme", browser, url, stepped.accessToken).catch(async () => {
      throw new Error("expected the flow to resume with the stepped-up session");
    });
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: checks.codeVerifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
    });
    const claims = tokens.claims();
    expect(claims?.acr).toBe("urn:atlas:acr:mfa");
    expect(claims?.amr).toEqual(["email", "totp", "mfa"]);
  });

  it("asks for a newer login when prompt=login or max_age need one (401 INVALID_TOKEN 'sign in again')", async () => {
    const user = await userOf();
    const config = await relyingParty(stack, "acme", registered);
    // The session is 10 minutes old by the time the request arrives.
    stack.skew.ms = 10 * 60_000;
    const { url } = await authorizationUrl(config, { max_age: "60" });
    const start = await new Browser().follow(url.href, stack.base);
    const uid = uidOf(start.location);
    const view = (await (await fetch(`${stack.base}/t/acme/interactions/${uid}`)).json()) as View;
    expect(view.maxAge).toBe(60);
    const res = await interactionPost(stack, "acme", uid, "login", user.tokens.accessToken);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: "INVALID_TOKEN", detail: "sign in again" });

    const prompted = await authorizationUrl(config, { prompt: "login" });
    const page = await new Browser().follow(prompted.url.href, stack.base);
    const again = await interactionPost(stack, "acme", uidOf(page.location), "login", user.tokens.accessToken);
    expect(again.status).toBe(401);
  });
});

describe("OpenID Provider: metadata and access tokens for the tenant's APIs", () => {
  it("publishes discovery metadata with every field OpenID Connect Discovery 1.0 requires or recommends", async () => {
    const issuer = `${stack.base}/t/acme`;
    const res = await fetch(`${issuer}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    const meta = (await res.json()) as Record<string, unknown>;
    // Discovery 1.0 §3, REQUIRED.
    for (const field of [
      "issuer",
      "authorization_endpoint",
      "token_endpoint",
      "jwks_uri",
      "response_types_supported",
      "subject_types_supported",
      "id_token_signing_alg_values_supported",
    ]) {
      expect(meta[field], field).toBeDefined();
    }
    // RECOMMENDED (registration_endpoint: dynamic registration is not offered).
    for (const field of ["userinfo_endpoint", "scopes_supported", "claims_supported"]) {
      expect(meta[field], field).toBeDefined();
    }
    // §4.3: the issuer is exactly the URL the document was fetched under.
    expect(meta.issuer).toBe(issuer);
    expect(meta).toMatchObject({
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      userinfo_endpoint: `${issuer}/userinfo`,
      jwks_uri: `${issuer}/jwks`,
      end_session_endpoint: `${issuer}/logout`,
      revocation_endpoint: `${issuer}/revoke`,
      introspection_endpoint: `${issuer}/introspect`,
      response_types_supported: ["code"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["RS256"],
      code_challenge_methods_supported: ["S256"],
      authorization_response_iss_parameter_supported: true,
      claims_parameter_supported: true,
      acr_values_supported: ["urn:atlas:acr:1fa", "urn:atlas:acr:mfa"],
    });
    expect(new Set(meta.token_endpoint_auth_methods_supported as string[])).toEqual(
      new Set(["client_secret_basic", "client_secret_post", "private_key_jwt"]),
    );
    expect(meta.scopes_supported).toEqual(expect.arrayContaining(["openid", "profile", "email", "phone", "offline_access"]));
    expect(meta.claims_supported).toEqual(
      expect.arrayContaining(["sub", "email", "email_verified", "phone_number", "name", "wallet_address", "acr", "amr"]),
    );
    expect(meta.grant_types_supported).toEqual(["authorization_code", "refresh_token"]);
    // Every signing key in the JWKS is an RSA/EC/OKP public key with a kid (no private parts).
    const jwks = (await (await fetch(`${issuer}/jwks`)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys.length).toBeGreaterThan(0);
    for (const key of jwks.keys) {
      expect(key.kid).toBeTruthy();
      expect(key.d).toBeUndefined();
    }

    // The platform's discovery document names the same endpoint kinds (the default tenant's OP).
    const platform = (await (await fetch(`${stack.base}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    for (const kind of ["authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri", "end_session_endpoint", "revocation_endpoint"]) {
      expect(platform[kind], kind).toEqual(expect.any(String));
    }
    expect(platform.issuer).toBe(stack.base);
    expect(platform.token_endpoint).toBe(`${stack.base}/auth/token/refresh`);
    const defaultOp = await fetch(platform.authorization_endpoint as string, { redirect: "manual" });
    expect(defaultOp.status).toBe(400);
  });

  it("issues JWT access tokens for the tenant's APIs (aud = jwtAudience) that @atlas/auth-verify accepts", async () => {
    const user = await userOf();
    const config = await relyingParty(stack, "acme", registered);
    const browser = new Browser();
    const { url, checks } = await authorizationUrl(config);
    const callback = await signInThroughOp(stack, "acme", browser, url, user.tokens.accessToken);
    const tokens = await client.authorizationCodeGrant(
      config,
      callback,
      { pkceCodeVerifier: checks.codeVerifier, expectedState: checks.state, expectedNonce: checks.nonce },
      { resource: tenant.jwtAudience },
    );
    expect(decodeProtectedHeader(tokens.access_token).typ).toBe("at+jwt");
    const api = new Hono();
    api.use(
      "/v1/*",
      bearerAuth({ issuer: `${stack.base}/t/acme`, audiences: [tenant.jwtAudience], jwksUrl: `${stack.base}/t/acme/jwks` }),
    );
    api.get("/v1/me", (c) => c.json(c.var.auth));
    const me = await api.request("/v1/me", { headers: bearer(tokens.access_token) });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ sub: user.user.id, tid: tenant.id, scopes: ["openid", "profile", "email"] });
    // A token of another audience (another resource) is refused at the token endpoint.
    const refreshed = client.refreshTokenGrant(config, tokens.refresh_token as string, { resource: "https://evil.test" });
    await expect(refreshed).rejects.toMatchObject({ error: "invalid_target" });
  });
});

describe("OpenID Provider: signing keys", () => {
  it("publishes a rotated key at once and signs with it once it activates", async () => {
    const user = await userOf();
    const config = await relyingParty(stack, "acme", registered);
    const browser = new Browser();
    const { url, checks } = await authorizationUrl(config);
    const callback = await signInThroughOp(stack, "acme", browser, url, user.tokens.accessToken);
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: checks.codeVerifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
    });
    const before = decodeProtectedHeader(tokens.id_token as string).kid;
    const { kid, activatesAt } = await stack.t.deps.signingKeys.rotate(stack.t.deps.now());
    const jwks = (await (await fetch(`${stack.base}/t/acme/jwks`)).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([before, kid]));
    stack.skew.ms = activatesAt.getTime() - Date.now() + 1_000;
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token as string);
    expect(decodeProtectedHeader(refreshed.id_token as string).kid).toBe(kid);
    await jwtVerify(refreshed.id_token as string, createRemoteJWKSet(new URL(`${stack.base}/t/acme/jwks`)), {
      issuer: `${stack.base}/t/acme`,
      audience: registered.clientId,
    });
  });
});

describe("OpenID Provider: claims", () => {
  it("releases claims per scope, with the wallet as a CAIP-10 wallet_address", async () => {
    const user = await userOf("grace@acme.test");
    await stack.t.deps.prisma.user.update({
      where: { id: user.user.id },
      data: { displayName: "Grace", phone: "+15005550006", phoneVerifiedAt: stack.t.deps.now() },
    });
    await stack.t.deps.prisma.identity.create({
      data: {
        tenantId: tenant.id,
        userId: user.user.id,
        provider: "siwe",
        subject: "0x52908400098527886E0F7030069857D2E4169EE7",
        chainFamily: "eip155",
        metadata: { chainId: 10 },
      },
    });
    const phoneClient = await registerClient(stack, tenant.id, admin, {
      allowedScopes: ["openid", "profile", "phone"],
      tokenEndpointAuthMethod: "client_secret_post",
    });
    const config = await relyingParty(stack, "acme", phoneClient, client.ClientSecretPost(phoneClient.clientSecret));
    // A scope the client was not registered for is refused.
    const wider = await authorizationUrl(config, { scope: "openid profile phone email" });
    const refused = await new Browser().follow(wider.url.href, stack.base);
    expect(refused.location?.searchParams.get("error")).toBe("invalid_scope");
    const { url, checks } = await authorizationUrl(config, { scope: "openid profile phone" });
    const callback = await signInThroughOp(stack, "acme", new Browser(), url, user.tokens.accessToken);
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: checks.codeVerifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
    });
    expect(tokens.scope?.split(" ").sort()).toEqual(["openid", "phone", "profile"]);
    const info = await client.fetchUserInfo(config, tokens.access_token, user.user.id);
    expect(info).toEqual({
      sub: user.user.id,
      name: "Grace",
      wallet_address: "eip155:10:0x52908400098527886E0F7030069857D2E4169EE7",
      phone_number: "+15005550006",
      phone_number_verified: true,
    });
  });
});
