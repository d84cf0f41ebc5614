import { type ClientOptions, dataOf, type Middleware } from "@atlas/client";

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
    case "VALIDATION_FAILED":
      // The API's per-field messages say what is wrong; its generic detail does not.
      return validationMessages(error) ?? error.detail;
    default:
      return error.detail;
  }
}

/** "name: must be …; scopes: …" from a VALIDATION_FAILED problem's `errors[]`, or null. */
function validationMessages(error: ApiError): string | null {
  const list = Array.isArray(error.extras.errors) ? error.extras.errors : [];
  const parts = list.flatMap((e: unknown) => {
    if (!isRecord(e) || typeof e.message !== "string") return [];
    const path = typeof e.path === "string" && e.path !== "" ? `${e.path}: ` : "";
    return [`${path}${e.message}`];
  });
  return parts.length > 0 ? parts.join("; ") : null;
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

/** What every typed call asks for: its JSON answer, or a problem document. */
const JSON_ACCEPT = "application/json, application/problem+json";

/**
 * The RequestInit of a typed client's Request, with the body read as text, so that apiRequest
 * (and a retry with a renewed token) can send it again.
 */
export async function initOf(request: Request): Promise<RequestInit> {
  const body = request.body === null ? undefined : await request.text();
  return {
    method: request.method,
    headers: new Headers(request.headers),
    credentials: request.credentials,
    signal: request.signal,
    ...(request.cache && request.cache !== "default" ? { cache: request.cache } : {}),
    ...(body === undefined ? {} : { body }),
  };
}

/** The transport of the typed clients: apiRequest for their Request (2xx, else ApiError). */
export async function apiFetch(request: Request): Promise<Response> {
  return apiRequest(request.url, await initOf(request));
}

const unreadable = (status: number) =>
  new ApiError(status, "INVALID_RESPONSE", "The server sent a response we couldn't read.");

/** A 2xx answer expected as JSON that isn't JSON becomes INVALID_RESPONSE (with its status). */
const readableJson: Middleware = {
  async onResponse({ response, options }) {
    if (options.parseAs !== "json" || response.status === 204) return undefined;
    const text = await response.text();
    if (text !== "") {
      try {
        JSON.parse(text);
      } catch {
        throw unreadable(response.status);
      }
    }
    const { status, statusText, headers } = response;
    return new Response(text === "" ? null : text, { status, statusText, headers });
  },
};

/**
 * How the web-app's typed clients (@atlas/client) talk to a service: every call resolves with
 * its 2xx answer or throws ApiError, and asks for JSON (or a problem document).
 *
 * @example
 * const auth = createServiceAuthClient(clientOptions(config.authUrl, { "X-Tenant": config.tenant }));
 */
export function clientOptions(
  baseUrl: string,
  headers: Record<string, string> = {},
  more: Pick<ClientOptions, "credentials" | "fetch"> = {},
): ClientOptions {
  return {
    baseUrl,
    fetch: apiFetch,
    headers: { accept: JSON_ACCEPT, ...headers },
    middleware: [readableJson],
    ...more,
  };
}

/**
 * The data of a typed call, checked by `parse` when given: an answer `parse` refuses is
 * INVALID_RESPONSE, like one that isn't JSON.
 *
 * @example
 * const tenant = await apiData(auth.GET("/tenants/current"), parseTenant);
 */
export async function apiData<D, T = D>(
  call: Promise<{ data?: D; error?: unknown; response: Response }>,
  parse?: (body: D) => T,
): Promise<T> {
  const result = await call;
  const data = dataOf(result);
  if (!parse) return data as unknown as T;
  try {
    return parse(data);
  } catch {
    throw unreadable(result.response.status);
  }
}
