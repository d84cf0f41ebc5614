import { BlockList, isIP } from "node:net";
import type { MiddlewareHandler } from "hono";
import { type GeoLocation, geoFromProxyHeaders } from "../services/geo.service.ts";

declare module "hono" {
  interface ContextVariableMap {
    clientIp: string;
    /** Geolocation from a trusted proxy's headers, when the peer is one. */
    proxyGeo: GeoLocation | null;
  }
}

/** Parses `TRUSTED_PROXIES` entries (addresses or CIDR ranges, IPv4 or IPv6) into a BlockList. */
export function trustedProxyList(entries: string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split("/");
    const family = isIP(address ?? "") === 6 ? "ipv6" : "ipv4";
    if (!address || !isIP(address)) throw new Error(`invalid trusted proxy ${entry}`);
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}

const stripMapped = (ip: string) => (ip.startsWith("::ffff:") && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip);

function isTrusted(list: BlockList, ip: string): boolean {
  const family = isIP(ip);
  return family !== 0 && list.check(ip, family === 6 ? "ipv6" : "ipv4");
}

/**
 * The client address: the TCP peer, unless the peer is a configured trusted proxy — then the
 * right-most address of X-Forwarded-For that is not itself a trusted proxy (entries further left
 * are client-controlled and never believed).
 */
export function clientIp(trusted: BlockList): MiddlewareHandler {
  return async function clientIpMiddleware(c, next) {
    const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
    let ip = stripMapped(incoming?.socket?.remoteAddress ?? "unknown");
    let geo: GeoLocation | null = null;
    if (isTrusted(trusted, ip)) {
      geo = geoFromProxyHeaders((name) => c.req.header(name));
      const hops = (c.req.header("x-forwarded-for") ?? "")
        .split(",")
        .map((s) => stripMapped(s.trim()))
        .filter((s) => isIP(s) !== 0);
      for (let i = hops.length - 1; i >= 0; i--) {
        ip = hops[i] as string;
        if (!isTrusted(trusted, ip)) break;
      }
    }
    c.set("clientIp", ip);
    c.set("proxyGeo", geo);
    await next();
  };
}
