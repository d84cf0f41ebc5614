// Failed bearer attempts per client address. Without a limit, anyone can send random well-formed
// PATs (each one a call to service-auth's introspection) as fast as they like. An address past
// its failures is refused with 429 before any further introspection; requests that cost nothing
// upstream (JWTs checked locally, cached answers) are unaffected, so others behind the same
// address keep working.
import { AppError } from "@atlas/errors";
import { addressBucket, clientAddress, proxyBlockList } from "@atlas/service-kit";
import type { Context, MiddlewareHandler } from "hono";
import type { Deps } from "../deps.ts";

const WINDOW_MS = 60_000;
const MAX_TRACKED = 100_000;

/** The two halves: `count` wraps the bearer middleware, `gate` runs before each introspection. */
export interface BearerFailureLimit {
  count(auth: MiddlewareHandler): MiddlewareHandler;
  gate(c: Context): void;
}

/**
 * Counts refused bearer tokens per client address (IPv6: per /64; behind TRUSTED_PROXIES the
 * forwarded client) in fixed one-minute windows. Past BEARER_FAILURES_PER_MIN_IP, the gate answers
 * 429 RATE_LIMITED with Retry-After instead of asking service-auth. Counters live in this
 * instance's memory.
 */
export function bearerFailureLimit(deps: Pick<Deps, "config" | "now">): BearerFailureLimit {
  const limit = deps.config.BEARER_FAILURES_PER_MIN_IP;
  const trusted = proxyBlockList(deps.config.TRUSTED_PROXIES);
  const windows = new Map<string, { start: number; failures: number }>();
  const keyOf = (c: Context) => addressBucket(clientAddress(c.env, c.req.header("x-forwarded-for"), trusted));
  const current = (key: string, now: number) => {
    const w = windows.get(key);
    if (w && now - w.start >= WINDOW_MS) {
      windows.delete(key);
      return undefined;
    }
    return w;
  };
  return {
    gate(c) {
      const now = deps.now().getTime();
      const w = current(keyOf(c), now);
      if (w && w.failures >= limit) {
        throw new AppError("RATE_LIMITED", {
          detail: "Too many failed authentications from this address; retry later",
          headers: { "Retry-After": String(Math.max(1, Math.ceil((w.start + WINDOW_MS - now) / 1000))) },
        });
      }
    },
    count(auth) {
      return async function countBearerFailures(c, next) {
        try {
          await auth(c, next);
        } catch (error) {
          // Only the bearer check throws here: later handlers' errors are answered inside next().
          if (isRefusedToken(error) && c.req.header("authorization")) {
            const now = deps.now().getTime();
            const key = keyOf(c);
            let w = current(key, now);
            if (!w) {
              if (windows.size >= MAX_TRACKED) prune(windows, now);
              w = { start: now, failures: 0 };
              windows.set(key, w);
            }
            w.failures += 1;
          }
          throw error;
        }
      };
    },
  };
}

/**
 * A token the caller presented and that was refused. Not: "could not be checked" (service-auth or
 * the JWKS unreachable), which is our outage, not the client's failure.
 */
function isRefusedToken(error: unknown): boolean {
  if (!(error instanceof AppError) || error.status !== 401) return false;
  return !(error.headers["WWW-Authenticate"] ?? "").includes("could not be checked");
}

function prune(windows: Map<string, { start: number }>, now: number): void {
  for (const [k, w] of windows) if (now - w.start >= WINDOW_MS) windows.delete(k);
  // Still full (a flood from very many addresses): start over rather than grow without bound.
  if (windows.size >= MAX_TRACKED) windows.clear();
}
