import { httpUrl } from "@atlas/config";
import { z } from "zod";

/** The client-credential variables every OAuth provider has. */
function oauthClientEnv<P extends string>(provider: P, label: string) {
  return {
    [`OAUTH_${provider}_CLIENT_ID`]: z
      .string()
      .min(1)
      .optional()
      .describe(`${label} OAuth client id (unset: ${label} login is off)`),
    [`OAUTH_${provider}_CLIENT_SECRET`]: z.string().min(1).optional().describe(`${label} OAuth client secret`),
  } as Record<`OAUTH_${P}_CLIENT_ID` | `OAUTH_${P}_CLIENT_SECRET`, z.ZodOptional<z.ZodString>>;
}

/** A plain OAuth 2 provider's endpoints: configuration, so tests and self-hosters can move them. */
function oauthEndpointsEnv<P extends string>(
  provider: P,
  label: string,
  defaults: { authorize: string; token: string; api: string },
) {
  return {
    [`OAUTH_${provider}_AUTHORIZE_URL`]: httpUrl()
      .prefault(defaults.authorize)
      .describe(`${label} authorization endpoint`),
    [`OAUTH_${provider}_TOKEN_URL`]: httpUrl().prefault(defaults.token).describe(`${label} token endpoint`),
    [`OAUTH_${provider}_API_URL`]: httpUrl().prefault(defaults.api).describe(`${label} user API base URL`),
  } as Record<`OAUTH_${P}_${"AUTHORIZE" | "TOKEN" | "API"}_URL`, z.ZodPrefault<ReturnType<typeof httpUrl>>>;
}

/**
 * The login methods' part of service-auth's environment (e-mail and SMS senders, login rate
 * limits, OAuth/OIDC providers, wallets), spread into its schema (config.ts). Each `.describe()`
 * is the variable's documentation.
 */
export const loginEnv = {
  RESEND_API_KEY: z
    .string()
    .min(1)
    .optional()
    .describe("Resend API key for login e-mails. Unset in development: e-mails go to GET /dev/outbox instead"),
  RESEND_BASE_URL: httpUrl().optional().describe("Resend API base URL (tests and proxies); default Resend's"),
  EMAIL_FROM: z.string().min(3).default("Atlas <login@atlas.localhost>").describe("Sender of login e-mails"),
  TWILIO_ACCOUNT_SID: z
    .string()
    .min(1)
    .optional()
    .describe("Twilio account SID for login SMS. Unset in development: SMS go to GET /dev/outbox"),
  TWILIO_AUTH_TOKEN: z.string().min(1).optional().describe("Twilio auth token"),
  TWILIO_FROM: z.string().min(1).optional().describe("Sender number (E.164) or messaging service of login SMS"),
  TWILIO_BASE_URL: httpUrl().optional().describe("Twilio API base URL (tests and proxies); default Twilio's"),
  SMS_RESEND_COOLDOWN_SEC: z.coerce
    .number()
    .int()
    .min(0)
    .max(3_600)
    .default(30)
    .describe("Minimum seconds between two codes to the same number"),
  RATE_LIMIT_LOGIN_START_PER_HOUR: z.coerce
    .number()
    .int()
    .min(1)
    .default(10)
    .describe("Login starts (e-mail link, SMS code) per hour and per address or phone number"),
  RATE_LIMIT_LOGIN_PER_MIN_IP: z.coerce
    .number()
    .int()
    .min(1)
    .default(30)
    .describe("Login starts and verifications per minute and client IP"),
  RATE_LIMIT_OIDC_PER_MIN_CLIENT: z.coerce
    .number()
    .int()
    .min(1)
    .default(120)
    .describe("OpenID Provider: requests per minute and client to /token, /introspect and /revoke (each)"),
  RATE_LIMIT_LOGIN_PER_MIN_TENANT: z.coerce
    .number()
    .int()
    .min(1)
    .default(600)
    .describe("Login starts and verifications per minute and tenant"),
  RATE_LIMIT_LOGIN_TENANT_RANGE_PERCENT: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(10)
    .describe(
      "Largest share (percent) of RATE_LIMIT_LOGIN_PER_MIN_TENANT one network (IPv4 /24, IPv6 /48) may use per minute, so one network cannot lock a tenant's users out",
    ),
  RATE_LIMIT_PASSKEY_REGISTER_PER_HOUR: z.coerce
    .number()
    .int()
    .min(1)
    .default(20)
    .describe("Passkey registration requests (options and verify) per hour and user"),
  ...oauthClientEnv("GOOGLE", "Google"),
  OAUTH_GOOGLE_ISSUER: httpUrl()
    .prefault("https://accounts.google.com")
    .describe("Google's OpenID Connect issuer (discovery at /.well-known/openid-configuration)"),
  ...oauthClientEnv("GITHUB", "GitHub"),
  ...oauthEndpointsEnv("GITHUB", "GitHub", {
    authorize: "https://github.com/login/oauth/authorize",
    token: "https://github.com/login/oauth/access_token",
    api: "https://api.github.com",
  }),
  ...oauthClientEnv("DISCORD", "Discord"),
  ...oauthEndpointsEnv("DISCORD", "Discord", {
    authorize: "https://discord.com/oauth2/authorize",
    token: "https://discord.com/api/oauth2/token",
    api: "https://discord.com/api",
  }),
  ...oauthClientEnv("TWITTER", "Twitter/X"),
  ...oauthEndpointsEnv("TWITTER", "Twitter/X", {
    authorize: "https://x.com/i/oauth2/authorize",
    token: "https://api.x.com/2/oauth2/token",
    api: "https://api.x.com",
  }),
  ...oauthClientEnv("OIDC", "Generic OpenID Connect"),
  OAUTH_OIDC_ISSUER: httpUrl()
    .optional()
    .describe("Issuer of a generic OpenID Connect provider (Keycloak, Auth0, Okta...): login method `oauth:oidc`"),
  SIWE_CHAIN_IDS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      const ids = v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
        .map(Number);
      if (ids.length === 0 || ids.some((n) => !Number.isSafeInteger(n) || n < 1)) {
        ctx.addIssue({ code: "custom", message: "expected comma-separated positive chain ids" });
        return z.NEVER;
      }
      return ids;
    })
    .describe(
      "EVM chain ids accepted in SIWE messages. Default: 1,10,137,8453,42161,11155111, plus 31337 in development and test",
    ),
  SIWE_RPC_URLS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const urls = new Map<number, string>();
      for (const part of (v ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)) {
        const [id, url] = [part.slice(0, part.indexOf("=")), part.slice(part.indexOf("=") + 1)];
        if (!/^\d+$/.test(id) || !/^https?:\/\/\S+$/.test(url)) {
          ctx.addIssue({ code: "custom", message: "expected chainId=url, comma-separated" });
          return z.NEVER;
        }
        urls.set(Number(id), url);
      }
      return urls;
    })
    .describe(
      "JSON-RPC endpoints per chain (`chainId=url`, comma-separated): smart-contract wallets (ERC-1271) and counterfactual ones (ERC-6492) on those chains; without one, only plain EOA signatures verify",
    ),
  WALLET_MESSAGE_SKEW_SEC: z.coerce
    .number()
    .int()
    .min(0)
    .max(300)
    .default(60)
    .describe("Clock skew tolerated on wallet messages' issuedAt / expirationTime / notBefore"),
};
