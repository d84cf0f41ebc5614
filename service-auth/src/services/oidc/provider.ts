// One tenant's OpenID Provider: oidc-provider (panva, OpenID-certified) configured with Atlas's
// signing keys, accounts, consent store and hosted login pages. Nothing here implements the
// protocol; it plugs Atlas in. Configuration reference:
// https://github.com/panva/node-oidc-provider/blob/v9.x/docs/README.md
import type { Configuration, KoaContextWithOIDC, default as Provider } from "oidc-provider";
import type { Deps } from "../../ports.ts";
import { constantTimeEqual, sha256Hex } from "../platform/crypto.ts";
import type { ResolvedTenant } from "../tenancy/tenant.service.ts";
import type { LoadedKey } from "../tokens/signing-keys.service.ts";
import { findOidcAccount } from "./account.ts";
import { postgresAdapter } from "./adapter.ts";
import { OIDC_SCOPES } from "./clients.service.ts";
import { consentedScopes } from "./consent.service.ts";
import { errorPage, logoutPage, logoutSuccessPage } from "./pages.ts";

/** oidc-provider's routes, under the issuer `<PUBLIC_URL>/t/<slug>`. */
export const OP_ROUTES = {
  authorization: "/authorize",
  token: "/token",
  userinfo: "/userinfo",
  jwks: "/jwks",
  end_session: "/logout",
  revocation: "/revoke",
  introspection: "/introspect",
};

export const ACR_1FA = "urn:atlas:acr:1fa";
export const ACR_MFA = "urn:atlas:acr:mfa";

/** Claims per scope (OpenID Connect Core 5.4); `wallet_address` is CAIP-10. acr, amr and auth_time come from the login (every ID token). */
export const SCOPE_CLAIMS = {
  openid: ["sub", "acr", "amr", "auth_time", "azp"],
  profile: ["name", "wallet_address"],
  email: ["email", "email_verified"],
  phone: ["phone_number", "phone_number_verified"],
};

/**
 * The resource indicator (RFC 8707) of the tenant's APIs: its jwtAudience when that is an absolute
 * URI (resource indicators must be), else `urn:atlas:api:<slug>`. Tokens for it carry
 * aud = jwtAudience either way.
 */
export function apiResource(tenant: Pick<ResolvedTenant, "jwtAudience" | "slug">): string {
  const aud = tenant.jwtAudience;
  return URL.canParse(aud) && !aud.includes("#") && /^[a-z][a-z0-9+.-]*:/i.test(aud)
    ? aud
    : `urn:atlas:api:${tenant.slug}`;
}

/** The scopes of the tenant's APIs carried by its JWT access tokens (aud = jwtAudience). */
const API_SCOPES = "openid profile email phone";

export interface ProviderSetup {
  tenant: ResolvedTenant;
  issuer: string;
  keys: LoadedKey[];
}

type OidcModule = typeof import("oidc-provider");

function privateJwks(keys: LoadedKey[]) {
  return {
    keys: keys.map((k) => ({
      ...(k.privateKey.export({ format: "jwk" }) as Record<string, unknown>),
      kid: k.kid,
      alg: k.alg,
      use: "sig",
    })),
  };
}

/** The requested scopes of the authorization request, as a list. */
export const requestedScopes = (ctx: KoaContextWithOIDC): string[] =>
  String(ctx.oidc.params?.scope ?? "")
    .split(" ")
    .filter(Boolean);

/** Whether the request asks for MFA (`acr_values` containing urn:atlas:acr:mfa). */
export const mfaRequested = (acrValues: unknown): boolean =>
  String(acrValues ?? "")
    .split(" ")
    .includes(ACR_MFA);

/**
 * A grant for the requested scopes when the user needs no consent page: first-party clients, and
 * requests for a subset of what the user consented to before. Otherwise the session's grant.
 */
async function loadExistingGrant(deps: Deps, setup: ProviderSetup, ctx: KoaContextWithOIDC) {
  const { client, session, provider } = ctx.oidc;
  if (!client || !session?.accountId) return undefined;
  const resultGrant = ctx.oidc.result?.consent?.grantId as string | undefined;
  if (resultGrant) return provider.Grant.find(resultGrant);
  const allowed = new Set(String(client.scope ?? "").split(" "));
  const scopes = requestedScopes(ctx).filter((s) => allowed.has(s));
  const firstParty = (client as unknown as { atlas_first_party?: boolean }).atlas_first_party === true;
  const consented = firstParty ? null : await consentedScopes(deps, session.accountId, client.clientId);
  if (firstParty || (consented && scopes.length > 0 && scopes.every((s) => consented.has(s)))) {
    const grant = new provider.Grant({ accountId: session.accountId, clientId: client.clientId });
    grant.addOIDCScope(scopes.join(" "));
    grant.addOIDCClaims(claimsOf(ctx));
    grant.addResourceScope(apiResource(setup.tenant), scopes.filter((s) => API_SCOPES.includes(s)).join(" "));
    await grant.save();
    return grant;
  }
  const grantId = session.grantIdFor(client.clientId);
  return grantId ? provider.Grant.find(grantId) : undefined;
}

/** Claim names asked for with the `claims` parameter (they need consent like scopes). */
export function claimsOf(ctx: KoaContextWithOIDC): string[] {
  const raw = ctx.oidc.params?.claims;
  if (typeof raw !== "string") return [];
  try {
    const parsed = JSON.parse(raw) as { userinfo?: object; id_token?: object };
    return [...Object.keys(parsed.userinfo ?? {}), ...Object.keys(parsed.id_token ?? {})];
  } catch {
    return [];
  }
}

/** Builds the provider of one tenant (oidc-provider is imported here, on the first OP request). */
export async function buildProvider(deps: Deps, setup: ProviderSetup): Promise<Provider> {
  const oidc: OidcModule = await import("oidc-provider");
  const { default: ProviderClass, interactionPolicy, errors } = oidc;
  const { tenant, issuer, keys } = setup;
  const alg = keys[0]?.alg ?? "RS256";
  const policy = interactionPolicy.base();
  policy
    .get("login")
    ?.checks.add(
      new interactionPolicy.Check("mfa_required", "a second factor is required", (ctx) =>
        mfaRequested(ctx.oidc.params?.acr_values) && ctx.oidc.session?.acr !== ACR_MFA
          ? interactionPolicy.Check.REQUEST_PROMPT
          : interactionPolicy.Check.NO_NEED_TO_PROMPT,
      ),
    );
  const cookieKey = deps.keyRing.mac(tenant.id, "oidc-provider-cookies").toString("base64url");
  const configuration: Configuration = {
    adapter: postgresAdapter(deps, { tenantId: tenant.id, idTokenAlg: alg }) as never,
    jwks: privateJwks(keys) as never,
    cookies: {
      keys: [cookieKey],
      long: { signed: true, httpOnly: true, sameSite: "lax" },
      short: { signed: true, httpOnly: true, sameSite: "lax" },
    },
    clientAuthMethods: ["client_secret_basic", "client_secret_post", "private_key_jwt"],
    enabledJWA: {
      clientAuthSigningAlgValues: ["RS256", "PS256", "ES256", "EdDSA"],
      idTokenSigningAlgValues: [alg],
      userinfoSigningAlgValues: [alg],
      introspectionSigningAlgValues: [alg],
      authorizationSigningAlgValues: [alg],
    },
    routes: OP_ROUTES,
    responseTypes: ["code"],
    pkce: { required: () => true },
    scopes: [...OIDC_SCOPES],
    claims: SCOPE_CLAIMS,
    acrValues: [ACR_1FA, ACR_MFA],
    conformIdTokenClaims: true,
    features: {
      devInteractions: { enabled: false },
      claimsParameter: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = logoutPage(tenant, form);
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = logoutSuccessPage(tenant);
        },
      },
      resourceIndicators: {
        enabled: true,
        // Every authorization includes the tenant's APIs; a token request naming it gets a JWT for them.
        defaultResource: async (_ctx, _client, oneOf) => oneOf ?? apiResource(tenant),
        useGrantedResource: async () => false,
        getResourceServerInfo: async (_ctx, resource) => {
          if (resource !== apiResource(tenant)) throw new errors.InvalidTarget();
          return {
            scope: API_SCOPES,
            audience: tenant.jwtAudience,
            accessTokenTTL: deps.config.ACCESS_TOKEN_TTL_SEC,
            accessTokenFormat: "jwt",
            jwt: { sign: { alg } },
          };
        },
      },
    },
    extraTokenClaims: async (_ctx, token) => (token.kind === "AccessToken" ? { tid: tenant.id } : undefined),
    extraClientMetadata: {
      properties: ["atlas_first_party", "atlas_previous_secret_hash", "atlas_previous_secret_expires_at"],
    },
    clientBasedCORS: (_ctx, origin, client) => client.redirectUris?.some((u) => new URL(u).origin === origin) ?? false,
    rotateRefreshToken: () => true,
    ttl: {
      AccessToken: deps.config.ACCESS_TOKEN_TTL_SEC,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 3600,
      Session: 14 * 86_400,
      Grant: 30 * 86_400,
      RefreshToken: 30 * 86_400,
    },
    interactions: {
      policy,
      url: async (_ctx, interaction) => `${deps.config.WEB_ORIGIN}/oidc/${tenant.slug}/${interaction.uid}`,
    },
    loadExistingGrant: (ctx) => loadExistingGrant(deps, setup, ctx),
    findAccount: (ctx, sub) => findOidcAccount(deps, tenant, sub, ctx.oidc?.client?.clientId),
    renderError: async (ctx, out) => {
      ctx.type = "html";
      ctx.body = errorPage(tenant, out);
    },
  };
  const provider = new ProviderClass(issuer, configuration);
  installClientSecretCheck(deps, provider);
  return provider;
}

/**
 * Client secrets are stored as SHA-256 hex (clients.service.ts): compare the hash of what the
 * client sent, in constant time, with the current secret's and, until its overlap ends, the
 * previous one's.
 */
function installClientSecretCheck(deps: Deps, provider: Provider): void {
  provider.Client.prototype.compareClientSecret = async function compare(actual: string) {
    const self = this as unknown as {
      clientSecret?: string;
      // extraClientMetadata keeps its snake_case names on the client.
      atlas_previous_secret_hash?: string;
      atlas_previous_secret_expires_at?: number;
    };
    const hash = sha256Hex(actual);
    const current = constantTimeEqual(hash, self.clientSecret ?? "");
    const previousLive =
      self.atlas_previous_secret_hash !== undefined &&
      (self.atlas_previous_secret_expires_at ?? 0) * 1000 > deps.now().getTime();
    const previous = constantTimeEqual(hash, previousLive ? (self.atlas_previous_secret_hash as string) : "");
    return current || (previousLive && previous);
  };
}
