export { AppError, type AppErrorOptions, isAppError, type ProblemExtensions } from "./app-error.ts";
export { ERROR_CODES, type ErrorCode, problemType } from "./codes.ts";
export {
  type ErrorLogger,
  problemErrorHandler,
  problemNotFound,
  problemResponse,
  toAppError,
  zodIssues,
} from "./hono.ts";
export { PROBLEM_CONTENT_TYPE, type ProblemDocument, problemDocument } from "./problem.ts";
