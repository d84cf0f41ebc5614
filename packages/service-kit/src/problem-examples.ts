/**
 * Examples for the error responses of an OpenAPI document. Every error is an RFC 9457 problem
 * with a code of the catalogue (@atlas/errors), so a response declared as application/problem+json
 * without an example gets one built from its status and its own description: the catalogue code
 * the description names (e.g. "… (FORBIDDEN)"), else the catalogue's first code of that status.
 */
import { ERROR_CODES, type ErrorCode, problemType } from "@atlas/errors";

const CODES = Object.keys(ERROR_CODES) as ErrorCode[];

export function problemExample(status: number, description: string): Record<string, unknown> | undefined {
  const withStatus = CODES.filter((code) => ERROR_CODES[code].status === status);
  const code = withStatus.find((c) => new RegExp(`\\b${c}\\b`).test(description)) ?? withStatus[0];
  if (!code) return undefined;
  return {
    type: problemType(code),
    title: ERROR_CODES[code].title,
    status,
    detail: description,
    code,
  };
}

interface ResponseLike {
  description?: string;
  content?: Record<string, { example?: unknown; examples?: unknown }>;
}

/** The document with an example on each problem response that has none (the input is not changed). */
export function withProblemExamples<D extends { paths?: object }>(document: D): D {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [path, item] of Object.entries((document.paths ?? {}) as Record<string, Record<string, unknown>>)) {
    paths[path] = {};
    for (const [method, op] of Object.entries(item)) {
      const responses = (op as { responses?: Record<string, ResponseLike> } | null)?.responses;
      if (!responses) {
        paths[path][method] = op;
        continue;
      }
      const filled: Record<string, ResponseLike> = {};
      for (const [status, response] of Object.entries(responses)) {
        const media = response.content?.["application/problem+json"];
        const example =
          media && media.example === undefined && media.examples === undefined
            ? problemExample(Number(status), response.description ?? "")
            : undefined;
        filled[status] = example
          ? { ...response, content: { ...response.content, "application/problem+json": { ...media, example } } }
          : response;
      }
      paths[path][method] = { ...(op as object), responses: filled };
    }
  }
  return { ...document, paths };
}
