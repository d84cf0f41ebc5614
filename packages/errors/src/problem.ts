import { ERROR_CODES, type ErrorCode, problemType } from "./codes.ts";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** An RFC 9457 problem document with Atlas's stable `code`. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  [extension: string]: unknown;
}

// Members an extension may not overwrite.
const RESERVED = new Set(["type", "title", "status", "detail", "code", "instance"]);

export function problemDocument(
  code: ErrorCode,
  detail: string,
  instance: string | undefined,
  extensions: Record<string, unknown> = {},
): ProblemDocument {
  const doc: ProblemDocument = {
    type: problemType(code),
    title: ERROR_CODES[code].title,
    status: ERROR_CODES[code].status,
    detail,
    code,
  };
  if (instance) doc.instance = instance;
  for (const [k, v] of Object.entries(extensions)) if (!RESERVED.has(k)) doc[k] = v;
  return doc;
}
