import { apiJson, apiRequest, postJson } from "./api.ts";
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
    oauthStartUrl: (provider: OAuthProvider, redirectTo: string) =>
      `${base}/auth/oauth/${provider}/start?${new URLSearchParams({ redirectTo })}`,
  };
}

export type AuthClient = ReturnType<typeof createAuthClient>;
