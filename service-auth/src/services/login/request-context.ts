import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { sha256Hex } from "../platform/crypto.ts";
import type { GeoLocation } from "./geo.service.ts";

/** Who is calling, as far as the request tells: for sessions, audit rows and rate limits. */
export interface RequestContext {
  ipAddress: string;
  userAgent: string | null;
  /**
   * A device fingerprint: SHA-256 over stable browser signals (user agent, language, client-hint
   * platform and mobile flags) plus an optional client-supplied `X-Device-Id`, salted with the
   * tenant id so hashes cannot be correlated across tenants. Raw signals are not stored.
   */
  deviceHash: string | null;
  /** The trusted-device token the browser presents (HttpOnly cookie), if any. Never logged. */
  deviceToken?: string | null;
  /** Where the request comes from (trusted proxy headers, or the GeoIP lookup at login). */
  geo?: GeoLocation | null;
  /** The login's risk score (0..1), once assessed; recorded on the audit rows. */
  riskScore?: number;
}

/** The cookie that holds a trusted device's token (set by `POST /auth/mfa/verify`). */
export const DEVICE_COOKIE = "atlas_device";

/**
 * The caller as the request tells: the client address from the client-ip middleware (the TCP
 * peer, or X-Forwarded-For behind a trusted proxy), the user agent, and the device hash.
 *
 * The IP address is deliberately not part of the device hash: the same laptop moving from home
 * to office would otherwise be a "new device" (and lose its trusted-device status) on every
 * network. Network changes are weighed separately (risk signals).
 */
export function requestContext(c: Context): RequestContext {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  const ipAddress = (c.get("clientIp") as string | undefined) ?? incoming?.socket?.remoteAddress ?? "unknown";
  const userAgent = c.req.header("user-agent")?.slice(0, 512) ?? null;
  const signals = [
    (c.get("tenant") as { id?: string } | undefined)?.id ?? "",
    userAgent ?? "",
    c.req.header("accept-language")?.slice(0, 128) ?? "",
    c.req.header("sec-ch-ua-platform")?.slice(0, 64) ?? "",
    c.req.header("sec-ch-ua-mobile")?.slice(0, 8) ?? "",
    c.req.header("x-device-id")?.slice(0, 128) ?? "",
  ];
  return {
    ipAddress,
    userAgent,
    deviceHash: userAgent || signals[5] ? sha256Hex(signals.join("\n")).slice(0, 32) : null,
    deviceToken: getCookie(c, DEVICE_COOKIE) ?? null,
    geo: (c.get("proxyGeo") as GeoLocation | null | undefined) ?? null,
  };
}
