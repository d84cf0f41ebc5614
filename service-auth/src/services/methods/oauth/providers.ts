import type * as oidc from "openid-client";
import { z } from "zod";
import type { AuthConfig } from "../../../config.ts";
import type { LoginMethod, OAuthProviderName } from "../../login/method-ids.ts";

/** What a provider proved about the person, normalised across providers. */
export interface OAuthProfile {
  /** The provider's stable user id (OIDC `sub`, GitHub/Discord/Twitter numeric id). */
  subject: string;
  /** Lower-cased e-mail, only when the provider says it is verified. */
  verifiedEmail: string | null;
  /** Snapshot kept on the identity (never tokens). */
  metadata: { email?: string | null; username?: string | null; name?: string | null; avatarUrl?: string | null };
}

/** A provider call that failed for a reason the user can't fix (outage, malformed answer). */
export class ProviderError extends Error {}

interface ProviderSpec {
  /** OIDC providers are discovered from their issuer and prove the login with an ID token. */
  kind: "oidc" | "oauth2";
  scope: string;
  /** client_secret_basic or client_secret_post. */
  clientAuth: "basic" | "post";
  /** Plain OAuth 2 providers: reads the profile from the provider's user API. */
  profile?: (fetch: typeof globalThis.fetch, apiUrl: string, accessToken: string) => Promise<OAuthProfile>;
}

const TIMEOUT_MS = 10_000;

/** openid-client loads at the first OAuth login, not at boot. */
export const openidClient = () => import("openid-client");

async function getJson<T>(
  fetch: typeof globalThis.fetch,
  url: string,
  accessToken: string,
  schema: z.ZodType<T>,
  headers: Record<string, string> = {},
) {
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { authorization: `Bearer ${accessToken}`, accept: "application/json", ...headers },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw new ProviderError(`user API unreachable: ${(error as Error).message}`);
  }
  if (!res.ok) throw new ProviderError(`user API answered ${res.status}`);
  const parsed = schema.safeParse(await res.json().catch(() => null));
  if (!parsed.success) throw new ProviderError("user API answered an unexpected shape");
  return parsed.data;
}

const lower = (email: string | null | undefined) => (email ? email.trim().toLowerCase() : null);

const GITHUB_HEADERS = {
  accept: "application/vnd.github+json",
  "x-github-api-version": "2022-11-28",
  "user-agent": "Atlas",
};
const GithubUser = z.object({
  id: z.number().int(),
  login: z.string(),
  name: z.string().nullish(),
  avatar_url: z.string().nullish(),
});
const GithubEmails = z.array(z.object({ email: z.string(), primary: z.boolean(), verified: z.boolean() }));
const DiscordUser = z.object({
  id: z.string().regex(/^\d+$/),
  username: z.string(),
  global_name: z.string().nullish(),
  avatar: z.string().nullish(),
  email: z.string().nullish(),
  verified: z.boolean().optional(),
});
const TwitterUser = z.object({
  data: z.object({ id: z.string().regex(/^\d+$/), name: z.string(), username: z.string() }),
});

const SPECS: Record<OAuthProviderName, ProviderSpec> = {
  google: { kind: "oidc", scope: "openid email profile", clientAuth: "basic" },
  oidc: { kind: "oidc", scope: "openid email profile", clientAuth: "basic" },
  github: {
    kind: "oauth2",
    scope: "read:user user:email",
    clientAuth: "post",
    // The e-mail on /user is the public one and may be anything; only the primary address that
    // GitHub verified (from /user/emails) proves control of an inbox.
    async profile(fetch, api, token) {
      const user = await getJson(fetch, `${api}/user`, token, GithubUser, GITHUB_HEADERS);
      const emails = await getJson(fetch, `${api}/user/emails`, token, GithubEmails, GITHUB_HEADERS);
      const primary = emails.find((e) => e.primary && e.verified);
      return {
        subject: String(user.id),
        verifiedEmail: lower(primary?.email),
        metadata: {
          email: primary?.email ?? null,
          username: user.login,
          name: user.name ?? null,
          avatarUrl: user.avatar_url ?? null,
        },
      };
    },
  },
  discord: {
    kind: "oauth2",
    scope: "identify email",
    clientAuth: "post",
    async profile(fetch, api, token) {
      const user = await getJson(fetch, `${api}/users/@me`, token, DiscordUser);
      return {
        subject: user.id,
        verifiedEmail: user.verified === true ? lower(user.email) : null,
        metadata: {
          email: user.email ?? null,
          username: user.username,
          name: user.global_name ?? null,
          avatarUrl: user.avatar ? `https://cdn.discordapp.com/avatars/${user.id}/${user.avatar}.png` : null,
        },
      };
    },
  },
  twitter: {
    kind: "oauth2",
    scope: "users.read tweet.read",
    clientAuth: "basic",
    // X's user API gives no e-mail to this scope set: Twitter identities never auto-link.
    async profile(fetch, api, token) {
      const { data } = await getJson(fetch, `${api}/2/users/me`, token, TwitterUser);
      return { subject: data.id, verifiedEmail: null, metadata: { username: data.username, name: data.name } };
    },
  },
};

/** The tenant login method a provider is allowed under. */
export const methodOf = (provider: OAuthProviderName) => `oauth:${provider}` as LoginMethod;

interface ProviderSettings {
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  issuer?: string | undefined;
  authorizeUrl?: string;
  tokenUrl?: string;
  apiUrl?: string;
}

function settingsOf(config: AuthConfig, provider: OAuthProviderName): ProviderSettings {
  switch (provider) {
    case "google":
      return {
        clientId: config.OAUTH_GOOGLE_CLIENT_ID,
        clientSecret: config.OAUTH_GOOGLE_CLIENT_SECRET,
        issuer: config.OAUTH_GOOGLE_ISSUER,
      };
    case "oidc":
      return {
        clientId: config.OAUTH_OIDC_CLIENT_ID,
        clientSecret: config.OAUTH_OIDC_CLIENT_SECRET,
        issuer: config.OAUTH_OIDC_ISSUER,
      };
    case "github":
      return {
        clientId: config.OAUTH_GITHUB_CLIENT_ID,
        clientSecret: config.OAUTH_GITHUB_CLIENT_SECRET,
        authorizeUrl: config.OAUTH_GITHUB_AUTHORIZE_URL,
        tokenUrl: config.OAUTH_GITHUB_TOKEN_URL,
        apiUrl: config.OAUTH_GITHUB_API_URL,
      };
    case "discord":
      return {
        clientId: config.OAUTH_DISCORD_CLIENT_ID,
        clientSecret: config.OAUTH_DISCORD_CLIENT_SECRET,
        authorizeUrl: config.OAUTH_DISCORD_AUTHORIZE_URL,
        tokenUrl: config.OAUTH_DISCORD_TOKEN_URL,
        apiUrl: config.OAUTH_DISCORD_API_URL,
      };
    case "twitter":
      return {
        clientId: config.OAUTH_TWITTER_CLIENT_ID,
        clientSecret: config.OAUTH_TWITTER_CLIENT_SECRET,
        authorizeUrl: config.OAUTH_TWITTER_AUTHORIZE_URL,
        tokenUrl: config.OAUTH_TWITTER_TOKEN_URL,
        apiUrl: config.OAUTH_TWITTER_API_URL,
      };
  }
}

/** One configured provider: its openid-client configuration and how to read the profile. */
export interface OAuthClient {
  provider: OAuthProviderName;
  kind: "oidc" | "oauth2";
  scope: string;
  redirectUri: string;
  configuration: oidc.Configuration;
  /** Plain OAuth 2: the profile from the user API. OIDC: from the ID token (userinfo as fallback). */
  profile(tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers): Promise<OAuthProfile>;
}

/**
 * The OAuth clients of this server. A provider without a client id and secret is off. OIDC
 * providers are discovered lazily and the answer cached (a failed discovery is retried on the
 * next login). Plain HTTP endpoints are refused in production (openid-client's default) and
 * allowed otherwise, for local peers.
 */
export class OAuthClients {
  private readonly discovered = new Map<OAuthProviderName, Promise<oidc.Configuration>>();

  constructor(
    private readonly config: AuthConfig,
    /** Outbound HTTP of the plain OAuth 2 user APIs (deps.fetch). */
    private readonly fetch: typeof globalThis.fetch,
  ) {}

  isConfigured(provider: OAuthProviderName): boolean {
    const s = settingsOf(this.config, provider);
    return Boolean(s.clientId && s.clientSecret && (SPECS[provider].kind === "oauth2" || s.issuer));
  }

  async get(provider: OAuthProviderName): Promise<OAuthClient> {
    const spec = SPECS[provider];
    const s = settingsOf(this.config, provider);
    const clientId = s.clientId as string;
    const secret = s.clientSecret as string;
    const insecure = this.config.dev.plainHttpPeers;
    const openid = await openidClient();
    const clientAuth = spec.clientAuth === "basic" ? openid.ClientSecretBasic(secret) : openid.ClientSecretPost(secret);
    let configuration: oidc.Configuration;
    if (spec.kind === "oidc") {
      let pending = this.discovered.get(provider);
      if (!pending) {
        pending = openid.discovery(new URL(s.issuer as string), clientId, secret, clientAuth, {
          algorithm: "oidc",
          timeout: TIMEOUT_MS / 1000,
          ...(insecure ? { execute: [openid.allowInsecureRequests] } : {}),
        });
        pending.catch(() => this.discovered.delete(provider));
        this.discovered.set(provider, pending);
      }
      try {
        configuration = await pending;
      } catch (error) {
        throw new ProviderError(`discovery failed: ${(error as Error).message}`);
      }
      // ID tokens from the token endpoint are verified against the provider's JWKS too, not
      // trusted on the strength of TLS alone (openid-client's default).
      openid.enableNonRepudiationChecks(configuration);
    } else {
      // The issuer of a plain OAuth 2 provider is the origin of its authorization endpoint: it is
      // what an RFC 9207 `iss` response parameter, if the provider sends one, must equal.
      configuration = new openid.Configuration(
        {
          issuer: new URL(s.authorizeUrl as string).origin,
          authorization_endpoint: s.authorizeUrl as string,
          token_endpoint: s.tokenUrl as string,
        },
        clientId,
        secret,
        clientAuth,
      );
      configuration.timeout = TIMEOUT_MS / 1000;
      if (insecure) openid.allowInsecureRequests(configuration);
    }
    return {
      provider,
      kind: spec.kind,
      scope: spec.scope,
      redirectUri: `${this.config.PUBLIC_URL}/auth/oauth/${provider}/callback`,
      configuration,
      profile: async (tokens) => {
        if (spec.profile) return spec.profile(this.fetch, s.apiUrl as string, tokens.access_token);
        return oidcProfile(configuration, tokens);
      },
    };
  }
}

const IdClaims = z.object({
  sub: z.string().min(1),
  email: z.string().nullish(),
  email_verified: z.union([z.boolean(), z.enum(["true", "false"])]).nullish(),
  name: z.string().nullish(),
  picture: z.string().nullish(),
  preferred_username: z.string().nullish(),
});

async function oidcProfile(
  configuration: oidc.Configuration,
  tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers,
): Promise<OAuthProfile> {
  // The ID token was verified by the grant (signature, iss, aud, nonce, exp). Providers that
  // keep e-mail out of it answer at userinfo, checked against the same subject.
  let claims = IdClaims.parse(tokens.claims());
  if (!claims.email && configuration.serverMetadata().userinfo_endpoint) {
    try {
      const info = await (await openidClient()).fetchUserInfo(configuration, tokens.access_token, claims.sub);
      claims = IdClaims.parse({ ...info, sub: claims.sub });
    } catch (error) {
      throw new ProviderError(`userinfo failed: ${(error as Error).message}`);
    }
  }
  const verified = claims.email_verified === true || claims.email_verified === "true";
  return {
    subject: claims.sub,
    verifiedEmail: verified ? lower(claims.email) : null,
    metadata: {
      email: claims.email ?? null,
      username: claims.preferred_username ?? null,
      name: claims.name ?? null,
      avatarUrl: claims.picture ?? null,
    },
  };
}
