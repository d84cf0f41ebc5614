// Issue 23: each tenant is an OpenID Provider. A relying party (openid-client) signs a user in
// through the hosted interaction API, exchanges the code, verifies the ID token with jose against
// the tenant's JWKS, calls userinfo, refreshes, and logs out; consent is remembered and revoked.
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import * as client from "openid-client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loginTestUser } from "./fixtures.ts";
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
  await stack.t.reset();
  stack.skew.ms = 0;
  admin = await platformAdmin(stack.t);
  tenant = await createTenant(stack, "acme", admin);
  registered = await registerClient(stack, tenant.id, admin);
});

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
