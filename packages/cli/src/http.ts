/** A failure the CLI reports to the user: a message, an optional hint, and the exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly options: { hint?: string; code?: string; status?: number; exitCode?: number } = {},
  ) {
    super(message);
    this.name = "CliError";
  }
  get exitCode(): number {
    return this.options.exitCode ?? 1;
  }
}

/** What to do about each stable problem code (api.md), in the CLI's words. */
const HINTS: Record<string, string> = {
  INVALID_TOKEN: "Your login is missing, revoked or expired: run `atlas login`.",
  EXPIRED_TOKEN: "Your token has expired: run `atlas login`.",
  INVALID_CREDENTIALS: "Run `atlas login`.",
  MFA_REQUIRED: "This needs a recent MFA verification: sign in to the web app, verify, and try again.",
  FORBIDDEN: "Your token lacks the scope this needs: `atlas login --scopes …` with the scope added.",
  NOT_FOUND: "Check the name or id (`atlas objects ls`, `atlas pat list`).",
  RATE_LIMITED: "Too many requests: wait a moment and retry.",
  PAYLOAD_TOO_LARGE: "The object is larger than your plan allows (see `atlas usage` and your plan).",
  QUOTA_EXCEEDED: "Your plan's limit is used up: upgrade in the web app or delete objects.",
  PAYMENT_FAILED: "A payment failed: update your payment method in the web app.",
  VALIDATION_FAILED: "Check the arguments (`--help`).",
  ACCOUNT_LOCKED: "The account is locked for a while after failed attempts.",
};

/** An RFC 9457 problem (or anything else a server answered) as a CliError. */
export async function problemError(res: Response, what: string): Promise<CliError> {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = await res.json();
    if (parsed && typeof parsed === "object") body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON: the status line says enough.
  }
  const code = typeof body.code === "string" ? body.code : `HTTP_${res.status}`;
  const detail = typeof body.detail === "string" ? body.detail : res.statusText || `HTTP ${res.status}`;
  const retry = res.headers.get("retry-after");
  const hint = HINTS[code] ?? undefined;
  return new CliError(`${what} failed: ${detail} (${code})`, {
    code,
    status: res.status,
    ...(hint ? { hint: retry && code === "RATE_LIMITED" ? `Retry in ${retry} s.` : hint } : {}),
  });
}

/** Resolved endpoints and credentials for one invocation. */
export interface Endpoints {
  authUrl: string;
  apiUrl: string;
  tenant: string | undefined;
}

/**
 * `fetch` that turns a network failure into a CliError naming the server, and adds the tenant
 * header. Native fetch: no HTTP library to keep up to date.
 */
export async function request(
  url: string,
  init: RequestInit & { tenant?: string | undefined; token?: string | undefined } = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.tenant) headers.set("x-tenant", init.tenant);
  if (init.token) headers.set("authorization", `Bearer ${init.token}`);
  headers.set("user-agent", "atlas-cli/0.1.0");
  const { tenant: _t, token: _k, ...rest } = init;
  try {
    return await fetch(url, { ...rest, headers });
  } catch (error) {
    type Cause = { code?: string; errors?: { code?: string }[] };
    const c = (error as { cause?: Cause }).cause;
    const cause = c?.code ?? c?.errors?.[0]?.code ?? (c as Error | undefined)?.message ?? (error as Error).message;
    throw new CliError(`Cannot reach ${new URL(url).origin} (${cause})`, {
      hint: "Check --api-url / --auth-url (or ATLAS_API_URL / ATLAS_AUTH_URL) and your connection.",
      code: "NETWORK_ERROR",
    });
  }
}

/** A JSON request that must succeed; failures become CliErrors from the problem document. */
export async function requestJson<T>(
  url: string,
  what: string,
  init: RequestInit & { tenant?: string | undefined; token?: string | undefined } = {},
): Promise<T> {
  const res = await request(url, init);
  if (!res.ok) throw await problemError(res, what);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}
