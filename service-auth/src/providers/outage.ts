// A provider that cannot serve us (unreachable, 5xx, rate limited, or refusing our credentials) is
// an outage, not a bug of ours: the client gets 503 PROVIDER_UNAVAILABLE with Retry-After (api.md,
// "Provider outages") and the operator gets one loud log line naming the provider and the cause.
// Provider wrappers throw ProviderUnavailableError; SDK errors that escape a wrapper (Stripe, viem)
// are classified here, in the one onError, so routes need no try/catch of their own.
import { AppError, type ErrorLogger, problemErrorHandler, problemResponse } from "@atlas/errors";
import type { ErrorHandler } from "hono";
import { stripeSdk, viemSdk } from "./sdks.ts";

/** The external providers service-auth calls. */
export type ProviderName = "stripe" | "resend" | "twilio" | "rpc" | "relay";

/** Seconds a client is asked to wait after a provider outage (providers recover in tens of seconds). */
export const PROVIDER_RETRY_AFTER_SEC = 30;

const LABELS: Record<ProviderName, string> = {
  stripe: "The payment provider",
  resend: "The e-mail provider",
  twilio: "The SMS provider",
  rpc: "The blockchain node",
  relay: "The crypto quote service",
};

/** 503 PROVIDER_UNAVAILABLE for one provider; `cause` stays in the log. */
export class ProviderUnavailableError extends AppError {
  constructor(
    readonly provider: ProviderName,
    cause: unknown,
  ) {
    super("PROVIDER_UNAVAILABLE", {
      detail: `${LABELS[provider]} is unavailable; retry later`,
      headers: { "Retry-After": String(PROVIDER_RETRY_AFTER_SEC) },
      cause,
    });
    this.name = "ProviderUnavailableError";
    // Never sent (clients get `detail`); callers that log `message` name the provider and cause.
    this.message = `${provider} unavailable: ${describeProviderError(cause)}`;
  }
}

/** API keys and secrets that must never reach a log line, even inside a provider's message. */
const SECRET_PATTERNS = [/\b(sk|rk|pk)_(test|live)_[A-Za-z0-9*]+/g, /\bwhsec_[A-Za-z0-9]+/g, /\bre_[A-Za-z0-9_]{8,}/g];

/** A provider error as one safe line: its class, HTTP status and message, secrets masked. */
export function describeProviderError(error: unknown): string {
  if (!(error instanceof Error)) return String(error).slice(0, 500);
  const e = error as Error & { statusCode?: unknown; status?: unknown; type?: unknown };
  const status = e.statusCode ?? e.status;
  // Stripe's errors keep the class in `type` (their `name` is plain "Error").
  const kind = typeof e.type === "string" && e.type.startsWith("Stripe") ? e.type : e.name;
  let line = `${kind}${typeof status === "number" ? ` (HTTP ${status})` : ""}: ${e.message}`;
  for (const pattern of SECRET_PATTERNS) line = line.replace(pattern, "[redacted]");
  return line.slice(0, 500);
}

/**
 * Stripe's classes of "Stripe cannot serve us now": bad or revoked key, network failure, Stripe's
 * own 5xx, rate limiting (https://docs.stripe.com/error-handling#error-types). Card declines and
 * invalid requests stay what they are.
 */
function isStripeOutage(error: unknown): boolean {
  // The SDK loads at the first Stripe call (providers/sdks.ts): until then no error is one of its.
  const errors = stripeSdk.loaded()?.errors;
  if (errors === undefined || !(error instanceof errors.StripeError)) return false;
  return (
    error instanceof errors.StripeAuthenticationError ||
    error instanceof errors.StripeConnectionError ||
    error instanceof errors.StripeRateLimitError ||
    error instanceof errors.StripeAPIError ||
    (error.statusCode ?? 0) >= 500
  );
}

/**
 * viem's transport failures on the configured RPC (HTTP error status, timeout, closed socket), found
 * anywhere in the error's cause chain. On-chain answers (reverts, missing receipts) are not outages.
 */
const VIEM_TRANSPORT_ERRORS = new Set([
  "HttpRequestError",
  "TimeoutError",
  "WebSocketRequestError",
  "SocketClosedError",
]);

function isRpcOutage(error: unknown, depth = 0): boolean {
  // viem loads at the first chain call (providers/sdks.ts): until then no error is one of its.
  const ViemBaseError = viemSdk.loaded()?.BaseError;
  if (ViemBaseError === undefined || !(error instanceof Error) || depth > 6) return false;
  if (error instanceof ViemBaseError && VIEM_TRANSPORT_ERRORS.has(error.name)) return true;
  return isRpcOutage(error.cause, depth + 1);
}

/** The ProviderUnavailableError an error stands for, or null when it is no provider outage. */
export function asProviderOutage(error: unknown): ProviderUnavailableError | null {
  if (error instanceof ProviderUnavailableError) return error;
  if (error instanceof AppError) return null;
  if (isStripeOutage(error)) return new ProviderUnavailableError("stripe", error);
  if (isRpcOutage(error)) return new ProviderUnavailableError("rpc", error);
  return null;
}

/** Logs a provider outage at error level: provider, request, cause (no secrets, no stack flood). */
export function logProviderOutage(logger: ErrorLogger, outage: ProviderUnavailableError, requestId?: string): void {
  logger.error(
    { provider: outage.provider, code: outage.code, requestId, cause: describeProviderError(outage.cause) },
    `provider unavailable: ${outage.provider}`,
  );
}

/**
 * service-auth's onError: provider outages become 503 PROVIDER_UNAVAILABLE (logged loudly);
 * everything else goes to the shared problem+json handler.
 */
export function providerAwareErrorHandler(logger: ErrorLogger): ErrorHandler {
  const fallback = problemErrorHandler(logger);
  return function onError(error, c) {
    const outage = asProviderOutage(error);
    if (!outage) return fallback(error, c);
    const requestId = (c.get as (key: string) => unknown)("requestId");
    logProviderOutage(logger, outage, typeof requestId === "string" ? requestId : undefined);
    return problemResponse(c, outage);
  };
}
