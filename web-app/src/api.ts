/** A failed API call: an RFC 9457 problem from the server, or a transport failure. */
export class ApiError extends Error {
  /** HTTP status; 0 when no response arrived. */
  readonly status: number;
  /** Stable machine code (api.md), e.g. `RATE_LIMITED`, or `NETWORK_ERROR`. */
  readonly code: string;
  /** Human-readable explanation that is safe to show to the user. */
  readonly detail: string;

  constructor(status: number, code: string, detail: string) {
    super(detail);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

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
  return new ApiError(res.status, code, detail);
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
