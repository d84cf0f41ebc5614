import { apiJson, apiRequest, postJson } from "./api.ts";

/** POST a JSON body and parse the JSON answer. */
function postForJson<T>(url: string, body: unknown, init: RequestInit, parse: (b: unknown) => T): Promise<T> {
  const headers = new Headers(init.headers);
  headers.set("content-type", "application/json");
  return apiJson(url, { ...init, method: "POST", headers, body: JSON.stringify(body) }, parse);
}

import type { AppConfig } from "./config.ts";

export const LOGIN_METHODS = [
  "email",
  "sms",
  "siwe",
  "siws",
  "arweave",
  "passkey",
  "oauth:google",
  "oauth:github",
  "oauth:discord",
  "oauth:twitter",
] as const;
export type LoginMethod = (typeof LOGIN_METHODS)[number];
export type OAuthProvider = "google" | "github" | "discord" | "twitter";

/** What `GET /tenants/current` tells the login page. */
export interface Tenant {
  slug: string;
  name: string;
  allowedMethods: LoginMethod[];
}

function isLoginMethod(value: unknown): value is LoginMethod {
  return typeof value === "string" && (LOGIN_METHODS as readonly string[]).includes(value);
}

/** Throws unless `body` is a tenant; unknown methods (added later server-side) are dropped. */
export function parseTenant(body: unknown): Tenant {
  if (typeof body !== "object" || body === null) throw new TypeError("tenant: not an object");
  const raw = body as Record<string, unknown>;
  if (typeof raw.slug !== "string" || typeof raw.name !== "string" || !Array.isArray(raw.allowedMethods)) {
    throw new TypeError("tenant: missing fields");
  }
  return { slug: raw.slug, name: raw.name, allowedMethods: raw.allowedMethods.filter(isLoginMethod) };
}

/**
 * A signed-in session as the page holds it: the access token in memory only (never
 * localStorage); the refresh token stays in service-auth's HttpOnly cookie, out of reach of scripts.
 */
export interface Session {
  accessToken: string;
  user: { id: string; email: string | null; phone: string | null };
}

/** Throws unless `body` is a token response of service-auth. */
export function parseSession(body: unknown): Session {
  const raw = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const user = (typeof raw.user === "object" && raw.user !== null ? raw.user : {}) as Record<string, unknown>;
  if (typeof raw.accessToken !== "string" || typeof user.id !== "string") {
    throw new TypeError("session: missing fields");
  }
  const str = (v: unknown) => (typeof v === "string" ? v : null);
  return {
    accessToken: raw.accessToken,
    user: { id: user.id, email: str(user.email), phone: str(user.phone) },
  };
}

/** Calls to service-auth for one tenant; every request names the tenant and sends cookies. */
export function createAuthClient(config: AppConfig) {
  const base = config.authUrl;
  const init = (signal?: AbortSignal): RequestInit => ({
    credentials: "include",
    headers: { "X-Tenant": config.tenant },
    ...(signal ? { signal } : {}),
  });

  return {
    currentTenant: (signal?: AbortSignal) => apiJson(`${base}/tenants/current`, init(signal), parseTenant),
    health: async (signal?: AbortSignal) => {
      await apiRequest(`${base}/health`, { ...init(signal), cache: "no-store" });
    },
    startEmail: (email: string) => postJson(`${base}/auth/email/start`, { email }, init()),
    startSms: (phone: string) => postJson(`${base}/auth/sms/start`, { phone }, init()),
    verifyEmail: (token: string) => postForJson(`${base}/auth/email/verify`, { token }, init(), parseSession),
    verifySms: (phone: string, code: string) =>
      postForJson(`${base}/auth/sms/verify`, { phone, code }, init(), parseSession),
    /** Picks up an existing login from the refresh cookie (a page reload); 401 when there is none. */
    resume: () => apiJson(`${base}/auth/token/refresh`, { ...init(), method: "POST" }, parseSession),
    logout: async (session: Session) => {
      await apiRequest(`${base}/auth/logout`, {
        ...init(),
        method: "POST",
        headers: { "X-Tenant": config.tenant, authorization: `Bearer ${session.accessToken}` },
      });
    },
    oauthStartUrl: (provider: OAuthProvider, redirectTo: string) =>
      `${base}/auth/oauth/${provider}/start?${new URLSearchParams({ redirectTo })}`,
  };
}

export type AuthClient = ReturnType<typeof createAuthClient>;
