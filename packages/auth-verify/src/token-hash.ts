const encoder = new TextEncoder();

/**
 * SHA-256 of a token, hex: the key under which verification results are cached, so no cache
 * ever holds a usable credential.
 */
export async function tokenHash(token: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(token)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
