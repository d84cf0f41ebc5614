import {
  type AuthAnswer,
  type AuthBody,
  type AuthSchema,
  type CloudSchema,
  createCloudApiClient,
  createServiceAuthClient,
} from "@atlas/client";
import { ApiError, apiData, apiRequest, clientOptions, initOf } from "./api.ts";
import type { OAuthProvider, PasskeyRequestOptions } from "./auth.ts";
import type { AppConfig } from "./config.ts";
import type { SessionStore } from "./session.ts";

// What the account pages show, as the services' contracts (@atlas/client) type it.
export type Identity = AuthSchema<"Identity">;
export type Me = AuthSchema<"Me">;
export type Passkey = AuthSchema<"Passkey">;
export type TrustedDevice = AuthSchema<"TrustedDevice">;
export type SessionInfo = AuthSchema<"Session">;
export type Pat = AuthSchema<"PersonalAccessToken">;
export type AuditEvent = AuthSchema<"AuditEvent">;
export type Plan = AuthSchema<"Plan">;
/** With `clientSecret` only in a plan change's answer, while the first payment needs the customer (`incomplete`). */
export type Subscription = NonNullable<AuthSchema<"Subscription">> & { clientSecret?: string };
export type BillingProfile = NonNullable<AuthSchema<"BillingProfile">>;
/** `GET /billing/profile`: the billing profile (null before the first payment method), subscription and plan. */
export type BillingState = AuthAnswer<"/billing/profile", "get">;
export type PaymentMethod = AuthSchema<"PaymentMethod">;
/** `GET /v1/usage` (api.md "Usage series"). */
export type UsageSeries = CloudSchema<"UsageSeries">;
/** `GET /v1/entitlements`: the plan cloud-api enforces, its period, its allowances and the bytes stored now. */
export type Entitlements = CloudSchema<"Entitlements">;
/** An invoice of service-cloud-api (`GET /v1/invoices[/:id]`), with its line items. */
export type Invoice = CloudSchema<"Invoice">;
/** A line of an invoice: the plan fee (`subscription`) or an overage (`overage:<metric>`). */
export type InvoiceLine = Invoice["lines"][number];
/** `GET /billing/credits`: money the customer has with us (over- and double payments), per currency. */
export type CustomerCredits = AuthSchema<"CustomerCredits">;
/** `POST /billing/crypto/quote`: what to send where to pay an invoice on chain. */
export type CryptoQuote = Omit<AuthSchema<"CryptoPaymentRequest">, "relay">;

type CreationOptions = Parameters<typeof import("@simplewebauthn/browser").startRegistration>[0]["optionsJSON"];

/** A new passkey's answer, as @simplewebauthn/browser's startRegistration gives it. */
export type PasskeyAttestation = Awaited<ReturnType<typeof import("@simplewebauthn/browser").startRegistration>>;

/** The attestation as the contract types it (a plain JSON object; the library's interfaces are closed). */
const attestationJson = (a: PasskeyAttestation): AuthSchema<"RegistrationResponseJSON"> => ({
  ...a,
  response: { ...a.response },
  clientExtensionResults: { ...a.clientExtensionResults },
});

/** The Idempotency-Key header parameter of a billing mutation. */
const idemHeader = (key: string) => ({ "idempotency-key": key });
const idem = (key: string) => ({ params: { header: idemHeader(key) } });

const RETRYABLE = new Set(["INVALID_TOKEN", "EXPIRED_TOKEN"]);

/**
 * Calls that act as the signed-in user. Each carries the in-memory access token; an expired or
 * revoked one is renewed once from the refresh cookie and the call retried.
 */
export function createAccountApi(config: AppConfig, store: SessionStore) {
  /** The authorized transport; the answer is a 2xx response (else ApiError). */
  async function authorized(request: Request): Promise<Response> {
    const init = await initOf(request);
    const attempt = (token: string) => {
      const headers = new Headers(init.headers);
      headers.set("authorization", `Bearer ${token}`);
      return apiRequest(request.url, { ...init, headers });
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
  // service-auth: the tenant and the refresh cookie; cloud-api takes the bearer token alone.
  const auth = createServiceAuthClient(
    clientOptions(config.authUrl, { "X-Tenant": config.tenant }, { credentials: "include", fetch: authorized }),
  );
  const cloud = createCloudApiClient(clientOptions(config.apiUrl, {}, { credentials: "omit", fetch: authorized }));
  const done = async (call: Promise<unknown>) => {
    await call;
  };

  /** A JSON call to service-auth as the user, by path (the OpenID Provider's routes: account/oidc-api.ts). */
  const call = async (path: string, init: { method?: string; body?: unknown } = {}): Promise<unknown> => {
    const headers: Record<string, string> = {
      "X-Tenant": config.tenant,
      accept: "application/json, application/problem+json",
    };
    if (init.body !== undefined) headers["content-type"] = "application/json";
    const request = new Request(`${config.authUrl}${path}`, {
      method: init.method ?? "GET",
      headers,
      credentials: "include",
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const res = await authorized(request);
    return res.status === 204 ? undefined : res.json();
  };

  return {
    call,
    me: () => apiData(auth.GET("/auth/me")),
    linkEmailStart: (email: string) => apiData(auth.POST("/auth/identities/email/start", { body: { email } })),
    linkEmailVerify: (token: string) => apiData(auth.POST("/auth/identities/email/verify", { body: { token } })),
    linkSmsStart: (phone: string) => apiData(auth.POST("/auth/identities/sms/start", { body: { phone } })),
    linkSmsVerify: (phone: string, code: string) =>
      apiData(auth.POST("/auth/identities/sms/verify", { body: { phone, code } })),
    /** The provider URL to navigate to; the callback comes back with `?linked=<provider>`. */
    linkOAuth: (provider: OAuthProvider, redirectTo: string) =>
      apiData(auth.POST("/auth/identities/oauth/{provider}", { params: { path: { provider } }, body: { redirectTo } })),
    unlink: (id: string) => done(auth.DELETE("/auth/identities/{id}", { params: { path: { id } } })),

    passkeys: () => apiData(auth.GET("/auth/passkeys")),
    passkeyRegisterOptions: (friendlyName?: string) =>
      apiData(
        auth.POST("/auth/passkey/register/options", { body: friendlyName ? { friendlyName } : {} }),
        (options) => options as CreationOptions,
      ),
    passkeyRegisterVerify: (response: PasskeyAttestation, friendlyName?: string) =>
      apiData(
        auth.POST("/auth/passkey/register/verify", {
          body: { response: attestationJson(response), ...(friendlyName ? { friendlyName } : {}) },
        }),
      ),
    renamePasskey: (id: string, friendlyName: string) =>
      apiData(auth.PATCH("/auth/passkeys/{id}", { params: { path: { id } }, body: { friendlyName } })),
    deletePasskey: (id: string) => done(auth.DELETE("/auth/passkeys/{id}", { params: { path: { id } } })),

    totpSetup: () => apiData(auth.POST("/auth/mfa/totp/setup")),
    totpEnable: (code: string) => apiData(auth.POST("/auth/mfa/totp/enable", { body: { code } })),
    totpDisable: (code: string) => done(auth.POST("/auth/mfa/totp/disable", { body: { code } })),
    newBackupCodes: () => apiData(auth.POST("/auth/mfa/backup-codes")),
    trustedDevices: () => apiData(auth.GET("/auth/mfa/trusted-devices")),
    revokeTrustedDevice: (id: string) =>
      done(auth.DELETE("/auth/mfa/trusted-devices/{id}", { params: { path: { id } } })),

    sessions: () => apiData(auth.GET("/auth/sessions")),
    revokeSession: (id: string) => done(auth.DELETE("/auth/sessions/{id}", { params: { path: { id } } })),
    logout: () => done(auth.POST("/auth/logout")),
    /** Ends every session and trusted device; with `includePats` also every personal access token. */
    logoutAll: (includePats = false) => done(auth.POST("/auth/logout-all", { body: { includePats } })),

    pats: () => apiData(auth.GET("/auth/pats")),
    createPat: (input: AuthBody<"/auth/pats", "post">) => apiData(auth.POST("/auth/pats", { body: input })),
    revokePat: (id: string) => done(auth.DELETE("/auth/pats/{id}", { params: { path: { id } } })),

    audit: (cursor?: string | null) =>
      apiData(auth.GET("/auth/audit", { params: { query: { limit: 25, ...(cursor ? { cursor } : {}) } } })),
    exportData: () => apiData(auth.GET("/auth/me/export")),
    deleteAccount: () => done(auth.DELETE("/auth/me")),

    // Billing. Mutations carry an Idempotency-Key chosen once per user action, so a retry (after a
    // step-up, or a lost answer) never subscribes or charges twice.
    plans: () => apiData(auth.GET("/billing/plans")),
    billing: () => apiData(auth.GET("/billing/profile")),
    createCustomer: (key: string) => apiData(auth.POST("/billing/customer", idem(key))),
    subscribe: (planId: string, key: string) =>
      apiData(auth.POST("/billing/subscriptions", { ...idem(key), body: { planId } })),
    cancelSubscription: (key: string) => apiData(auth.DELETE("/billing/subscriptions/current", idem(key))),
    resumeSubscription: (key: string) => apiData(auth.POST("/billing/subscriptions/current/resume", idem(key))),
    paymentMethods: () => apiData(auth.GET("/billing/payment-methods")),
    credits: () => apiData(auth.GET("/billing/credits")),
    setupIntent: (key: string) => apiData(auth.POST("/billing/payment-methods/setup-intent", idem(key))),
    makeDefaultPaymentMethod: (id: string, key: string) =>
      apiData(
        auth.POST("/billing/payment-methods/{id}/default", { params: { header: idemHeader(key), path: { id } } }),
      ),
    // The contract does not declare this route's (optional) Idempotency-Key; it is sent all the same.
    removePaymentMethod: (id: string, key: string) =>
      done(
        auth.DELETE("/billing/payment-methods/{id}", {
          params: { path: { id } },
          headers: { "Idempotency-Key": key },
        }),
      ),

    // The product API (service-cloud-api): usage and invoices, with the same access token.
    usage: (from: Date, to: Date, granularity: "hour" | "day") =>
      apiData(
        cloud.GET("/v1/usage", {
          params: { query: { from: from.toISOString(), to: to.toISOString(), granularity } },
        }),
      ),
    entitlements: () => apiData(cloud.GET("/v1/entitlements")),
    invoices: (cursor?: string | null) =>
      apiData(cloud.GET("/v1/invoices", { params: { query: { limit: 12, ...(cursor ? { cursor } : {}) } } })),
    invoice: (id: string) => apiData(cloud.GET("/v1/invoices/{id}", { params: { path: { id } } })),
    /** The invoice as a PDF (the bearer token travels in a header, so it is fetched, not linked). */
    invoicePdf: (id: string) =>
      apiData(
        cloud.GET("/v1/invoices/{id}/pdf", {
          params: { path: { id } },
          headers: { accept: "application/pdf" },
          parseAs: "blob",
        }),
      ),

    // Paying an invoice on chain (service-auth): a quote, the wallet's transfer, then the check.
    /** Pay now: the client secret of the invoice's one PaymentIntent, to confirm with Stripe. */
    payInvoice: (id: string, key: string) =>
      apiData(auth.POST("/billing/invoices/{id}/pay", { params: { header: idemHeader(key), path: { id } } })),
    cryptoQuote: (input: AuthBody<"/billing/crypto/quote", "post">, key: string) =>
      apiData(auth.POST("/billing/crypto/quote", { ...idem(key), body: input })),
    cryptoConfirm: (input: AuthBody<"/billing/crypto/confirm", "post">, key: string) =>
      apiData(auth.POST("/billing/crypto/confirm", { ...idem(key), body: input })),
  };
}

export type AccountApi = ReturnType<typeof createAccountApi>;
export type { PasskeyRequestOptions };
