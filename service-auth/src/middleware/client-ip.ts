import { type BlockList, isIP } from "node:net";
import { clientAddress, isTrustedProxy, proxyBlockList } from "@atlas/service-kit";
import type { MiddlewareHandler } from "hono";
import { type GeoLocation, geoFromProxyHeaders } from "../services/login/geo.service.ts";

declare module "hono" {
  interface ContextVariableMap {
    clientIp: string;
    /** Geolocation from a trusted proxy's headers, when the peer is one. */
    proxyGeo: GeoLocation | null;
  }
}

/** Parses `TRUSTED_PROXIES` entries (addresses or CIDR ranges, IPv4 or IPv6) into a BlockList. */
export const trustedProxyList = proxyBlockList;

/**
 * The client address: the TCP peer, unless the peer is a configured trusted proxy — then the
 * right-most address of X-Forwarded-For that is not itself a trusted proxy (entries further left
 * are client-controlled and never believed).
 */
export function clientIp(trusted: BlockList): MiddlewareHandler {
  // Not async: nothing runs after `next()`, so the route's promise is returned as is (one async
  // frame less on every request).
  return function clientIpMiddleware(c, next) {
    const ip = clientAddress(c.env, c.req.header("x-forwarded-for"), trusted);
    // Location headers are believed only from a trusted proxy peer (the same rule as the address).
    const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
    const peer = incoming?.socket?.remoteAddress ?? "";
    const peerIp = peer.startsWith("::ffff:") && isIP(peer.slice(7)) === 4 ? peer.slice(7) : peer;
    const geo = isTrustedProxy(trusted, peerIp) ? geoFromProxyHeaders((name) => c.req.header(name)) : null;
    c.set("clientIp", ip);
    c.set("proxyGeo", geo);
    return next();
  };
}
