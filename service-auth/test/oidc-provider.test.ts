import { createRemoteJWKSet, jwtVerify } from "jose";
import * as client from "openid-client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { totpBytesFromBase32, totpCode } from "../src/services/mfa/totp.ts";
import { jsonPost, loginTestUser } from "./fixtures.ts";
import {
  authorizationUrl,
  Browser,
  createTenant,
  interactionPost,
  type OpStack,
  platformAdmin,
  REDIRECT_URI,
  type RegisteredClient,
  registerClient,
  relyingParty,
  resetWithAcme,
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
  ({ admin, tenant, registered } = await resetWithAcme(stack));
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
    const view = await (
      await fetch(`${stack.base}/t/acme/interactions/${uid}`, { headers: { origin: WEB_ORIGIN } })
    ).json();
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
    expect(payload.azp).toBe(registered.clientId);
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

    // Codes and tokens never reach the logs.
    const logs = stack.t.logs.join("");
    for (const secret of [
      callback.searchParams.get("code") as string,
      tokens.refresh_token as string,
      tokens.access_token,
    ]) {
      expect(logs).not.toContain(secret);
    }

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
      items: [
        { clientId: registered.clientId, name: "Dashboard", scopes: ["email", "offline_access", "openid", "profile"] },
      ],
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

  it("forces the second factor when acr_values asks for MFA (the usual step-up: mfaToken → /auth/mfa/verify)", async () => {
    const user = await userOf();
    const headers = { ...user.auth, "x-tenant": "acme" };
    const config = await relyingParty(stack, "acme", registered);
    const { url, checks } = await authorizationUrl(config, { acr_values: "urn:atlas:acr:mfa" });
    const browser = new Browser();
    const start = await browser.follow(url.href, stack.base);
    const uid = uidOf(start.location);
    const view = (await (await fetch(`${stack.base}/t/acme/interactions/${uid}`)).json()) as View;
    expect(view.requireMfa).toBe(true);

    // Without a second factor: MFA_REQUIRED with no methods (enrol first).
    const none = await interactionPost(stack, "acme", uid, "login", user.tokens.accessToken);
    expect(none.status).toBe(401);
    expect(none.headers.get("content-type")).toContain("application/problem+json");
    expect(await none.json()).toMatchObject({ code: "MFA_REQUIRED", methods: [] });

    // Enrol TOTP, then the login answers an mfaToken that /auth/mfa/verify turns into a stepped-up token.
    const setup = await stack.t.app.request("/auth/mfa/totp/setup", { method: "POST", headers });
    const key = totpBytesFromBase32(((await setup.json()) as { secret: string }).secret);
    const enable = await stack.t.app.request(
      "/auth/mfa/totp/enable",
      jsonPost({ code: totpCode(key, stack.t.deps.now().getTime()) }, headers),
    );
    expect(enable.status).toBe(200);
    const refused = await interactionPost(stack, "acme", uid, "login", user.tokens.accessToken);
    expect(refused.status).toBe(401);
    const problem = (await refused.json()) as { code: string; mfaToken: string; methods: string[] };
    expect(problem).toMatchObject({ code: "MFA_REQUIRED", methods: expect.arrayContaining(["totp"]) });
    stack.skew.ms = 31_000; // the next TOTP step (a code is never accepted twice)
    const verified = await stack.t.app.request(
      "/auth/mfa/verify",
      jsonPost(
        { mfaToken: problem.mfaToken, code: totpCode(key, stack.t.deps.now().getTime()) },
        { "x-tenant": "acme" },
      ),
    );
    expect(verified.status).toBe(200);
    const stepped = ((await verified.json()) as { accessToken: string }).accessToken;

    const callback = await signInThroughOp(stack, "acme", browser, url, stepped);
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: checks.codeVerifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
    });
    const claims = tokens.claims();
    expect(claims?.acr).toBe("urn:atlas:acr:mfa");
    expect(claims?.amr).toEqual(["email", "otp", "mfa"]);
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
