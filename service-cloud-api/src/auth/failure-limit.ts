// Failed bearer attempts per client address. Without it, anyone can send random well-formed PATs
// (each one a call to service-auth's introspection) as fast as they like; with it, an address that
// keeps failing is answered 429 from here, and only that address.
import { AppError } from "@atlas/errors";
import { addressBucket, clientAddress, proxyBlockList } from "@atlas/service-kit";
import type { MiddlewareHandler } from "hono";
import type { Deps } from "../deps.ts";

const WINDOW_MS = 60_000;
const MAX_TRACKED = 100_000;

/**
 * Wraps the bearer middleware: counts its 401s per client address (IPv6: per /64) in fixed
 * one-minute windows; an address past BEARER_FAILURES_PER_MIN_IP gets 429 RATE_LIMITED with
 * Retry-After, before its token is looked at. Successful requests never count, and other
 * addresses are never affected. Counters live in this instance's memory.
 */
export function limitBearerFailures(deps: Pick<Deps, "config" | "now">, auth: MiddlewareHandler): MiddlewareHandler {
  const limit = deps.config.BEARER_FAILURES_PER_MIN_IP;
  const trusted = proxyBlockList(deps.config.TRUSTED_PROXIES);
  const windows = new Map<string, { start: number; failures: number }>();
  return async function bearerFailureLimit(c, next) {
    const key = addressBucket(clientAddress(c.env, c.req.header("x-forwarded-for"), trusted));
    const now = deps.now().getTime();
    let w = windows.get(key);
    if (w && now - w.start >= WINDOW_MS) {
      windows.delete(key);
      w = undefined;
    }
    if (w && w.failures >= limit) {
      throw new AppError("RATE_LIMITED", {
        detail: "Too many failed authentications from this address; retry later",
        headers: { "Retry-After": String(Math.max(1, Math.ceil((w.start + WINDOW_MS - now) / 1000))) },
      });
    }
    try {
      await auth(c, next);
    } catch (error) {
      // Only the bearer check itself throws here: errors of later handlers are answered inside next().
      if (isRefusedToken(error) && c.req.header("authorization")) {
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
