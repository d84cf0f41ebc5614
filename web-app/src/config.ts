/** Runtime configuration served by `serve.mjs` at `/config.json` (see web-app/serve.mjs). */
export interface AppConfig {
  authUrl: string;
  apiUrl: string;
  tenant: string;
  /** Stripe publishable key (`pk_…`): card entry with Stripe Elements; null hides it with a notice. */
  stripePublishableKey: string | null;
  /** Chains and currencies invoices can be paid in on chain (service-auth's CRYPTO_TOKENS); [] hides it. */
  cryptoPayments: CryptoPaymentOption[];
  /**
   * A Stripe-compatible API the browser confirms payments against directly (a proxy, or the
   * local Stripe peer in tests); null: Stripe.js talks to Stripe.
   */
  stripeApiUrl?: string | null;
}

export interface CryptoPaymentOption {
  chainId: number;
  currency: string;
}

/** Used when `/config.json` is unavailable, e.g. under `vite` dev. */
export const FALLBACK_CONFIG: AppConfig = {
  authUrl: "http://localhost:4000",
  apiUrl: "http://localhost:4001",
  tenant: "default",
  stripePublishableKey: null,
  cryptoPayments: [],
};

const STRIPE_KEY = /^pk_(test|live)_[A-Za-z0-9]{8,255}$/;
const TENANT_SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function httpUrl(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  try {
    const url = new URL(value);
    if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
    return url.href.replace(/\/+$/, "");
  } catch {
    return undefined;
  }
}

/** Validates a config document; returns undefined unless every field is usable. */
export function parseConfig(body: unknown): AppConfig | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const raw = body as Record<string, unknown>;
  const authUrl = httpUrl(raw.authUrl);
  const apiUrl = httpUrl(raw.apiUrl);
  const tenant = typeof raw.tenant === "string" && TENANT_SLUG.test(raw.tenant) ? raw.tenant : undefined;
  if (!authUrl || !apiUrl || !tenant) return undefined;
  const key = raw.stripePublishableKey;
  const stripePublishableKey = typeof key === "string" && STRIPE_KEY.test(key) ? key : null;
  const cryptoPayments = Array.isArray(raw.cryptoPayments) ? raw.cryptoPayments.flatMap(cryptoOption) : [];
  const stripeApiUrl = httpUrl(raw.stripeApiUrl) ?? null;
  return { authUrl, apiUrl, tenant, stripePublishableKey, cryptoPayments, stripeApiUrl };
}

function cryptoOption(value: unknown): CryptoPaymentOption[] {
  if (typeof value !== "object" || value === null) return [];
  const { chainId, currency } = value as Record<string, unknown>;
  if (typeof chainId !== "number" || !Number.isSafeInteger(chainId) || chainId <= 0) return [];
  if (typeof currency !== "string" || !/^[A-Z0-9]{1,12}$/.test(currency)) return [];
  return [{ chainId, currency }];
}

/** Loads `/config.json` from this origin, falling back to local defaults on any failure. */
export async function loadConfig(): Promise<AppConfig> {
  try {
    const res = await fetch("/config.json", { cache: "no-store", headers: { accept: "application/json" } });
    if (!res.ok) return FALLBACK_CONFIG;
    return parseConfig(await res.json()) ?? FALLBACK_CONFIG;
  } catch {
    return FALLBACK_CONFIG;
  }
}
