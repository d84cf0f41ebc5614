import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { sha256Hex } from "./crypto.ts";

/** Who is calling, as far as the request tells: for sessions, audit rows and rate limits. */
export interface RequestContext {
  ipAddress: string;
  userAgent: string | null;
  /** A coarse device fingerprint (hash of user agent and language), never the raw headers. */
  deviceHash: string | null;
  /** The trusted-device token the browser presents (HttpOnly cookie), if any. Never logged. */
  deviceToken?: string | null;
}

/** The cookie that holds a trusted device's token (set by `POST /auth/mfa/verify`). */
export const DEVICE_COOKIE = "atlas_device";

/**
 * The client address is the TCP peer's. X-Forwarded-For is not trusted here: honouring it
 * needs a configured list of trusted proxies (the defence-in-depth issue adds that).
 */
export function requestContext(c: Context): RequestContext {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  const ipAddress = incoming?.socket?.remoteAddress ?? "unknown";
  const userAgent = c.req.header("user-agent")?.slice(0, 512) ?? null;
  const lang = c.req.header("accept-language")?.slice(0, 128) ?? "";
  return {
    ipAddress,
    userAgent,
    deviceHash: userAgent ? sha256Hex(`${userAgent}\n${lang}`).slice(0, 32) : null,
    deviceToken: getCookie(c, DEVICE_COOKIE) ?? null,
  };
}
