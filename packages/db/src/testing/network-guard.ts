// vitest setup file: outbound network is refused in tests except to loopback. Everything that
// opens a TCP connection in Node (http, fetch/undici, pg, redis) goes through
// net.Socket.prototype.connect, so one guard there covers them all.
import net from "node:net";

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined || host === "") return true; // Node defaults to localhost
  if (LOOPBACK_NAMES.has(host)) return true;
  return net.isIPv4(host) && host.startsWith("127.");
}

type ConnectArgs = [unknown, ...unknown[]];

function targetHost(args: ConnectArgs): { host: string | undefined; path: string | undefined } {
  const [first, second] = args;
  const opts = Array.isArray(first) ? (first[0] as unknown) : first;
  if (opts && typeof opts === "object") {
    const o = opts as { host?: string; path?: string };
    return { host: o.host, path: o.path };
  }
  if (typeof opts === "string" && Number.isNaN(Number(opts))) return { host: undefined, path: opts };
  return { host: typeof second === "string" ? second : undefined, path: undefined };
}

const original = net.Socket.prototype.connect;
if (!(original as { __atlasGuard?: boolean }).__atlasGuard) {
  const guarded = function connect(this: net.Socket, ...args: ConnectArgs) {
    const { host, path } = targetHost(args);
    if (path === undefined && !isLoopbackHost(host)) {
      throw new Error(`outbound network refused in tests: ${host}`);
    }
    return (original as (...a: unknown[]) => net.Socket).apply(this, args);
  };
  (guarded as { __atlasGuard?: boolean }).__atlasGuard = true;
  net.Socket.prototype.connect = guarded as typeof original;
}
