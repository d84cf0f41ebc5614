import { hash } from "node:crypto";

/**
 * SHA-256 of a token, hex: the key under which verification results are cached, so no cache
 * ever holds a usable credential. node:crypto's one-shot `hash` (no Hash object per call;
 * Node ≥ 20.12, the engines field asks for 20.19): this runs on every request.
 */
export function tokenHash(token: string): string {
  return hash("sha256", token, "hex");
}
