// Issue 23's negative cases for the tenants' OpenID Providers, over real HTTP: redirect URIs,
// PKCE, code replay and expiry, cross-tenant clients and mix-up, refresh reuse, client
// authentication (private_key_jwt, secret rotation), per-client limits, and fail-closed accounts.
import { exportJWK, generateKeyPair } from "jose";
import * as client from "openid-client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { jsonPost, loginTestUser } from "./fixtures.ts";
import {
  authorizationUrl,
  authorize,
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
  signedIn,
  startOpStack,
  tokenRequest,
  uidOf,
  WEB_ORIGIN,
} from "./oidc-fixtures.ts";

let stack: OpStack;
let admin: Record<string, string>;
let acme: { id: string; slug: string; jwtAudience: string };
let registered: RegisteredClient;
let config: client.Configuration;

beforeAll(async () => {
  stack = await startOpStack({ RATE_LIMIT_OIDC_PER_MIN_CLIENT: "5" });
});
afterAll(async () => {
  await stack.close();
});
beforeEach(async () => {
  ({ admin, tenant: acme, registered } = await resetWithAcme(stack));
  config = await relyingParty(stack, "acme", registered);
});

const acmeUser = () => loginTestUser(stack.t, { tenantSlug: "acme" });

describe("authorization request checks", () => {
  it("shows an error page, without redirecting, for an unregistered redirect URI", async () => {
    const { url } = await authorizationUrl(config, { redirect_uri: "http://127.0.0.1:9/evil" });
    const res = await new Browser().get(url.href);
    expect(res.status).toBe(400);
    expect(res.headers.get("location")).toBeNull();
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(await res.text()).toContain("redirect_uri");
  });

  it("requires PKCE: no code_challenge is refused, and a code without its verifier is not exchanged", async () => {
    const { url } = await authorizationUrl(config);
    url.searchParams.delete("code_challenge");
    url.searchParams.delete("code_challenge_method");
    const refused = await new Browser().follow(url.href, stack.base);
    expect(refused.location?.href.startsWith(REDIRECT_URI)).toBe(true);
    expect(refused.location?.searchParams.get("error")).toBe("invalid_request");

    const user = await acmeUser();
    const { callback } = await authorize(stack, "acme", config, user.tokens.accessToken);
    const res = await tokenRequest(stack, "acme", registered, {
      grant_type: "authorization_code",
      code: callback.searchParams.get("code") as string,
      redirect_uri: REDIRECT_URI,
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "invalid_grant" });
  });

  it("refuses another tenant's client at this issuer", async () => {
    const globex = await createTenant(stack, "globex", admin);
    const foreign = await registerClient(stack, globex.id, admin);
    const { url } = await authorizationUrl(config);
    url.searchParams.set("client_id", foreign.clientId);
    const res = await new Browser().get(url.href);
    expect(res.status).toBe(400);
    expect(res.headers.get("location")).toBeNull();
    expect(await res.text()).toContain("invalid_client");
    // Introspection answers for the issuer's own tokens only: another tenant's client learns nothing.
    const user = await acmeUser();
    const { tokens } = await signedIn(stack, "acme", config, user.tokens.accessToken);
    expect(await client.tokenIntrospection(config, tokens.refresh_token as string)).toMatchObject({
      active: true,
      client_id: registered.clientId,
      sub: user.user.id,
    });
    const globexConfig = await relyingParty(stack, "globex", foreign);
    expect(await client.tokenIntrospection(globexConfig, tokens.refresh_token as string)).toEqual({ active: false });
    // Nor can it authenticate at the token endpoint.
    const token = await tokenRequest(stack, "acme", foreign, { grant_type: "refresh_token", refresh_token: "x" });
    expect(token.status).toBe(401);
    expect(await token.json()).toMatchObject({ error: "invalid_client" });
  });

  it("names the issuer in the authorization response: a response from another tenant is refused (mix-up)", async () => {
    const globex = await createTenant(stack, "globex", admin);
    const globexClient = await registerClient(stack, globex.id, admin);
    const globexConfig = await relyingParty(stack, "globex", globexClient);
    const user = await acmeUser();
    const { callback, checks } = await authorize(stack, "acme", config, user.tokens.accessToken);
    expect(callback.searchParams.get("iss")).toBe(`${stack.base}/t/acme`);
    await expect(
      client.authorizationCodeGrant(globexConfig, callback, {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
      }),
    ).rejects.toMatchObject({ cause: expect.objectContaining({ message: expect.stringMatching(/iss/) }) });
  });
});

describe("codes and refresh tokens", () => {
  it("a replayed code fails and revokes the tokens issued from it", async () => {
    const user = await acmeUser();
    const { callback, checks } = await authorize(stack, "acme", config, user.tokens.accessToken);
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: checks.codeVerifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
    });
    const replay = await tokenRequest(stack, "acme", registered, {
      grant_type: "authorization_code",
      code: callback.searchParams.get("code") as string,
      redirect_uri: REDIRECT_URI,
      code_verifier: checks.codeVerifier,
    });
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: "invalid_grant" });
    await expect(client.refreshTokenGrant(config, tokens.refresh_token as string)).rejects.toMatchObject({
      error: "invalid_grant",
    });
    await expect(client.fetchUserInfo(config, tokens.access_token, user.user.id)).rejects.toThrow();
  });

  it("an expired code is refused", async () => {
    const user = await acmeUser();
    const { callback, checks } = await authorize(stack, "acme", config, user.tokens.accessToken);
    stack.skew.ms = 2 * 60_000;
    await expect(
      client.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
      }),
    ).rejects.toMatchObject({ error: "invalid_grant" });
  });

  it("a reused refresh token revokes the whole grant", async () => {
    const user = await acmeUser();
    const { tokens } = await signedIn(stack, "acme", config, user.tokens.accessToken);
    const rotated = await client.refreshTokenGrant(config, tokens.refresh_token as string);
    await expect(client.refreshTokenGrant(config, tokens.refresh_token as string)).rejects.toMatchObject({
      error: "invalid_grant",
    });
    await expect(client.refreshTokenGrant(config, rotated.refresh_token as string)).rejects.toMatchObject({
      error: "invalid_grant",
    });
  });

  it("stores codes and refresh tokens only as hashes", async () => {
    const user = await acmeUser();
    const { tokens, callback } = await signedIn(stack, "acme", config, user.tokens.accessToken);
    const rows = await stack.t.deps.prisma.oidcPayload.findMany();
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(tokens.refresh_token as string);
    expect(dump).not.toContain(callback.searchParams.get("code") as string);
  });
});

describe("client authentication", () => {
  it("accepts private_key_jwt with the client's registered key", async () => {
    const { publicKey, privateKey } = await generateKeyPair("RS256");
    const jwk = { ...(await exportJWK(publicKey)), kid: "rp-1", alg: "RS256", use: "sig" };
    const keyed = await registerClient(stack, acme.id, admin, {
      tokenEndpointAuthMethod: "private_key_jwt",
      jwks: { keys: [jwk] },
    });
    expect(keyed.clientSecret).toBeUndefined();
    const keyedConfig = await relyingParty(
      stack,
      "acme",
      keyed,
      client.PrivateKeyJwt({ key: privateKey, kid: "rp-1" }),
    );
    const user = await acmeUser();
    const { tokens } = await signedIn(stack, "acme", keyedConfig, user.tokens.accessToken);
    expect(tokens.id_token).toBeTruthy();
    // Another key is refused.
    const other = await generateKeyPair("RS256");
    const wrong = await relyingParty(
      stack,
      "acme",
      keyed,
      client.PrivateKeyJwt({ key: other.privateKey, kid: "rp-1" }),
    );
    await expect(client.refreshTokenGrant(wrong, tokens.refresh_token as string)).rejects.toMatchObject({
      error: "invalid_client",
    });
  });

  it("rotates the secret with an overlap: the previous secret works until it ends", async () => {
    const res = await stack.t.app.request(
      `/admin/tenants/${acme.id}/clients/${registered.clientId}/secret`,
      jsonPost({ overlapSeconds: 60 }, admin),
    );
    expect(res.status).toBe(200);
    const rotated = (await res.json()) as { clientSecret: string; previousSecretExpiresAt: string };
    const introspect = (secret: string) =>
      relyingParty(stack, "acme", { clientId: registered.clientId, clientSecret: secret }).then((c) =>
        client.tokenIntrospection(c, "not-a-token"),
      );
    expect(await introspect(registered.clientSecret as string)).toMatchObject({ active: false });
    expect(await introspect(rotated.clientSecret)).toMatchObject({ active: false });
    stack.skew.ms = 61_000;
    await expect(introspect(registered.clientSecret as string)).rejects.toMatchObject({ status: 401 });
    expect(await introspect(rotated.clientSecret)).toMatchObject({ active: false });
    const audit = await stack.t.deps.prisma.authAuditLog.count({ where: { eventType: "oidc_client_secret_rotated" } });
    expect(audit).toBe(1);
  });

  it("limits each client's requests to /token, /introspect and /revoke (429, Retry-After, OAuth error JSON)", async () => {
    const basic = Buffer.from(`${registered.clientId}:${registered.clientSecret}`).toString("base64");
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 6; i++) {
      last = await fetch(`${stack.base}/t/acme/introspect`, {
        method: "POST",
        headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
        body: "token=nope",
      });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(Number(last?.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await last?.json()).toMatchObject({ error: "rate_limited" });
    // Another client has its own budget.
    const other = await registerClient(stack, acme.id, admin);
    const ok = await tokenRequest(stack, "acme", other, { grant_type: "refresh_token", refresh_token: "x" });
    expect(ok.status).toBe(400);
  });
});

describe("fail closed", () => {
  it("a deactivated tenant's provider stops answering, and its refresh tokens stop working", async () => {
    const user = await acmeUser();
    const { tokens } = await signedIn(stack, "acme", config, user.tokens.accessToken);
    const off = await stack.t.app.request(`/admin/tenants/${acme.id}`, {
      ...jsonPost({ isActive: false }, admin),
      method: "PATCH",
    });
    expect(off.status).toBe(200);
    const discovery = await fetch(`${stack.base}/t/acme/.well-known/openid-configuration`);
    expect(discovery.status).toBe(403);
    expect((await fetch(`${stack.base}/t/acme/interactions/AAAAAAAAAAAAAAAAAAAAAAAA`)).status).toBe(403);
    const unknown = await fetch(`${stack.base}/t/nobody/.well-known/openid-configuration`);
    expect(unknown.status).toBe(404);
    expect(discovery.headers.get("content-type")).toContain("application/problem+json");
    await expect(client.refreshTokenGrant(config, tokens.refresh_token as string)).rejects.toThrow();
  });

  it("a deleted user's grants stop working", async () => {
    const user = await acmeUser();
    const { tokens } = await signedIn(stack, "acme", config, user.tokens.accessToken);
    await stack.t.deps.prisma.user.update({ where: { id: user.user.id }, data: { deletedAt: stack.t.deps.now() } });
    await expect(client.refreshTokenGrant(config, tokens.refresh_token as string)).rejects.toMatchObject({
      error: "invalid_grant",
    });
  });

  it("the interaction API refuses unknown interactions, missing tokens and other tenants' tokens", async () => {
    const missing = await fetch(`${stack.base}/t/acme/interactions/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toContain("application/problem+json");
    const { url } = await authorizationUrl(config);
    const uid = uidOf((await new Browser().follow(url.href, stack.base)).location);
    expect((await interactionPost(stack, "acme", uid, "login")).status).toBe(401);
    const outsider = await loginTestUser(stack.t);
    const foreign = await interactionPost(stack, "acme", uid, "login", outsider.tokens.accessToken);
    expect(foreign.status).toBe(403);
    // The web-app can read the problem (CORS on error answers too).
    expect(foreign.headers.get("access-control-allow-origin")).toBe(WEB_ORIGIN);
    expect(((await foreign.json()) as { code: string }).code).toBe("FORBIDDEN");
    // Consent before login: 409.
    const user = await acmeUser();
    expect((await interactionPost(stack, "acme", uid, "consent", user.tokens.accessToken)).status).toBe(409);
    // Abort: the client gets access_denied.
    const aborted = await interactionPost(stack, "acme", uid, "abort");
    expect(aborted.status).toBe(200);
    const { redirectTo } = (await aborted.json()) as { redirectTo: string };
    expect(redirectTo.startsWith(`${stack.base}/t/acme/`)).toBe(true);
  });

  it("answers 503 without a Node server (in-process fetch) instead of failing", async () => {
    const res = await stack.t.app.request("/t/acme/.well-known/openid-configuration");
    expect(res.status).toBe(503);
    expect(((await res.json()) as { code: string }).code).toBe("SERVICE_UNAVAILABLE");
  });
});
