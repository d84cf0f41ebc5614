import type { Context } from "hono";

/** Signature algorithms an Atlas access token may use (api.md "Tokens"). */
export const SUPPORTED_ALGORITHMS = ["RS256", "ES256", "EdDSA"] as const;
export type SigningAlgorithm = (typeof SUPPORTED_ALGORITHMS)[number];

/** Largest accepted clock skew: anything more would stretch a 15-minute token noticeably. */
export const MAX_CLOCK_TOLERANCE_SEC = 30;

/** Checking personal access tokens (`atlas_pat_…`) through RFC 7662 introspection. */
export interface IntrospectionOptions {
  /** The introspection endpoint, e.g. `https://auth.example/auth/token/introspect`. */
  url: string;
  /** HTTP Basic client credentials of the calling service. */
  clientId: string;
  clientSecret: string;
  /** How long an `active` answer is reused (never past the token's `exp`). Default 30 000 ms. */
  positiveTtlMs?: number;
  /** How long an inactive answer is reused. Default 5 000 ms. */
  negativeTtlMs?: number;
  /** Longest wait for the endpoint before failing closed. Default 5 000 ms. */
  timeoutMs?: number;
  /** Most answers cached at once. Default 10 000. */
  cacheSize?: number;
  /** fetch implementation (tests). Default: the `fetch` option, then the global fetch. */
  fetch?: typeof fetch;
}

/** Options of {@link bearerAuth}; checked once, when the middleware is built. */
export interface BearerAuthOptions {
  /** Exact expected `iss`. */
  issuer: string;
  /** Accepted audiences: the token's `aud` must contain one of them. */
  audiences: string[];
  /** URL of the issuer's JSON Web Key Set. */
  jwksUrl: string;
  /**
   * Allow-list of signature algorithms. Default: all of RS256, ES256, EdDSA. `none` and
   * symmetric (HS*) algorithms are refused at construction whatever is passed.
   */
  algorithms?: SigningAlgorithm[];
  /** Accepted clock skew for `exp`/`nbf`/`iat`, seconds. Default 30, at most 30. */
  clockToleranceSec?: number;
  /** Least time between two JWKS fetches triggered by an unknown `kid`. Default 30 000 ms. */
  jwksCooldownMs?: number;
  /** Age after which the cached JWKS is refetched before use. Default 600 000 ms. */
  jwksCacheMaxAgeMs?: number;
  /** Longest wait for the JWKS endpoint. Default 5 000 ms. */
  jwksTimeoutMs?: number;
  /** Enables personal access tokens. Without it every `atlas_pat_` token is rejected. */
  introspection?: IntrospectionOptions;
  /**
   * Runs before a PAT whose answer is not cached is sent to introspection, with the request's
   * context; it may throw (e.g. 429 for an address that keeps failing) so that nobody can make
   * this server spend service-auth's introspection budget at will.
   */
  beforeIntrospection?: (c: Context) => void | Promise<void>;
  /**
   * Capacity of the LRU of verified JWTs (keyed by the token's SHA-256, each entry valid until
   * the token's `exp`). Default 10 000; 0 disables it.
   *
   * Trade-off: a cached JWT is accepted without re-checking its signature until it expires. That
   * changes nothing about revocation, because a JWT verified locally is not revocable anyway (a
   * logged-out session's access token stays valid for its remaining lifetime, at most 15 min);
   * revocation needs introspection, which PATs use. What the cache costs is a key removed from
   * the JWKS early: tokens already cached under it stay accepted until their `exp`.
   */
  verifiedCacheSize?: number;
  /** fetch implementation for the JWKS and introspection (tests). Default: the global fetch. */
  fetch?: typeof fetch;
  /**
   * Clock in milliseconds (tests). Default `Date.now`. It decides `exp`/`nbf` and the lifetime of
   * cached verifications and introspection answers; the JWKS cool-down and max age follow the
   * real clock (jose keeps that cache).
   */
  now?: () => number;
}

/** Options with every default filled in. */
export interface ResolvedOptions {
  issuer: string;
  audiences: string[];
  jwksUrl: URL;
  algorithms: SigningAlgorithm[];
  clockToleranceSec: number;
  jwksCooldownMs: number;
  jwksCacheMaxAgeMs: number;
  jwksTimeoutMs: number;
  introspection?: Required<Omit<IntrospectionOptions, "fetch" | "url">> & { url: URL; fetch: () => typeof fetch };
  verifiedCacheSize: number;
  fetch: () => typeof fetch;
  now: () => number;
}

function fail(message: string): never {
  throw new TypeError(`bearerAuth: ${message}`);
}

function nonEmpty(value: unknown, name: string): string {
  if (typeof value !== "string" || value.trim() === "") fail(`${name} must be a non-empty string`);
  return value;
}

function httpUrl(value: unknown, name: string): URL {
  let url: URL;
  try {
    url = new URL(nonEmpty(value, name));
  } catch {
    fail(`${name} must be an absolute http(s) URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") fail(`${name} must be an http(s) URL`);
  return url;
}

function duration(value: number | undefined, fallback: number, name: string, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0 || value > max) fail(`${name} must be an integer in 0..${max}`);
  return value;
}

function algorithmsOf(value: readonly string[] | undefined): SigningAlgorithm[] {
  if (value === undefined) return [...SUPPORTED_ALGORITHMS];
  if (!Array.isArray(value) || value.length === 0) fail("algorithms must be a non-empty list");
  for (const alg of value) {
    // `none` and HS* would let anyone holding the public key (or nobody at all) mint tokens.
    if (!(SUPPORTED_ALGORITHMS as readonly string[]).includes(alg)) {
      fail(`algorithm "${String(alg)}" is not allowed (only ${SUPPORTED_ALGORITHMS.join(", ")})`);
    }
  }
  return [...new Set(value)] as SigningAlgorithm[];
}

/** Validates {@link BearerAuthOptions} and fills in defaults; throws TypeError on misuse. */
export function resolveOptions(options: BearerAuthOptions): ResolvedOptions {
  if (!options || typeof options !== "object") fail("options are required");
  if (!Array.isArray(options.audiences) || options.audiences.length === 0) fail("audiences must be a non-empty list");
  const fetchOption = options.fetch;
  const fetchImpl = () => fetchOption ?? globalThis.fetch;
  const resolved: ResolvedOptions = {
    issuer: nonEmpty(options.issuer, "issuer"),
    audiences: options.audiences.map((a) => nonEmpty(a, "each audience")),
    jwksUrl: httpUrl(options.jwksUrl, "jwksUrl"),
    algorithms: algorithmsOf(options.algorithms),
    clockToleranceSec: duration(options.clockToleranceSec, 30, "clockToleranceSec", MAX_CLOCK_TOLERANCE_SEC),
    jwksCooldownMs: duration(options.jwksCooldownMs, 30_000, "jwksCooldownMs"),
    jwksCacheMaxAgeMs: duration(options.jwksCacheMaxAgeMs, 600_000, "jwksCacheMaxAgeMs"),
    jwksTimeoutMs: duration(options.jwksTimeoutMs, 5_000, "jwksTimeoutMs"),
    verifiedCacheSize: duration(options.verifiedCacheSize, 10_000, "verifiedCacheSize"),
    fetch: fetchImpl,
    now: options.now ?? Date.now,
  };
  const i = options.introspection;
  if (i !== undefined) {
    const introspectionFetch = i.fetch;
    resolved.introspection = {
      url: httpUrl(i.url, "introspection.url"),
      clientId: nonEmpty(i.clientId, "introspection.clientId"),
      clientSecret: nonEmpty(i.clientSecret, "introspection.clientSecret"),
      positiveTtlMs: duration(i.positiveTtlMs, 30_000, "introspection.positiveTtlMs"),
      negativeTtlMs: duration(i.negativeTtlMs, 5_000, "introspection.negativeTtlMs"),
      timeoutMs: duration(i.timeoutMs, 5_000, "introspection.timeoutMs"),
      cacheSize: duration(i.cacheSize, 10_000, "introspection.cacheSize"),
      fetch: introspectionFetch ? () => introspectionFetch : fetchImpl,
    };
  }
  return resolved;
}
