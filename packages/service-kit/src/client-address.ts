// Client addresses for rate limits. One IPv6 subscriber gets a whole /64 (often a /56 or /48),
// so counting per IPv6 address would give an attacker 2^64 fresh budgets: IPv6 is counted per /64.
import { BlockList, isIP } from "node:net";

/** The eight 16-bit groups of an IPv6 address (zone dropped, embedded IPv4 converted); null if not IPv6. */
function ipv6Groups(address: string): number[] | null {
  const ip = address.split("%")[0] ?? "";
  if (isIP(ip) !== 6) return null;
  let text = ip;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const part = (s: string) => (s === "" ? [] : s.split(":").map((g) => Number.parseInt(g, 16)));
  const left = part(head);
  const right = tail === undefined ? [] : part(tail);
  const groups = [...left, ...Array(8 - left.length - right.length).fill(0), ...right];
  return groups.length === 8 ? groups : null;
}

const prefixOf = (groups: number[], bits: 48 | 64) =>
  `${groups
    .slice(0, bits / 16)
    .map((g) => g.toString(16))
    .join(":")}::/${bits}`;

/**
 * The subject a per-address rate limit counts: an IPv4 address as is (IPv4-mapped IPv6 included),
 * an IPv6 address as its /64. Anything else (e.g. `unknown`) is returned unchanged.
 */
export function addressBucket(address: string): string {
  if (address.startsWith("::ffff:") && isIP(address.slice(7)) === 4) return address.slice(7);
  const groups = ipv6Groups(address);
  return groups ? prefixOf(groups, 64) : address;
}

/**
 * A wider network an address belongs to, for limits that must not let one network take a shared
 * budget: IPv4 /24, IPv6 /48 (a typical site allocation, 65 536 /64s).
 */
export function addressRange(address: string): string {
  const plain = address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  if (isIP(plain) === 4) return `${plain.split(".").slice(0, 3).join(".")}.0/24`;
  const groups = ipv6Groups(plain);
  return groups ? prefixOf(groups, 48) : plain;
}

/** Parses proxy entries (addresses or CIDR ranges, IPv4 or IPv6) into a BlockList; throws on a bad one. */
export function proxyBlockList(entries: string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split("/");
    if (!address || !isIP(address)) throw new Error(`invalid trusted proxy ${entry}`);
    const family = isIP(address) === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}

const stripMapped = (ip: string) => (ip.startsWith("::ffff:") && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip);

// BlockList.check builds a SocketAddress per call (a visible share of /health's profile); the
// answer per list and address is remembered, in a map cleared when it grows past its bound.
const TRUST_CACHE_MAX = 4096;
const trustCache = new WeakMap<BlockList, Map<string, boolean>>();

/** Whether `ip` (a plain address; anything else is not trusted) is in the trusted proxy list. */
export function isTrustedProxy(list: BlockList, ip: string): boolean {
  let known = trustCache.get(list);
  if (!known) {
    known = new Map();
    trustCache.set(list, known);
  }
  let trusted = known.get(ip);
  if (trusted === undefined) {
    const family = isIP(ip);
    trusted = family !== 0 && list.check(ip, family === 6 ? "ipv6" : "ipv4");
    if (known.size >= TRUST_CACHE_MAX) known.clear();
    known.set(ip, trusted);
  }
  return trusted;
}
const isTrusted = isTrustedProxy;

/**
 * The client address of a request served by @hono/node-server: the TCP peer, unless the peer is a
 * trusted proxy — then the right-most X-Forwarded-For entry that is not itself a trusted proxy
 * (entries further left are client-controlled and never believed). `unknown` outside a server.
 */
export function clientAddress(env: unknown, forwardedFor: string | undefined, trusted: BlockList): string {
  const incoming = (env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  let ip = stripMapped(incoming?.socket?.remoteAddress ?? "unknown");
  if (!isTrusted(trusted, ip)) return ip;
  const hops = (forwardedFor ?? "")
    .split(",")
    .map((s) => stripMapped(s.trim()))
    .filter((s) => isIP(s) !== 0);
  for (let i = hops.length - 1; i >= 0; i--) {
    ip = hops[i] as string;
    if (!isTrusted(trusted, ip)) break;
  }
  return ip;
}
