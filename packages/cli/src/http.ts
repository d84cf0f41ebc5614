import {
  type ClientOptions,
  type CloudApiClient,
  createCloudApiClient,
  createServiceAuthClient,
  type ServiceAuthClient,
} from "@atlas/client";

/**
 * The exit codes of `atlas` (README "The `atlas` CLI"): 0 success; 3 not signed in, or the token
 * is refused (401/403); 4 not found (404); 5 conflict (409); 1 anything else, usage errors
 * included (commander's own code for them).
 */
export const EXIT = { ok: 0, other: 1, auth: 3, notFound: 4, conflict: 5 } as const;

/** Problem codes that mean "sign in (again) or with more rights", whatever the status. */
const AUTH_CODES = new Set(["NOT_LOGGED_IN", "INVALID_TOKEN", "EXPIRED_TOKEN", "INVALID_CREDENTIALS", "FORBIDDEN"]);

/** The exit code of a failure with problem code `code` and HTTP status `status` (none when no answer). */
export function exitCodeOf(code: string | undefined, status: number | undefined): number {
  if (status === 401 || status === 403 || (code && AUTH_CODES.has(code))) return EXIT.auth;
  if (status === 404 || code === "NOT_FOUND") return EXIT.notFound;
  if (status === 409 || code === "CONFLICT") return EXIT.conflict;
  return EXIT.other;
}

/**
 * A failure the CLI reports to the user: a message, an optional hint, the request id of the
 * failed answer (X-Request-Id, for support and the server's logs), and the exit code.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly options: { hint?: string; code?: string; status?: number; exitCode?: number; requestId?: string } = {},
  ) {
    super(message);
    this.name = "CliError";
  }
  get exitCode(): number {
    return this.options.exitCode ?? exitCodeOf(this.options.code, this.options.status);
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
  let parsed: unknown;
  try {
    parsed = await res.json();
  } catch {
    // Not JSON: the status line says enough.
  }
  return problemOf(res, parsed, what);
}

/** A failed answer as a CliError, from its problem document already read (`body`; anything else counts as none). */
export function problemOf(res: Response, body: unknown, what: string): CliError {
  const doc = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
  const code = typeof doc.code === "string" ? doc.code : `HTTP_${res.status}`;
  const detail = typeof doc.detail === "string" ? doc.detail : res.statusText || `HTTP ${res.status}`;
  const retry = res.headers.get("retry-after");
  const hint = HINTS[code] ?? undefined;
  const requestId = res.headers.get("x-request-id") ?? (typeof doc.instance === "string" ? doc.instance : null);
  return new CliError(`${what} failed: ${detail} (${code})`, {
    code,
    status: res.status,
    ...(requestId ? { requestId } : {}),
    ...(hint ? { hint: retry && code === "RATE_LIMITED" ? `Retry in ${retry} s.` : hint } : {}),
  });
}

/** Resolved endpoints and credentials for one invocation. */
export interface Endpoints {
  authUrl: string;
  apiUrl: string;
  tenant: string | undefined;
}

const USER_AGENT = "atlas-cli/0.1.0";

/** A failed connection to `url`'s server as a CliError naming it. */
function networkError(url: string, error: unknown): CliError {
  type Cause = { code?: string; errors?: { code?: string }[] };
  const c = (error as { cause?: Cause }).cause;
  const cause = c?.code ?? c?.errors?.[0]?.code ?? (c as Error | undefined)?.message ?? (error as Error).message;
  return new CliError(`Cannot reach ${new URL(url).origin} (${cause})`, {
    hint: "Check --api-url / --auth-url (or ATLAS_API_URL / ATLAS_AUTH_URL) and your connection.",
    code: "NETWORK_ERROR",
  });
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
  headers.set("user-agent", USER_AGENT);
  const { tenant: _t, token: _k, ...rest } = init;
  try {
    return await fetch(url, { ...rest, headers });
  } catch (error) {
    throw networkError(url, error);
  }
}

/** Whom a typed client calls as: the tenant (X-Tenant) and the bearer token, when known. */
export interface Caller {
  tenant?: string | undefined;
  token?: string | undefined;
}

/** The transport of the typed clients: native fetch; a network failure is a CliError naming the server. */
async function send(req: Request): Promise<Response> {
  try {
    return await fetch(req);
  } catch (error) {
    throw networkError(req.url, error);
  }
}

function clientOptions(baseUrl: string, caller: Caller): ClientOptions {
  return {
    baseUrl,
    fetch: send,
    headers: {
      "user-agent": USER_AGENT,
      ...(caller.tenant ? { "x-tenant": caller.tenant } : {}),
      ...(caller.token ? { authorization: `Bearer ${caller.token}` } : {}),
    },
  };
}

/** A typed client of service-auth (@atlas/client); read its answers with `must`. */
export const authClient = (baseUrl: string, caller: Caller): ServiceAuthClient =>
  createServiceAuthClient(clientOptions(baseUrl, caller));

/** A typed client of service-cloud-api (@atlas/client); read its answers with `must`. */
export const cloudClient = (baseUrl: string, caller: Caller): CloudApiClient =>
  createCloudApiClient(clientOptions(baseUrl, caller));

/**
 * The data of a typed call that must succeed; a failed answer becomes the CliError of its
 * problem document.
 *
 * @example
 * const me = await must("whoami", cloudClient(ctx.apiUrl, { token }).GET("/v1/me"));
 */
export async function must<D>(
  what: string,
  call: Promise<{ data?: D; error?: unknown; response: Response }>,
): Promise<D> {
  const { data, error, response } = await call;
  if (!response.ok) throw problemOf(response, error, what);
  return data as D;
}

/**
 * A typed call's `body` and headers for a form-encoded request (OAuth's device flow): the fields
 * as application/x-www-form-urlencoded.
 */
export const formEncoded = {
  bodySerializer: (fields: unknown) => new URLSearchParams(fields as Record<string, string>).toString(),
  headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
};
