// Issue 23: the tenants' OpenID Providers' metadata (OpenID Discovery 1.0), the JWT access tokens
// for a tenant's APIs (verified by @atlas/auth-verify), signing-key rotation, and claims per scope.
import { bearerAuth } from "@atlas/auth-verify";
import { Hono } from "hono";
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import * as client from "openid-client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loginTestUser } from "./fixtures.ts";
import {
  authorizationUrl,
  Browser,
  bearer,
  createTenant,
  type OpStack,
  platformAdmin,
  type RegisteredClient,
  registerClient,
  relyingParty,
  resetWithAcme,
  signInThroughOp,
  startOpStack,
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

const userOf = (email = "ada@acme.test") => loginTestUser(stack.t, { tenantSlug: "acme", email });

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
    expect(meta.scopes_supported).toEqual(
      expect.arrayContaining(["openid", "profile", "email", "phone", "offline_access"]),
    );
    expect(meta.claims_supported).toEqual(
      expect.arrayContaining([
        "sub",
        "email",
        "email_verified",
        "phone_number",
        "name",
        "wallet_address",
        "acr",
        "amr",
      ]),
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
    for (const kind of [
      "authorization_endpoint",
      "token_endpoint",
      "userinfo_endpoint",
      "jwks_uri",
      "end_session_endpoint",
      "revocation_endpoint",
    ]) {
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
      bearerAuth({
        issuer: `${stack.base}/t/acme`,
        audiences: [tenant.jwtAudience],
        jwksUrl: `${stack.base}/t/acme/jwks`,
      }),
    );
    api.get("/v1/me", (c) => c.json(c.var.auth));
    const me = await api.request("/v1/me", { headers: bearer(tokens.access_token) });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({
      sub: user.user.id,
      tid: tenant.id,
      scopes: ["openid", "profile", "email"],
    });
    // A token of another audience (another resource) is refused at the token endpoint.
    const refreshed = client.refreshTokenGrant(config, tokens.refresh_token as string, {
      resource: "https://evil.test",
    });
    await expect(refreshed).rejects.toMatchObject({ error: "invalid_target" });
  });
});

describe("OpenID Provider: the default tenant (jwtAudience is not a URI)", () => {
  it("uses urn:atlas:api:<slug> as the resource indicator of the tenant's APIs; tokens keep aud = jwtAudience", async () => {
    const defaultTenant = await stack.t.deps.prisma.tenant.findUniqueOrThrow({ where: { slug: "default" } });
    const rp = await registerClient(stack, defaultTenant.id, admin);
    const config = await relyingParty(stack, "default", rp);
    const user = await loginTestUser(stack.t, { email: "lin@atlas.test" });
    const { url, checks } = await authorizationUrl(config);
    const callback = await signInThroughOp(stack, "default", new Browser(), url, user.tokens.accessToken);
    const tokens = await client.authorizationCodeGrant(
      config,
      callback,
      { pkceCodeVerifier: checks.codeVerifier, expectedState: checks.state, expectedNonce: checks.nonce },
      { resource: "urn:atlas:api:default" },
    );
    const { payload } = await jwtVerify(
      tokens.access_token,
      createRemoteJWKSet(new URL(`${stack.base}/t/default/jwks`)),
      {
        issuer: `${stack.base}/t/default`,
        audience: "atlas",
      },
    );
    expect(payload).toMatchObject({ sub: user.user.id, tid: defaultTenant.id, client_id: rp.clientId });
    // The hosted pages' API answers the web-app's preflight (CORS), whatever the tenant.
    const preflight = await fetch(`${stack.base}/t/default/interactions/x/login`, {
      method: "OPTIONS",
      headers: {
        origin: "http://web.test",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("http://web.test");
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
