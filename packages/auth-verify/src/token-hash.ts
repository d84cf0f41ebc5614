import { createHash } from "node:crypto";

/**
 * SHA-256 of a token, hex: the key under which verification results are cached, so no cache
 * ever holds a usable credential. Synchronous node:crypto (~1 µs): this runs on every request.
 */
export function tokenHash(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
