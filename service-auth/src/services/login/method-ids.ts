// The tenant login method vocabulary (api.md): the ids a tenant's `allowedMethods` may name.
// A leaf that imports nothing, because tenancy parses stored tenants against it below every
// route. Each id has exactly one manifest in src/methods/ (checked at compile time in
// src/methods/index.ts); everything else about a method — its routes, OpenAPI tag, label,
// availability, the admin API's enum and the web-app's list — comes from that manifest.

/** The OAuth/OIDC providers: each is the login method `oauth:<provider>`. */
export const OAUTH_PROVIDERS = ["google", "github", "discord", "twitter", "oidc"] as const;
export type OAuthProviderName = (typeof OAUTH_PROVIDERS)[number];

export const LOGIN_METHODS = [
  "email",
  "sms",
  "siwe",
  "siws",
  "arweave",
  "passkey",
  "oauth:google",
  "oauth:github",
  "oauth:discord",
  "oauth:twitter",
  "oauth:oidc",
] as const;
export type LoginMethod = (typeof LOGIN_METHODS)[number];
