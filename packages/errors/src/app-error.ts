import { ERROR_CODES, type ErrorCode } from "./codes.ts";

/** Extension members of a problem document (RFC 9457 §3.2); must be JSON-safe and non-secret. */
export type ProblemExtensions = Record<string, unknown>;

export interface AppErrorOptions {
  /** Safe, client-facing explanation. Defaults to the code's title. */
  detail?: string;
  /** Extra members of the problem document (e.g. `mfaToken`, `methods`, `errors`). */
  extensions?: ProblemExtensions;
  /** Extra response headers (e.g. `Retry-After`, `WWW-Authenticate`). */
  headers?: Record<string, string>;
  /** The underlying error: logged, never sent to the client. */
  cause?: unknown;
}

/**
 * The one error type services throw. `code` is stable, `status` follows from it, `detail` is
 * safe to show, `cause` stays in the logs.
 *
 * @example
 * throw new AppError("NOT_FOUND", { detail: "No such session" });
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: string;
  readonly extensions: ProblemExtensions;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, options: AppErrorOptions = {}) {
    super(options.detail ?? ERROR_CODES[code].title, { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.detail = options.detail ?? ERROR_CODES[code].title;
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
