/**
 * A readiness probe for the issuer's JWKS: resolves when `jwksUrl` answers 200 with at least
 * one key, rejects otherwise (the reason is for logs, not clients).
 *
 * @example
 * readiness: { jwks: () => checkJwks("http://auth:4000/.well-known/jwks.json") }
 */
export async function checkJwks(jwksUrl: string, options: { fetch?: typeof fetch; timeoutMs?: number } = {}) {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const response = await fetchImpl(jwksUrl, {
    headers: { accept: "application/json" },
    redirect: "manual",
    signal: AbortSignal.timeout(options.timeoutMs ?? 2_000),
  });
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new Error(`JWKS answered ${response.status}`);
  }
  const body = (await response.json()) as { keys?: unknown };
  if (!Array.isArray(body.keys) || body.keys.length === 0) throw new Error("JWKS has no keys");
}
