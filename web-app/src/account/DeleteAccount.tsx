import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import type { AccountApi, Me } from "../account-api.ts";
import { errorMessage } from "../api.ts";
import { useStepUp } from "./StepUp.tsx";

/**
 * Deleting the account, asked twice over: a user with a second factor (authenticator app or
 * passkey) proves it again (the service's step-up; `DELETE /auth/me` demands a recent one); a
 * user without one types their e-mail address (or phone number, or "delete" when the account has
 * neither), so a stray click or someone at an unlocked laptop cannot do it in passing.
 */
export function DeleteAccount({
  me,
  api,
  onDeleted,
}: {
  me: Me;
  api: AccountApi;
  onDeleted: (email: string | null) => void;
}) {
  const id = useId();
  const stepUp = useStepUp();
  const [asking, setAsking] = useState(false);
  const [typed, setTyped] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const field = useRef<HTMLInputElement>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const hasMfa = me.mfa.totpEnabled || me.mfa.passkeys > 0;
  const expected = me.user.email ?? me.user.phone ?? "delete";
  const what = me.user.email ? "your e-mail address" : me.user.phone ? "your phone number" : "the word “delete”";
  const matches = hasMfa || typed.trim().toLowerCase() === expected.toLowerCase();

  useEffect(() => {
    if (!asking) return;
    if (hasMfa) confirmButton.current?.focus();
    else field.current?.focus();
  }, [asking, hasMfa]);

  async function remove(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!matches) {
      setError(`Type ${what} exactly as shown to confirm.`);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await stepUp(() => api.deleteAccount());
      onDeleted(me.user.email ?? null);
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  }

  if (!asking) {
    return (
      <button type="button" className="danger" onClick={() => setAsking(true)}>
        Delete my account
      </button>
    );
  }
  return (
    <form className="start-form delete-account" onSubmit={remove} noValidate>
      <p className="notice error">
        This deletes your account for good. You will be signed out everywhere and it can't be undone.
      </p>
      {hasMfa ? (
        <p className="hint">You'll confirm it with your second factor (authenticator app or passkey).</p>
      ) : (
        <>
          <label htmlFor={`${id}-confirm`}>
            To confirm, type {me.user.email || me.user.phone ? <strong>{expected}</strong> : what}
          </label>
          <input
            ref={field}
            id={`${id}-confirm`}
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            aria-invalid={error !== null}
            aria-describedby={`${id}-status`}
          />
        </>
      )}
      <div className="button-row">
        <button ref={confirmButton} type="submit" className="danger" disabled={busy || !matches}>
          {busy ? "Deleting…" : "Delete my account for good"}
        </button>
        <button
          type="button"
          onClick={() => {
            setAsking(false);
            setTyped("");
            setError(null);
          }}
          disabled={busy}
        >
          Cancel
        </button>
      </div>
      <p id={`${id}-status`} className="form-status error" role="status" aria-live="polite">
        {error}
      </p>
    </form>
  );
}
