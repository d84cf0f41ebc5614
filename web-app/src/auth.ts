import { type AuthSchema, createServiceAuthClient } from "@atlas/client";
import { ApiError, apiData, clientOptions } from "./api.ts";

/** WebAuthn request options as service-auth sends them (PublicKeyCredentialRequestOptionsJSON). */
export type PasskeyRequestOptions = Parameters<
  typeof import("@simplewebauthn/browser").startAuthentication
>[0]["optionsJSON"];

import type { AppConfig } from "./config.ts";
import { LOGIN_METHOD_LIST } from "./login-methods.ts";
import { currentTarget, returnUrl } from "./return-to.ts";

/** The login methods service-auth serves (login-methods.ts is generated from its method manifests). */
export const LOGIN_METHODS = LOGIN_METHOD_LIST.map((m) => m.id);
export type LoginMethod = (typeof LOGIN_METHOD_LIST)[number]["id"];
type ProviderOf<M> = M extends `oauth:${infer P}` ? P : never;
/** An OAuth/OIDC provider: the login method `oauth:<provider>`. */
export type OAuthProvider = ProviderOf<LoginMethod>;

/** The OAuth/OIDC providers with their labels, in the order the sign-in page offers them. */
export const OAUTH_METHODS: { method: LoginMethod; provider: OAuthProvider; label: string }[] =
  LOGIN_METHOD_LIST.flatMap((m) =>
    m.id.startsWith("oauth:")
      ? [{ method: m.id, provider: m.id.slice("oauth:".length) as OAuthProvider, label: m.label }]
      : [],
  );

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

/** Starts a login; an MFA_REQUIRED answer becomes the challenge screen instead of an error. */
export type Login = (attempt: () => Promise<Session>) => Promise<void>;

/** Second factors service-auth may ask for (the `methods` of an MFA_REQUIRED problem). */
export type MfaMethod = "totp" | "webauthn" | "backup_code" | "totp_setup" | "email_link";
const MFA_METHODS: readonly string[] = ["totp", "webauthn", "backup_code", "totp_setup", "email_link"];

/**
 * An MFA_REQUIRED answer: a login (or a sensitive action) that needs a second factor.
 * `mfaToken` is null for `email_link`, where the proof is a fresh link sent by e-mail.
 */
export interface MfaChallenge {
  mfaToken: string | null;
  methods: MfaMethod[];
  detail: string;
}

/** Splits a `methods` value (array, or the comma list of the OAuth fragment) into known methods. */
export function parseMfaMethods(value: unknown): MfaMethod[] {
  const list = Array.isArray(value) ? value : typeof value === "string" ? value.split(",") : [];
  return list.filter((m): m is MfaMethod => typeof m === "string" && MFA_METHODS.includes(m));
}

/** The challenge inside an MFA_REQUIRED error, or null for any other error. */
export function mfaChallengeOf(error: unknown): MfaChallenge | null {
  if (!(error instanceof ApiError) || error.code !== "MFA_REQUIRED") return null;
  const token = error.extras.mfaToken;
  return {
    mfaToken: typeof token === "string" && token !== "" ? token : null,
    methods: parseMfaMethods(error.extras.methods),
    detail: error.detail,
  };
}

/** `POST /auth/mfa/totp/setup` and `/auth/mfa/enroll`: a secret for an authenticator app. */
export type TotpSetup = AuthSchema<"TotpSetup">;

/** One answer to an MFA challenge. */
export type MfaAnswer = { code: string } | { backupCode: string } | { webauthn: PasskeyAssertion };

/** A passkey's answer to a WebAuthn request, as @simplewebauthn/browser's startAuthentication gives it. */
export type PasskeyAssertion = Awaited<ReturnType<typeof import("@simplewebauthn/browser").startAuthentication>>;

/** The assertion as the contract types it (a plain JSON object; the library's interfaces are closed). */
const assertionJson = (a: PasskeyAssertion): AuthSchema<"AuthenticationResponseJSON"> => ({
  ...a,
  response: { ...a.response },
  clientExtensionResults: { ...a.clientExtensionResults },
});

/** An MFA answer as the body of `POST /auth/mfa/verify` carries it. */
const answerJson = (answer: MfaAnswer) =>
  "webauthn" in answer ? { webauthn: assertionJson(answer.webauthn) } : answer;

/** A verified MFA step: the session, and backup codes when the step enrolled TOTP. */
export interface MfaVerified {
  session: Session;
  backupCodes: string[] | null;
  backupCodesRemaining: number | null;
}

function parseMfaVerified(body: unknown): MfaVerified {
  const raw = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const codes = Array.isArray(raw.backupCodes) ? raw.backupCodes.filter((c) => typeof c === "string") : null;
  return {
    session: parseSession(body),
    backupCodes: codes,
    backupCodesRemaining: typeof raw.backupCodesRemaining === "number" ? raw.backupCodesRemaining : null,
  };
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

/** The passkey options service-auth answers, in the shape @simplewebauthn/browser takes. */
const asPasskeyOptions = (options: AuthSchema<"PasskeyRequestOptions">) => options as PasskeyRequestOptions;

/** How a login is run for someone other than the web-app's own tenant (the hosted login of an OpenID client). */
export interface AuthClientOptions {
  /** The tenant named by every request (default: the web-app's). */
  tenant?: string;
  /**
   * "omit" for the hosted login: the browser neither sends nor stores service-auth's cookies, so
   * another tenant's refresh cookie never replaces the user's own web-app session.
   */
  credentials?: RequestCredentials;
  /** Where a magic link comes back to (its origin must be one of the tenant's allowed origins). */
  emailRedirectTo?: string;
}

/** Calls to service-auth for one tenant; every request names the tenant and sends cookies. */
export function createAuthClient(config: AppConfig, options: AuthClientOptions = {}) {
  const tenant = options.tenant ?? config.tenant;
  const api = createServiceAuthClient(
    clientOptions(config.authUrl, { "X-Tenant": tenant }, { credentials: options.credentials ?? "include" }),
  );
  const status = async (call: Promise<{ response: Response }>) => (await call).response.status;

  return {
    currentTenant: (signal?: AbortSignal) =>
      apiData(api.GET("/tenants/current", signal ? { signal } : {}), parseTenant),
    health: async (signal?: AbortSignal) => {
      await api.GET("/health", { cache: "no-store", ...(signal ? { signal } : {}) });
    },
    /**
     * Sends the link and code; the answer names the pending sign-in the code opens. The link's
     * flow carries `redirectTo` (service-auth validates its origin for the tenant): the hosted
     * login's own, or the page to come back to (see return-to.ts).
     */
    startEmail: (email: string) => {
      const redirectTo = options.emailRedirectTo ?? (currentTarget() ? returnUrl() : undefined);
      return apiData(api.POST("/auth/email/start", { body: redirectTo ? { email, redirectTo } : { email } }));
    },
    verifyEmailCode: (codeToken: string, code: string) =>
      apiData(api.POST("/auth/email/verify-code", { body: { codeToken, code } }), parseSession),
    startSms: (phone: string) => status(api.POST("/auth/sms/start", { body: { phone } })),
    /** Who a device's user code belongs to (client and hostname), for the sign-in page's words. */
    previewDevice: (userCode: string) =>
      apiData(
        api.GET("/auth/device/preview", { params: { query: { user_code: userCode } } }),
        (body) => body as { clientName: string; hostname: string | null },
      ),
    verifyEmail: (token: string) => apiData(api.POST("/auth/email/verify", { body: { token } }), parseSession),
    /** A magic link's login and the `redirectTo` its flow carried (validated again by the caller). */
    verifyMagicLink: (token: string) =>
      apiData(api.POST("/auth/email/verify", { body: { token } }), (body) => ({
        session: parseSession(body),
        redirectTo: (body as { redirectTo?: unknown }).redirectTo,
      })),
    verifySms: (phone: string, code: string) =>
      apiData(api.POST("/auth/sms/verify", { body: { phone, code } }), parseSession),
    /** Picks up an existing login from the refresh cookie (a page reload); 401 when there is none. */
    resume: () => apiData(api.POST("/auth/token/refresh"), parseSession),
    logout: async (session: Session) => {
      await api.POST("/auth/logout", { headers: { authorization: `Bearer ${session.accessToken}` } });
    },
    oauthStartUrl: (provider: OAuthProvider, redirectTo: string) =>
      `${config.authUrl}/auth/oauth/${provider}/start?${new URLSearchParams({ redirectTo, tenant })}`,
    /** A single-use nonce (10 minutes) for a wallet's sign-in message. */
    walletNonce: async (method: "siwe" | "siws" | "arweave") =>
      (await apiData(api.GET(`/auth/${method}/nonce`, { cache: "no-store" }))).nonce,
    verifySiwe: (message: string, signature: string) =>
      apiData(api.POST("/auth/siwe/verify", { body: { message, signature } }), parseSession),
    verifySignedMessage: (method: "siws" | "arweave", message: string, signature: string, publicKey: string) =>
      apiData(api.POST(`/auth/${method}/verify`, { body: { message, signature, publicKey } }), parseSession),
    /** Passkey login options: empty for any passkey of the site (conditional UI), or one account's. */
    passkeyLoginOptions: (email?: string) =>
      apiData(api.POST("/auth/passkey/login/options", { body: email ? { email } : {} }), asPasskeyOptions),
    passkeyLogin: (response: PasskeyAssertion) =>
      apiData(api.POST("/auth/passkey/login/verify", { body: { response: assertionJson(response) } }), parseSession),
    /** Answers an MFA challenge; a login's answer also sets the refresh cookie (and, trusted, the device cookie). */
    verifyMfa: (mfaToken: string, answer: MfaAnswer, trustDevice = false) =>
      apiData(
        api.POST("/auth/mfa/verify", { body: { mfaToken, ...answerJson(answer), trustDevice } }),
        parseMfaVerified,
      ),
    /** WebAuthn request options for answering a challenge with one of the user's passkeys. */
    mfaWebauthnOptions: (mfaToken: string) =>
      apiData(api.POST("/auth/mfa/webauthn/options", { body: { mfaToken } }), asPasskeyOptions),
    /** The tenant requires MFA and the user has none: a TOTP secret to enrol with the login's token. */
    enrollMfa: (mfaToken: string) => apiData(api.POST("/auth/mfa/enroll", { body: { mfaToken } })),
  };
}

export type AuthClient = ReturnType<typeof createAuthClient>;
