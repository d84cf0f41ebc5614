import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import { AppError } from "./app-error.ts";
import type { ErrorCode } from "./codes.ts";
import { PROBLEM_CONTENT_TYPE, problemDocument } from "./problem.ts";
import { isDependencyUnavailable } from "./unavailable.ts";

/** Seconds a client is asked to wait when a dependency (the database) is unreachable. */
export const UNAVAILABLE_RETRY_AFTER_SEC = 2;

/** Minimal logger shape (pino-compatible) used to record causes that clients never see. */
export interface ErrorLogger {
  error(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

function requestIdOf(c: Context): string | undefined {
  const id = (c.get as (key: string) => unknown)("requestId");
  return typeof id === "string" ? id : undefined;
}

/** Writes an AppError as problem+json, with its headers. */
export function problemResponse(c: Context, error: AppError): Response {
  const body = problemDocument(error.code, error.detail, requestIdOf(c), error.extensions);
  const headers: Record<string, string> = { "content-type": PROBLEM_CONTENT_TYPE, ...error.headers };
  return c.body(JSON.stringify(body), error.status as ContentfulStatusCode, headers);
}

const HTTP_STATUS_CODES: Partial<Record<number, ErrorCode>> = {
  400: "VALIDATION_FAILED",
  401: "INVALID_TOKEN",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "METHOD_NOT_ALLOWED",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  429: "RATE_LIMITED",
  503: "SERVICE_UNAVAILABLE",
};

/**
 * Turns any thrown value into an AppError: an unreachable dependency (database restart, refused
 * connection) becomes 503 SERVICE_UNAVAILABLE with Retry-After; other unknown errors become
 * INTERNAL with the cause kept.
 */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (isDependencyUnavailable(error)) {
    return new AppError("SERVICE_UNAVAILABLE", {
      detail: "A backing service is temporarily unavailable; retry shortly",
      headers: { "Retry-After": String(UNAVAILABLE_RETRY_AFTER_SEC) },
      cause: error,
    });
  }
  if (error instanceof z.ZodError) {
    return new AppError("VALIDATION_FAILED", {
      detail: "The request is invalid",
      extensions: { errors: zodIssues(error) },
      cause: error,
    });
  }
  if (error instanceof HTTPException) {
    const code = HTTP_STATUS_CODES[error.status] ?? (error.status >= 500 ? "INTERNAL" : "VALIDATION_FAILED");
    // Hono's messages for its own 4xx (e.g. "Malformed JSON in request body") are safe to show.
    const detail = error.status < 500 && error.message ? error.message : undefined;
    return new AppError(code, { detail, cause: error });
  }
  return new AppError("INTERNAL", { detail: "An unexpected error occurred", cause: error });
}

/** zod issues as `{ path, message }` pairs (no input values: they may hold secrets). */
export function zodIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
}

/**
 * The one `app.onError`: every failure leaves as RFC 9457 problem+json. A 5xx carries only the
 * request id (`instance`); its cause goes to the log.
 */
export function problemErrorHandler(logger: ErrorLogger): ErrorHandler {
  return function onError(error, c) {
    const appError = toAppError(error);
    const requestId = requestIdOf(c);
    if (appError.code === "SERVICE_UNAVAILABLE" && !(error instanceof AppError)) {
      // One line per request, no stack: an outage must not flood the log with traces.
      logger.warn({ requestId, code: appError.code, cause: String(error) }, "dependency unavailable");
    } else if (appError.status >= 500) {
      logger.error({ err: error, requestId, code: appError.code }, "request failed");
    } else if (appError.cause !== undefined && !(appError.cause instanceof z.ZodError)) {
      logger.warn({ requestId, code: appError.code, cause: String(appError.cause) }, "request rejected");
    }
    return problemResponse(c, appError);
  };
}

/** `app.notFound`: unknown routes answer problem+json 404. */
export const problemNotFound: NotFoundHandler = (c) =>
  problemResponse(c, new AppError("NOT_FOUND", { detail: `No route for ${c.req.method} ${c.req.path}` }));
