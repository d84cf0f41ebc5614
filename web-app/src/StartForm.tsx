import { type FormEvent, useId, useState } from "react";
import { ApiError } from "./api.ts";

type FormState = { kind: "idle" } | { kind: "sending" } | { kind: "sent" } | { kind: "error"; message: string };

export interface StartFormProps {
  label: string;
  type: "email" | "tel";
  autoComplete: string;
  placeholder: string;
  hint?: string;
  pattern?: string;
  submitLabel: string;
  sentMessage: string;
  /** Sends the value; resolves on 2xx, throws ApiError otherwise. */
  onSubmit: (value: string) => Promise<unknown>;
}

function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.detail;
  return "Something went wrong. Please try again.";
}

/** One field + one button that starts a passwordless login (magic link or SMS code). */
export function StartForm(props: StartFormProps) {
  const id = useId();
  const [value, setValue] = useState("");
  const [state, setState] = useState<FormState>({ kind: "idle" });

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (state.kind === "sending") return;
    setState({ kind: "sending" });
    try {
      await props.onSubmit(value.trim());
      setState({ kind: "sent" });
    } catch (error) {
      setState({ kind: "error", message: messageOf(error) });
    }
  }

  const describedBy = [props.hint ? `${id}-hint` : "", `${id}-status`].filter(Boolean).join(" ");
  return (
    <form className="start-form" onSubmit={submit}>
      <label htmlFor={`${id}-input`}>{props.label}</label>
      {props.hint && (
        <p className="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      )}
      <div className="field-row">
        <input
          id={`${id}-input`}
          type={props.type}
          name={props.type === "email" ? "email" : "phone"}
          inputMode={props.type === "tel" ? "tel" : "email"}
          autoComplete={props.autoComplete}
          placeholder={props.placeholder}
          pattern={props.pattern}
          required
          value={value}
          onChange={(e) => {
            setValue(e.target.value);
            if (state.kind !== "sending") setState({ kind: "idle" });
          }}
          aria-invalid={state.kind === "error"}
          aria-describedby={describedBy}
        />
        <button type="submit" className="primary" disabled={state.kind === "sending"}>
          {state.kind === "sending" ? "Sending…" : props.submitLabel}
        </button>
      </div>
      <p id={`${id}-status`} className={`form-status ${state.kind}`} role="status" aria-live="polite">
        {state.kind === "sent" && props.sentMessage}
        {state.kind === "error" && state.message}
      </p>
    </form>
  );
}
