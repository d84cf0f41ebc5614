import { ApiError, apiRequest } from "./api.ts";
import type { OAuthProvider, PasskeyRequestOptions, TotpSetup } from "./auth.ts";
import type { AppConfig } from "./config.ts";
import type { SessionStore } from "./session.ts";

export interface Identity {
  id: string;
  provider: string;
  subject: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface Me {
  user: {
    id: string;
    email: string | null;
    phone: string | null;
    displayName: string | null;
    roles: string[];
  };
  identities: Identity[];
  mfa: { totpEnabled: boolean; passkeys: number; backupCodesLeft: number };
  session: { id: string; amr: string[] };
}

export interface Passkey {
  id: string;
  friendlyName: string | null;
  deviceType: string | null;
  backedUp: boolean;
  createdAt: string;
  lastUsedAt: string | null;
  transports: string[];
}

export interface TrustedDevice {
  id: string;
  label: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string;
  current: boolean;
}

export interface SessionInfo {
  id: string;
  current: boolean;
  amr: string[];
  ipAddress: string | null;
  userAgent: string | null;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
}

export const PAT_SCOPES = ["profile:read", "objects:read", "objects:write", "usage:read", "billing:read"] as const;
export type PatScope = (typeof PAT_SCOPES)[number];

export interface Pat {
  id: string;
  name: string;
  scopes: string[];
  displayPrefix: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

export interface AuditEvent {
  id: string;
  eventType: string;
  ipAddress: string;
  geoLocation: string | null;
  riskScore: number;
  userAgent: string | null;
  createdAt: string;
  details: Record<string, unknown>;
}

type CreationOptions = Parameters<typeof import("@simplewebauthn/browser").startRegistration>[0]["optionsJSON"];

export interface Plan {
  id: string;
  name: string;
  currency: string;
  monthlyPriceMinor: number;
  includedUsage: Record<string, number>;
  overagePrices: Record<string, { unitSize: number; unitPriceMinor: number }>;
  limits: { maxObjectBytes: number; maxStorageBytes: number };
  purchasable: boolean;
}

export interface Subscription {
  id: string;
  planId: string;
  status: string;
  currentPeriodStart: string;
  currentPeriodEnd: string;
  cancelAtPeriodEnd: boolean;
  canceledAt: string | null;
}

export interface BillingProfile {
  id: string;
  stripeCustomerId: string | null;
  preferredProvider: string;
  cryptoEnabled: boolean;
  defaultPaymentMethodId: string | null;
  createdAt: string;
}

export interface BillingState {
  profile: BillingProfile | null;
  subscription: Subscription | null;
  plan: Plan;
}

export interface PaymentMethod {
  id: string;
  type: string;
  brand: string | null;
  last4: string | null;
  expMonth: number | null;
  expYear: number | null;
  isDefault: boolean;
}

/** `GET /v1/usage` (api.md "Usage series"). */
export interface UsageSeries {
  from: string;
  to: string;
  granularity: "hour" | "day";
  series: { metric: string; points: { t: string; value: number }[] }[];
}

/** A line of a cloud-api invoice: the plan fee (`subscription`) or an overage (`overage:<metric>`). */
export interface InvoiceLine {
  position: number;
  kind: string;
  description: string;
  quantity: number;
  unitPriceMinor: number;
  amountMinor: number;
  /** Collected by the Stripe subscription: listed, not charged again. */
  prepaid: boolean;
  usedQuantity: number | null;
  includedQuantity: number | null;
}

/** An invoice of service-cloud-api (`GET /v1/invoices[/:id]`), with its line items. */
export interface Invoice {
  id: string;
  number: number | null;
  status: "finalized" | "paid" | "failed" | "void";
  planId: string;
  currency: string;
  periodStart: string;
  periodEnd: string;
  subtotalMinor: number;
  totalMinor: number;
  prepaidMinor: number;
  /** What is charged: the total less prepaid lines. */
  amountDueMinor: number;
  paidAmountMinor: number | null;
  finalizedAt: string | null;
  paidAt: string | null;
  failedAt: string | null;
  failureCode: string | null;
  lines: InvoiceLine[];
}

/** `POST /billing/crypto/quote`: what to send where to pay an invoice on chain. */
export interface CryptoQuote {
  paymentId: string;
  invoiceId: string;
  chainId: number;
  currency: string;
  /** The ERC-20 contract; null for the chain's native coin. */
  tokenAddress: string | null;
  decimals: number;
  /** The recipient. */
  address: string;
  /** Base units to send (wei, 10^-decimals). */
  amount: string;
  expiresAt: string;
}

const idem = (key: string) => ({ "Idempotency-Key": key });

const RETRYABLE = new Set(["INVALID_TOKEN", "EXPIRED_TOKEN"]);

/**
 * Calls that act as the signed-in user. Each carries the in-memory access token; an expired or
 * revoked one is renewed once from the refresh cookie and the call retried.
 */
export function createAccountApi(config: AppConfig, store: SessionStore) {
  async function call<T>(
    method: string,
    path: string,
    body?: unknown,
    extra: Record<string, string> = {},
    base = config.authUrl,
  ): Promise<T> {
    const res = await send(method, path, body, extra, base);
    if (res.status === 204 || res.headers.get("content-length") === "0") return undefined as T;
    return (await res.json()) as T;
  }

  /** The authorized request; the answer is a 2xx response (else ApiError). */
  async function send(
    method: string,
    path: string,
    body: unknown,
    extra: Record<string, string>,
    base: string,
    accept = "application/json, application/problem+json",
  ): Promise<Response> {
    const toAuth = base === config.authUrl;
    const attempt = (token: string) => {
      // service-auth: the tenant and the refresh cookie; cloud-api takes the bearer token alone.
      const headers = new Headers({ ...extra, ...(toAuth ? { "X-Tenant": config.tenant } : {}) });
      headers.set("authorization", `Bearer ${token}`);
      headers.set("accept", accept);
      if (body !== undefined) headers.set("content-type", "application/json");
      return apiRequest(`${base}${path}`, {
        method,
        headers,
        credentials: toAuth ? "include" : "omit",
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    };
    const session = store.current;
    if (!session) throw new ApiError(401, "INVALID_TOKEN", "Your session has ended. Please sign in again.");
    try {
      return await attempt(session.accessToken);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401 && RETRYABLE.has(error.code))) throw error;
      const renewed = await store.refresh(session.accessToken);
      if (!renewed) throw error;
      return attempt(renewed.accessToken);
    }
  }
  const get = <T>(path: string) => call<T>("GET", path);
  const post = <T>(path: string, body: unknown = {}) => call<T>("POST", path, body);
  const del = (path: string) => call<void>("DELETE", path);

  return {
    call,
    me: () => get<Me>("/auth/me"),
    linkEmailStart: (email: string) => post("/auth/identities/email/start", { email }),
    linkEmailVerify: (token: string) => post<Identity>("/auth/identities/email/verify", { token }),
    linkSmsStart: (phone: string) => post("/auth/identities/sms/start", { phone }),
    linkSmsVerify: (phone: string, code: string) => post<Identity>("/auth/identities/sms/verify", { phone, code }),
    /** The provider URL to navigate to; the callback comes back with `?linked=<provider>`. */
    linkOAuth: (provider: OAuthProvider, redirectTo: string) =>
      post<{ url: string }>(`/auth/identities/oauth/${provider}`, { redirectTo }),
    unlink: (id: string) => del(`/auth/identities/${id}`),

    passkeys: () => get<{ items: Passkey[] }>("/auth/passkeys"),
    passkeyRegisterOptions: (friendlyName?: string) =>
      post<CreationOptions>("/auth/passkey/register/options", friendlyName ? { friendlyName } : {}),
    passkeyRegisterVerify: (response: unknown, friendlyName?: string) =>
      post<Passkey>("/auth/passkey/register/verify", friendlyName ? { response, friendlyName } : { response }),
    renamePasskey: (id: string, friendlyName: string) =>
      call<Passkey>("PATCH", `/auth/passkeys/${id}`, { friendlyName }),
    deletePasskey: (id: string) => del(`/auth/passkeys/${id}`),

    totpSetup: () => call<TotpSetup>("POST", "/auth/mfa/totp/setup"),
    totpEnable: (code: string) => post<{ backupCodes: string[] }>("/auth/mfa/totp/enable", { code }),
    totpDisable: (code: string) => post<void>("/auth/mfa/totp/disable", { code }),
    newBackupCodes: () => call<{ backupCodes: string[] }>("POST", "/auth/mfa/backup-codes"),
    trustedDevices: () => get<{ items: TrustedDevice[] }>("/auth/mfa/trusted-devices"),
    revokeTrustedDevice: (id: string) => del(`/auth/mfa/trusted-devices/${id}`),

    sessions: () => get<{ items: SessionInfo[] }>("/auth/sessions"),
    revokeSession: (id: string) => del(`/auth/sessions/${id}`),
    logout: () => call<void>("POST", "/auth/logout"),
    /** Ends every session and trusted device; with `includePats` also every personal access token. */
    logoutAll: (includePats = false) => call<void>("POST", "/auth/logout-all", { includePats }),

    pats: () => get<{ items: Pat[] }>("/auth/pats"),
    createPat: (input: { name: string; scopes: PatScope[]; expiresInDays?: number }) =>
      post<Pat & { token: string }>("/auth/pats", input),
    revokePat: (id: string) => del(`/auth/pats/${id}`),

    audit: (cursor?: string | null) =>
      get<{ items: AuditEvent[]; nextCursor: string | null }>(
        `/auth/audit?${new URLSearchParams({ limit: "25", ...(cursor ? { cursor } : {}) })}`,
      ),
    exportData: () => get<unknown>("/auth/me/export"),
    deleteAccount: () => del("/auth/me"),

    // Billing. Mutations carry an Idempotency-Key chosen once per user action, so a retry (after a
    // step-up, or a lost answer) never subscribes or charges twice.
    plans: () => get<{ items: Plan[] }>("/billing/plans"),
    billing: () => get<BillingState>("/billing/profile"),
    createCustomer: (key: string) => call<BillingProfile>("POST", "/billing/customer", undefined, idem(key)),
    subscribe: (planId: string, key: string) =>
      call<Subscription>("POST", "/billing/subscriptions", { planId }, idem(key)),
    cancelSubscription: (key: string) =>
      call<Subscription>("DELETE", "/billing/subscriptions/current", undefined, idem(key)),
    resumeSubscription: (key: string) =>
      call<Subscription>("POST", "/billing/subscriptions/current/resume", undefined, idem(key)),
    paymentMethods: () => get<{ items: PaymentMethod[] }>("/billing/payment-methods"),
    setupIntent: (key: string) =>
      call<{ clientSecret: string; setupIntentId: string }>(
        "POST",
        "/billing/payment-methods/setup-intent",
        undefined,
        idem(key),
      ),
    makeDefaultPaymentMethod: (id: string, key: string) =>
      call<PaymentMethod>("POST", `/billing/payment-methods/${id}/default`, undefined, idem(key)),
    removePaymentMethod: (id: string, key: string) =>
      call<void>("DELETE", `/billing/payment-methods/${id}`, undefined, idem(key)),

    // The product API (service-cloud-api): usage and invoices, with the same access token.
    usage: (from: Date, to: Date, granularity: "hour" | "day") =>
      call<UsageSeries>(
        "GET",
        `/v1/usage?${new URLSearchParams({ from: from.toISOString(), to: to.toISOString(), granularity })}`,
        undefined,
        {},
        config.apiUrl,
      ),
    invoices: (cursor?: string | null) =>
      call<{ items: Invoice[]; nextCursor: string | null }>(
        "GET",
        `/v1/invoices?${new URLSearchParams({ limit: "12", ...(cursor ? { cursor } : {}) })}`,
        undefined,
        {},
        config.apiUrl,
      ),
    invoice: (id: string) =>
      call<Invoice>("GET", `/v1/invoices/${encodeURIComponent(id)}`, undefined, {}, config.apiUrl),
    /** The invoice as a PDF (the bearer token travels in a header, so it is fetched, not linked). */
    invoicePdf: async (id: string) =>
      (
        await send("GET", `/v1/invoices/${encodeURIComponent(id)}/pdf`, undefined, {}, config.apiUrl, "application/pdf")
      ).blob(),

    // Paying an invoice on chain (service-auth): a quote, the wallet's transfer, then the check.
    cryptoQuote: (input: { invoiceId: string; chainId: number; currency: string }, key: string) =>
      call<CryptoQuote>("POST", "/billing/crypto/quote", input, idem(key)),
    cryptoConfirm: (input: { invoiceId: string; chainId: number; txHash: string }, key: string) =>
      call<{ invoiceId: string; txHash: string; status: "confirmed" }>(
        "POST",
        "/billing/crypto/confirm",
        input,
        idem(key),
      ),
  };
}

export type AccountApi = ReturnType<typeof createAccountApi>;
export type { PasskeyRequestOptions };
