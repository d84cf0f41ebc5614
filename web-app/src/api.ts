/** A failed API call: an RFC 9457 problem from the server, or a transport failure. */
export class ApiError extends Error {
  /** HTTP status; 0 when no response arrived. */
  readonly status: number;
  /** Stable machine code (api.md), e.g. `RATE_LIMITED`, or `NETWORK_ERROR`. */
  readonly code: string;
  /** Human-readable explanation that is safe to show to the user. */
  readonly detail: string;
  /** The problem's extension members (e.g. `mfaToken`, `methods` of MFA_REQUIRED). */
  readonly extras: Readonly<Record<string, unknown>>;
  /** Seconds from a `Retry-After` header, when the server sent one. */
  readonly retryAfter: number | null;

  constructor(
    status: number,
    code: string,
    detail: string,
    extras: Record<string, unknown> = {},
    retryAfter: number | null = null,
  ) {
    super(detail);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.extras = extras;
    this.retryAfter = retryAfter;
  }
}

const PROBLEM_MEMBERS = new Set(["type", "title", "status", "detail", "code", "instance"]);

export const NETWORK_ERROR = "NETWORK_ERROR";

const NETWORK_DETAIL = "We couldn't reach the sign-in service. Check your connection and try again.";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringField(body: unknown, key: string): string | undefined {
  if (!isRecord(body)) return undefined;
  const value = body[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

async function readBody(res: Response): Promise<unknown> {
  const type = res.headers.get("content-type") ?? "";
  if (!/\bjson\b|\+json\b/.test(type)) return undefined;
  try {
    return await res.json();
  } catch {
    return undefined;
  }
}

/** Turns a non-2xx response into an ApiError, reading problem+json members when present. */
async function toApiError(res: Response): Promise<ApiError> {
  const body = await readBody(res);
  const code = stringField(body, "code") ?? `HTTP_${res.status}`;
  const detail =
    stringField(body, "detail") ??
    stringField(body, "title") ??
    `The server answered ${res.status}${res.statusText ? ` ${res.statusText}` : ""}.`;
  const extras = isRecord(body)
    ? Object.fromEntries(Object.entries(body).filter(([k]) => !PROBLEM_MEMBERS.has(k)))
    : {};
  const retry = Number.parseInt(res.headers.get("retry-after") ?? "", 10);
  return new ApiError(res.status, code, detail, extras, Number.isFinite(retry) ? retry : null);
}

/**
 * What to tell the user about a failed call: the server's problem `detail` where it wrote one
 * for people, a plain sentence per stable `code` otherwise.
 *
 * @example
 * setError(errorMessage(e)); // "Too many attempts. Try again in 30 seconds."
 */
export function errorMessage(error: unknown): string {
  if (!(error instanceof ApiError)) return "Something went wrong. Please try again.";
  switch (error.code) {
    case "RATE_LIMITED":
      return error.retryAfter
        ? `Too many attempts. Try again in ${formatWait(error.retryAfter)}.`
        : "Too many attempts. Please wait a moment and try again.";
    case "ACCOUNT_LOCKED":
      return "This account is locked for your protection. Contact support or try again later.";
    case "METHOD_NOT_ALLOWED_FOR_TENANT":
      return "This sign-in method isn't available here.";
    case "INTERNAL":
      return "Something went wrong on our side. Please try again.";
    default:
      return error.detail;
  }
}

function formatWait(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
}

/**
 * `fetch` that resolves only for 2xx responses and throws ApiError otherwise.
 * Aborts are rethrown untouched so callers can ignore them.
 *
 * @example
 * const res = await apiRequest(`${authUrl}/auth/email/start`, { method: "POST", body });
 */
export async function apiRequest(url: string, init: RequestInit = {}): Promise<Response> {
  let res: Response;
  try {
    res = await globalThis.fetch(url, init);
  } catch (error) {
    if (error instanceof Error && error.name === "AbortError") throw error;
    throw new ApiError(0, NETWORK_ERROR, NETWORK_DETAIL);
  }
  if (!res.ok) throw await toApiError(res);
  return res;
}

/**
 * GET/POST that expects a JSON answer. `parse` checks the shape at runtime; without it the body is
 * trusted to be `T`.
 *
 * @example
 * const tenant = await apiJson<Tenant>(`${authUrl}/tenants/current`, { headers }, parseTenant);
 */
export async function apiJson<T>(url: string, init: RequestInit = {}, parse?: (body: unknown) => T): Promise<T> {
  const headers = new Headers(init.headers);
  if (!headers.has("accept")) headers.set("accept", "application/json, application/problem+json");
  const res = await apiRequest(url, { ...init, headers });
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new ApiError(res.status, "INVALID_RESPONSE", "The server sent a response we couldn't read.");
  }
  if (!parse) return body as T;
  try {
    return parse(body);
  } catch {
    throw new ApiError(res.status, "INVALID_RESPONSE", "The server sent a response we couldn't read.");
  }
}

/** POST a JSON body; resolves with the (2xx) status. */
export async function postJson(url: string, body: unknown, init: RequestInit = {}): Promise<number> {
  const headers = new Headers(init.headers);
  headers.set("content-type", "application/json");
  headers.set("accept", "application/json, application/problem+json");
  const res = await apiRequest(url, { ...init, method: "POST", headers, body: JSON.stringify(body) });
  return res.status;
}
