export { AppError, type AppErrorOptions, isAppError, type ProblemExtensions } from "./app-error.ts";
export { ERROR_CODES, type ErrorCode, problemType } from "./codes.ts";
export {
  type ErrorLogger,
  problemErrorHandler,
  problemNotFound,
  problemResponse,
  toAppError,
  UNAVAILABLE_RETRY_AFTER_SEC,
  zodIssues,
} from "./hono.ts";
export { PROBLEM_CONTENT_TYPE, type ProblemDocument, problemDocument } from "./problem.ts";
export { isDependencyUnavailable } from "./unavailable.ts";
