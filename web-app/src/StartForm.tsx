import { type FormEvent, type ReactNode, useId, useState } from "react";
import { FieldError, type FormProblem, formProblem, invalidProps, NO_PROBLEM } from "./field-errors.tsx";

type FormState = { kind: "idle" } | { kind: "sending" } | { kind: "sent" } | { kind: "error"; problem: FormProblem };

export interface StartFormProps {
  label: string;
  type: "email" | "tel";
  autoComplete: string;
  placeholder: string;
  hint?: string;
  pattern?: string;
  submitLabel: string;
  /** Shown under the form once sent; omit when the caller moves on to another screen instead. */
  sentMessage?: string;
  initialValue?: string;
  autoFocus?: boolean;
  /** Sends the value; resolves on 2xx, throws ApiError otherwise. */
  onSubmit: (value: string) => Promise<unknown>;
  /** Rendered before the field row (a country picker). */
  before?: ReactNode;
}

/**
 * One field + one button that starts something by e-mail or SMS. The API's own message for the
 * field (`errors[]`) shows under it, linked by aria-describedby; the browser's built-in
 * validation is off so that every message comes from one place, in the same words.
 */
export function StartForm(props: StartFormProps) {
  const id = useId();
  const field = props.type === "email" ? "email" : "phone";
  const [value, setValue] = useState(props.initialValue ?? "");
  const [state, setState] = useState<FormState>({ kind: "idle" });

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (state.kind === "sending") return;
    setState({ kind: "sending" });
    try {
      await props.onSubmit(value.trim());
      setState({ kind: "sent" });
    } catch (error) {
      setState({ kind: "error", problem: formProblem(error, [field]) });
    }
  }

  const problem = state.kind === "error" ? state.problem : NO_PROBLEM;
  const fieldError = problem.fields[field];
  const hintId = props.hint ? `${id}-hint` : "";
  return (
    <form className="start-form" onSubmit={submit} noValidate>
      <label htmlFor={`${id}-input`}>{props.label}</label>
      {props.hint && (
        <p className="hint" id={hintId}>
          {props.hint}
        </p>
      )}
      <div className="field-row">
        {props.before}
        <input
          id={`${id}-input`}
          type={props.type}
          name={field}
          inputMode={props.type === "tel" ? "tel" : "email"}
          autoComplete={props.autoComplete}
          placeholder={props.placeholder}
          pattern={props.pattern}
          // biome-ignore lint/a11y/noAutofocus: the screen's one field, reached on purpose ("Use a different address")
          autoFocus={props.autoFocus}
          required
          value={value}
          onChange={(e) => {
            setValue(e.target.value);
            if (state.kind !== "sending") setState({ kind: "idle" });
          }}
          {...invalidProps(`${id}-error`, fieldError, [hintId, `${id}-status`])}
        />
        <button type="submit" className="primary" disabled={state.kind === "sending"}>
          {state.kind === "sending" ? "Sending…" : props.submitLabel}
        </button>
      </div>
      <FieldError id={`${id}-error`} message={fieldError} />
      <p id={`${id}-status`} className={`form-status ${state.kind}`} role="status" aria-live="polite">
        {state.kind === "sent" && props.sentMessage}
        {problem.form}
      </p>
    </form>
  );
}
