import { ApiError, errorMessage } from "./api.ts";

/**
 * A failed call as a form shows it: the API's per-field messages (`errors[]` of a 400
 * VALIDATION_FAILED problem, keyed by the field's top-level name) next to their fields, and one
 * message for the form for anything no field on the form can show.
 */
export interface FormProblem {
  fields: Partial<Record<string, string>>;
  form: string | null;
}

export const NO_PROBLEM: FormProblem = { fields: {}, form: null };

function issuesOf(error: ApiError): { path: string; message: string }[] {
  const raw = error.extras.errors;
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((e) =>
    typeof e === "object" && e !== null && typeof e.message === "string"
      ? [{ path: typeof e.path === "string" ? e.path : "", message: e.message }]
      : [],
  );
}

/** Sentence case, ending with a full stop: zod's "must be …" reads as a sentence next to its field. */
const sentence = (m: string) => {
  const s = m.charAt(0).toUpperCase() + m.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
};

/**
 * Splits an error between the form's `fields` (by name) and the form itself. A problem whose
 * per-field messages all belong to this form's fields has no form message; the generic "The
 * request is invalid" is never shown when a field says what is wrong.
 *
 * @example
 * const p = formProblem(e, ["email"]); // { fields: { email: "Enter an e-mail address…" }, form: null }
 */
export function formProblem(error: unknown, fields: readonly string[]): FormProblem {
  if (!(error instanceof ApiError)) return { fields: {}, form: errorMessage(error) };
  const byField: Partial<Record<string, string>> = {};
  const rest: string[] = [];
  for (const issue of issuesOf(error)) {
    const name = issue.path.split(".")[0] ?? "";
    if (fields.includes(name)) byField[name] ??= sentence(issue.message);
    else rest.push(issue.path ? `${issue.path}: ${issue.message}` : issue.message);
  }
  if (Object.keys(byField).length > 0) return { fields: byField, form: rest.length ? sentence(rest.join("; ")) : null };
  if (rest.length > 0) return { fields: {}, form: sentence(rest.join("; ")) };
  return { fields: {}, form: errorMessage(error) };
}

/** Props of an input that has an error message (by id): aria-invalid and aria-describedby. */
export function invalidProps(errorId: string, message: string | null | undefined, more: string[] = []) {
  const describedBy = [...more, message ? errorId : ""].filter(Boolean).join(" ");
  return {
    "aria-invalid": message ? true : undefined,
    ...(describedBy ? { "aria-describedby": describedBy } : {}),
  } as const;
}

/** The message under a field (empty, and silent, when there is none). */
export function FieldError({ id, message }: { id: string; message: string | null | undefined }) {
  return (
    <p id={id} className="field-error" role={message ? "alert" : undefined} hidden={!message}>
      {message}
    </p>
  );
}
