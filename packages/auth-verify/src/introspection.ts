import { type AuthContext, copyAuth } from "./auth-context.ts";
import { expiredToken, invalidToken } from "./challenge.ts";
import { authContextFromClaims } from "./claims.ts";
import { ExpiringLru } from "./expiring-lru.ts";
import type { ResolvedOptions } from "./options.ts";
import { tokenHash } from "./token-hash.ts";

/**
 * Checks a personal access token and returns the caller, or throws a 401 AppError. `beforeAsking`
 * runs only when the answer is not cached, just before service-auth is asked; it may throw (e.g.
 * a 429 for a client that keeps failing).
 */
export type Introspector = (token: string, beforeAsking?: () => void | Promise<void>) => Promise<AuthContext>;

type CachedAnswer = { active: true; auth: AuthContext } | { active: false };

/** RFC 6749 §2.3.1: client id and secret are form-urlencoded before Basic encoding. */
function basicCredentials(clientId: string, clientSecret: string): string {
  const form = (s: string) => new URLSearchParams({ v: s }).toString().slice(2);
  return `Basic ${btoa(`${form(clientId)}:${form(clientSecret)}`)}`;
}

/** Without introspection configured, PATs are refused: fail closed, never "accept unchecked". */
export const rejectPats: Introspector = async () => {
  throw invalidToken("personal access tokens are not accepted");
};

/**
 * RFC 7662 introspection of PATs, cached by the token's SHA-256: an active answer for
 * min(`positiveTtlMs`, exp − now), an inactive one for `negativeTtlMs`. An unreachable
 * endpoint, a non-200 answer or an unreadable body fails closed (401) and is not cached, so
 * the next request asks again.
 */
export function createIntrospector(options: ResolvedOptions): Introspector {
  const config = options.introspection;
  if (!config) return rejectPats;
  const cache = new ExpiringLru<CachedAnswer>(config.cacheSize);
  const authorization = basicCredentials(config.clientId, config.clientSecret);

  const ask = async (token: string): Promise<Record<string, unknown>> => {
    let response: Response;
    try {
      response = await config.fetch()(config.url, {
        method: "POST",
        headers: {
          authorization,
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json",
        },
        body: new URLSearchParams({ token }).toString(),
        redirect: "manual",
        signal: AbortSignal.timeout(config.timeoutMs),
      });
    } catch (error) {
      throw invalidToken("token could not be checked", error);
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw invalidToken("token could not be checked", new Error(`introspection answered ${response.status}`));
    }
    let answer: unknown;
    try {
      answer = await response.json();
    } catch (error) {
      throw invalidToken("token could not be checked", error);
    }
    if (!answer || typeof answer !== "object" || Array.isArray(answer)) {
      throw invalidToken("token could not be checked", new Error("introspection answer is not an object"));
    }
    return answer as Record<string, unknown>;
  };

  return async function introspect(token, beforeAsking) {
    const key = tokenHash(token);
    const cached = cache.get(key, options.now());
    if (cached?.active) return copyAuth(cached.auth);
    if (cached) throw invalidToken("token is not active");

    await beforeAsking?.();
    const answer = await ask(token);
    const now = options.now();
    if (answer.active !== true) {
      cache.set(key, { active: false }, now + config.negativeTtlMs, now);
      throw invalidToken("token is not active");
    }
    let auth: AuthContext;
    try {
      auth = authContextFromClaims({ ...answer, amr: ["pat"] }, "pat");
    } catch (error) {
      // An active answer without sub/tid is a broken answer: refuse it, but ask again next time.
      throw invalidToken("token could not be checked", error);
    }
    const expMs = typeof answer.exp === "number" ? answer.exp * 1000 : undefined;
    // Defence in depth: an "active" token past its own exp (beyond the skew allowance) is refused.
    if (expMs !== undefined && expMs + options.clockToleranceSec * 1000 <= now) throw expiredToken();
    const until = Math.min(now + config.positiveTtlMs, expMs ?? Number.POSITIVE_INFINITY);
    cache.set(key, { active: true, auth }, until, now);
    return copyAuth(auth);
  };
}
