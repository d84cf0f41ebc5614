import { type BlockList, isIP, type SocketAddress } from "node:net";
import { clientAddress, proxyBlockList } from "@atlas/service-kit";
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

const MEMO_LIMIT = 4096;

/**
 * The same BlockList, with `check` answers remembered per address (the list is fixed at boot):
 * node's `check` builds a SocketAddress on every call, and it ran twice per request.
 */
function memoizedChecks(list: BlockList): BlockList {
  const answers = new Map<string, boolean>();
  const memo = Object.create(list) as BlockList;
  memo.check = (address: string | SocketAddress, type?: "ipv4" | "ipv6") => {
    if (typeof address !== "string") return list.check(address);
    const key = `${type ?? ""} ${address}`;
    let answer = answers.get(key);
    if (answer === undefined) {
      answer = list.check(address, type);
      if (answers.size >= MEMO_LIMIT) answers.clear();
      answers.set(key, answer);
    }
    return answer;
  };
  return memo;
}

/**
 * The client address: the TCP peer, unless the peer is a configured trusted proxy — then the
 * right-most address of X-Forwarded-For that is not itself a trusted proxy (entries further left
 * are client-controlled and never believed).
 */
export function clientIp(list: BlockList): MiddlewareHandler {
  const trusted = memoizedChecks(list);
  return async function clientIpMiddleware(c, next) {
    const ip = clientAddress(c.env, c.req.header("x-forwarded-for"), trusted);
    // Location headers are believed only from a trusted proxy peer (the same rule as the address).
    const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
    const peer = incoming?.socket?.remoteAddress ?? "";
    const peerIp = peer.startsWith("::ffff:") && isIP(peer.slice(7)) === 4 ? peer.slice(7) : peer;
    const family = isIP(peerIp);
    const geo =
      family !== 0 && trusted.check(peerIp, family === 6 ? "ipv6" : "ipv4")
        ? geoFromProxyHeaders((name) => c.req.header(name))
        : null;
    c.set("clientIp", ip);
    c.set("proxyGeo", geo);
    await next();
  };
}
