/**
 * The stable machine codes of the HTTP contract (api.md). Catalogued once, never renamed.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: { status: 400, title: "Validation failed" },
  INVALID_TOKEN: { status: 401, title: "Invalid token" },
  EXPIRED_TOKEN: { status: 401, title: "Expired token" },
  INVALID_CREDENTIALS: { status: 401, title: "Invalid credentials" },
  MFA_REQUIRED: { status: 401, title: "Multi-factor authentication required" },
  PAYMENT_FAILED: { status: 402, title: "Payment failed" },
  QUOTA_EXCEEDED: { status: 402, title: "Plan allowance used up" },
  FORBIDDEN: { status: 403, title: "Forbidden" },
  METHOD_NOT_ALLOWED_FOR_TENANT: { status: 403, title: "Login method not allowed for this tenant" },
  NOT_FOUND: { status: 404, title: "Not found" },
  METHOD_NOT_ALLOWED: { status: 405, title: "Method not allowed" },
  CONFLICT: { status: 409, title: "Conflict" },
  PAYLOAD_TOO_LARGE: { status: 413, title: "Payload too large" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: "Unsupported media type" },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: "Idempotency key reused with a different request" },
  ACCOUNT_LOCKED: { status: 423, title: "Account locked" },
  RATE_LIMITED: { status: 429, title: "Too many requests" },
  INTERNAL: { status: 500, title: "Internal server error" },
  SERVICE_UNAVAILABLE: { status: 503, title: "Service unavailable" },
  /** An external provider (Stripe, Resend, Twilio, chain RPC, Relay) cannot serve us now: retry later. */
  PROVIDER_UNAVAILABLE: { status: 503, title: "Provider unavailable" },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The `type` URI of a problem: a stable, dereferenceable-looking identifier per code. */
export function problemType(code: ErrorCode): string {
  return `https://atlas.dev/problems/${code.toLowerCase().replaceAll("_", "-")}`;
}
