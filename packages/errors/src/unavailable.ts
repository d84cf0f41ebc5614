// Which failures mean "a dependency (the database above all) is unreachable right now" rather
// than "this code is wrong": those answer 503 SERVICE_UNAVAILABLE with Retry-After, so clients
// retry instead of treating the request as failed for good.

/** Socket-level errors of Node (connect/read/write) that say the peer is unreachable. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/**
 * PostgreSQL SQLSTATEs of an unusable connection or server: class 08 (connection exception),
 * 57P01–57P03 (admin/crash shutdown, cannot connect now: a restart), 53300 (too many connections).
 */
const SQLSTATE_UNAVAILABLE = /^(08[0-9A-Z]{3}|57P0[1-3]|53300)$/;

/** Prisma's connection-level error codes (database unreachable, timed out, connection closed). */
const PRISMA_UNAVAILABLE = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);

/** Driver-adapter error kinds (Prisma 7 `DriverAdapterError.cause.kind`) of a lost database. */
const ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);

/** node-postgres messages for a connection that died or could not be made (they carry no code). */
const PG_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect$/,
  /is not queryable$/,
  /^Client was closed/,
  /^Cannot use a pool after calling end on the pool$/,
];

function unavailableHere(e: Record<string, unknown>): boolean {
  const code = typeof e.code === "string" ? e.code : undefined;
  if (code && (NETWORK_CODES.has(code) || PRISMA_UNAVAILABLE.has(code))) return true;
  // pg's DatabaseError: `severity` plus a SQLSTATE `code`.
  if (code && typeof e.severity === "string" && SQLSTATE_UNAVAILABLE.test(code)) return true;
  // Prisma driver adapters: { kind: "postgres", code } or a generic kind.
  if (typeof e.kind === "string") {
    if (ADAPTER_KINDS.has(e.kind)) return true;
    if (e.kind === "postgres" && code && SQLSTATE_UNAVAILABLE.test(code)) return true;
  }
  const message = typeof e.message === "string" ? e.message : "";
  return PG_MESSAGES.some((p) => p.test(message));
}

/**
 * True when `error` — or anything it wraps (`cause`, an AggregateError's `errors`, Prisma's
 * `meta.driverAdapterError`) — says a dependency is unreachable: a refused or reset connection,
 * a PostgreSQL shutdown or restart, a pool that could not connect in time.
 */
export function isDependencyUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== "object" || depth > 8) return false;
  const e = error as Record<string, unknown>;
  if (unavailableHere(e)) return true;
  const meta = e.meta && typeof e.meta === "object" ? (e.meta as Record<string, unknown>) : undefined;
  const wrapped = [e.cause, meta?.driverAdapterError, ...(Array.isArray(e.errors) ? e.errors : [])];
  return wrapped.some((inner) => isDependencyUnavailable(inner, depth + 1));
}
