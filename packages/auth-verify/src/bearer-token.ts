/** What the `Authorization` header holds, as far as bearer authentication is concerned. */
export type BearerCredentials = { kind: "none" } | { kind: "malformed" } | { kind: "token"; token: string };

// RFC 6750 §2.1: `Bearer` SP b64token. The scheme is case-insensitive (RFC 9110 §11.1); exactly
// one space, no trailing text: anything looser is a garbled header, not a token.
const BEARER = /^bearer (?<token>[A-Za-z0-9\-._~+/]+=*)$/i;
const BEARER_SCHEME = /^bearer(?:\s|$)/i;

/**
 * Classifies an `Authorization` header. An absent or empty header, or another scheme such as
 * `Basic`, counts as no bearer credentials (the challenge then carries no error, RFC 6750 §3.1).
 */
export function parseAuthorization(header: string | undefined): BearerCredentials {
  if (header === undefined || header.trim() === "") return { kind: "none" };
  if (!BEARER_SCHEME.test(header)) return { kind: "none" };
  const token = BEARER.exec(header)?.groups?.token;
  return token ? { kind: "token", token } : { kind: "malformed" };
}
