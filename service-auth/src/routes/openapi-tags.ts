/**
 * The OpenAPI document's prose: info.description, the tags (the API reference's navigation
 * groups, each route's `tags` names one of these) and the security schemes. Plain sentences: the
 * reference renders them as Markdown, other tools print them as they are.
 */
export const API_DESCRIPTION = [
  "Atlas identity, tokens and the payment side of billing: sign-in by e-mail link or code, SMS, wallets (Ethereum, Solana, Arweave), passkeys and OAuth providers; MFA; sessions, personal access tokens and the device flow for command-line tools; tenants; billing customers, payment methods, subscriptions, invoices, credits and refunds.",
  "Every request and response body is JSON. Errors are RFC 9457 problem documents (application/problem+json) with a stable code field, listed in each operation's responses.",
  "Tenant-scoped routes read the tenant from the X-Tenant header (a tenant slug; without it, the default tenant). Billing writes take an Idempotency-Key header: a retry with the same key replays the first answer instead of acting twice.",
].join("\n\n");

export const API_TAGS = [
  { name: "discovery", description: "OpenID Connect discovery and the JSON Web Key Set that verifies access tokens." },
  { name: "tenants", description: "The tenant a client talks to: its public settings and allowed login methods." },
  {
    name: "tokens",
    description: "Access and refresh tokens: refresh, revocation (RFC 7009) and introspection (RFC 7662).",
  },
  { name: "sessions", description: "Where the caller is signed in: list sessions, sign one or all of them out." },
  {
    name: "personal access tokens",
    description: "Long-lived tokens (atlas_pat_…) with chosen scopes, for scripts and the CLI. Shown once.",
  },
  {
    name: "device authorization",
    description: "The OAuth 2.0 device flow (RFC 8628): the CLI shows a code, the user approves it in a browser.",
  },
  { name: "admin", description: "Platform and tenant administration: signing keys, tenants, outbox, audit, billing." },
  { name: "account", description: "The signed-in user: profile, linked sign-in methods, privacy export and deletion." },
  { name: "login: e-mail", description: "Passwordless sign-in with a link or a 6-digit code sent by e-mail." },
  { name: "login: sms", description: "Sign-in with a one-time code sent by SMS." },
  { name: "login: Ethereum", description: "Sign-In with Ethereum (EIP-4361) for EOA and smart-contract wallets." },
  { name: "login: Solana", description: "Sign-In with Solana: a wallet signs a challenge message." },
  { name: "login: Arweave", description: "Sign-in with an Arweave wallet (RSA-PSS signature of a challenge)." },
  { name: "login: passkey", description: "WebAuthn passkeys: register one, sign in with one." },
  {
    name: "login: OAuth",
    description: "Sign-in with an OAuth or OpenID Connect provider (authorization code and PKCE).",
  },
  { name: "mfa", description: "Second factors: TOTP and backup codes, MFA challenges and step-up verification." },
  { name: "audit", description: "The audit log of authentication and billing events." },
  {
    name: "billing",
    description: "Customers, payment methods, subscriptions, invoices, credits, refunds and crypto payments.",
  },
  {
    name: "openid-provider",
    description:
      "Each tenant as an OpenID Provider for other apps: its clients, the hosted login and consent pages' interactions, and the apps a user connected.",
  },
  { name: "webhooks", description: "Inbound webhooks from payment providers, verified by signature." },
] as const;

export const BEARER_SCHEME = {
  type: "http" as const,
  scheme: "bearer",
  bearerFormat: "JWT",
  description:
    "Send Authorization: Bearer followed by an access token (a JWT of 15 minutes by default, from any sign-in or from refreshing) or, where an operation says so, a personal access token (atlas_pat_…) holding the scope it names. Tenant-scoped operations also take an X-Tenant header (the tenant slug), and billing writes an Idempotency-Key header (any unique string) so that a retry never acts twice.",
};

export const BASIC_SCHEME = {
  type: "http" as const,
  scheme: "basic",
  description:
    "HTTP Basic with a service client's id and secret (Authorization: Basic, then base64 of id:secret): resource servers such as service-cloud-api use it to introspect tokens (RFC 7662) and to revoke them.",
};
