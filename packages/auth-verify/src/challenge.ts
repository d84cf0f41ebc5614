import { AppError } from "@atlas/errors";

/** The protection space named in every `WWW-Authenticate` challenge. */
export const REALM = "atlas";

/**
 * An RFC 6750 §3 `WWW-Authenticate: Bearer` challenge. Parameter values are fixed strings of
 * this package (never token or library text), so they need no escaping.
 */
export function bearerChallenge(params: Record<string, string> = {}): string {
  return [`Bearer realm="${REALM}"`, ...Object.entries(params).map(([k, v]) => `${k}="${v}"`)].join(", ");
}

/** 401 for a request without bearer credentials: no `error` attribute (RFC 6750 §3.1). */
export function credentialsRequired(): AppError {
  return new AppError("INVALID_TOKEN", {
    detail: "A bearer token is required",
    headers: { "WWW-Authenticate": bearerChallenge() },
  });
}

/**
 * 401 INVALID_TOKEN with `error="invalid_token"`. `description` is a short fixed phrase; the
 * underlying error goes to `cause` (logs only).
 */
export function invalidToken(description: string, cause?: unknown): AppError {
  return new AppError("INVALID_TOKEN", {
    detail: "The access token is invalid",
    headers: { "WWW-Authenticate": bearerChallenge({ error: "invalid_token", error_description: description }) },
    cause,
  });
}

/** 401 EXPIRED_TOKEN: the client should refresh and retry. */
export function expiredToken(cause?: unknown): AppError {
  return new AppError("EXPIRED_TOKEN", {
    detail: "The access token has expired",
    headers: { "WWW-Authenticate": bearerChallenge({ error: "invalid_token", error_description: "token expired" }) },
    cause,
  });
}

/** 403 FORBIDDEN with `error="insufficient_scope"` naming the scope the route needs. */
export function insufficientScope(scope: string): AppError {
  return new AppError("FORBIDDEN", {
    detail: `The token lacks the scope "${scope}"`,
    extensions: { requiredScope: scope },
    headers: { "WWW-Authenticate": bearerChallenge({ error: "insufficient_scope", scope }) },
  });
}
