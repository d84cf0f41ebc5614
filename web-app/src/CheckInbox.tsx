import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { ApiError } from "./api.ts";
import type { AuthClient, Login } from "./auth.ts";
import { FieldError, type FormProblem, formProblem, invalidProps, NO_PROBLEM } from "./field-errors.tsx";

/** A pending e-mail sign-in: where the link went, until when it works, and what its code opens. */
export interface PendingEmail {
  email: string;
  codeToken: string;
  expiresAt: Date;
  /** When the resend button works again (the API's cooldown per address). */
  resendAt: number;
}

/** The API's resend cooldown (EMAIL_RESEND_COOLDOWN_SEC); a 429's Retry-After corrects it. */
export const RESEND_COOLDOWN_MS = 30_000;

const clock = (d: Date) => d.toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });

function useSecondsUntil(at: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (now >= at) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [at, now]);
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * "Check your inbox": names the address and when the link expires, takes the e-mail's 6-digit
 * code (for mail read on another device), resends after a visible cooldown, or goes back for
 * another address.
 */
export function CheckInbox({
  pending,
  auth,
  login,
  onResent,
  onChangeAddress,
}: {
  pending: PendingEmail;
  auth: AuthClient;
  login: Login;
  onResent: (next: PendingEmail) => void;
  onChangeAddress: () => void;
}) {
  const id = useId();
  const [code, setCode] = useState("");
  const [problem, setProblem] = useState<FormProblem>(NO_PROBLEM);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const codeRef = useRef<HTMLInputElement>(null);
  const wait = useSecondsUntil(pending.resendAt);
  const minutes = Math.max(1, Math.round((pending.expiresAt.getTime() - Date.now()) / 60_000));

  // The code is what this screen expects: the cursor starts there.
  useEffect(() => {
    codeRef.current?.focus();
  }, []);

  async function verify(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setProblem(NO_PROBLEM);
    setBusy(true);
    try {
      await login(() => auth.verifyEmailCode(pending.codeToken, code.trim()));
    } catch (e) {
      const p = formProblem(e, ["code"]);
      setProblem(p.form && !p.fields.code ? { fields: { code: p.form }, form: null } : p);
      codeRef.current?.focus();
    } finally {
      setBusy(false);
    }
  }

  async function resend() {
    setStatus(null);
    try {
      const started = await auth.startEmail(pending.email);
      onResent({
        email: pending.email,
        codeToken: started.codeToken,
        expiresAt: new Date(started.expiresAt),
        resendAt: Date.now() + RESEND_COOLDOWN_MS,
      });
      setCode("");
      setProblem(NO_PROBLEM);
      setStatus("We sent a new link and code. Use the newest e-mail.");
    } catch (e) {
      if (e instanceof ApiError && e.code === "RATE_LIMITED" && e.retryAfter) {
        onResent({ ...pending, resendAt: Date.now() + e.retryAfter * 1000 });
      }
      setStatus(formProblem(e, []).form);
    }
  }

  const codeError = problem.fields.code;
  return (
    <div className="check-inbox">
      <p>
        We sent a sign-in link to <strong className="address">{pending.email}</strong>. It works once and expires in{" "}
        {minutes} minutes (at {clock(pending.expiresAt)}).
      </p>
      <form className="start-form" onSubmit={verify} noValidate>
        <label htmlFor={`${id}-code`}>Code from the e-mail</label>
        <p className="hint" id={`${id}-hint`}>
          Reading the e-mail on another device? Type its 6-digit code here instead.
        </p>
        <div className="field-row">
          <input
            ref={codeRef}
            id={`${id}-code`}
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            value={code}
            onChange={(e) => setCode(e.target.value)}
            {...invalidProps(`${id}-code-error`, codeError, [`${id}-hint`])}
          />
          <button type="submit" className="primary" disabled={busy}>
            Sign in
          </button>
        </div>
        <FieldError id={`${id}-code-error`} message={codeError} />
        {problem.form && <p className="form-status error">{problem.form}</p>}
      </form>
      <div className="button-row inbox-actions">
        <button type="button" onClick={resend} disabled={wait > 0} aria-describedby={`${id}-resend`}>
          {wait > 0 ? `Resend in ${wait} s` : "Resend"}
        </button>
        <button type="button" className="link-button" onClick={onChangeAddress}>
          Use a different address
        </button>
      </div>
      <p id={`${id}-resend`} className="hint" role="status" aria-live="polite">
        {status ??
          (wait > 0 ? "You can ask for another e-mail when the countdown ends." : "No e-mail? Check spam, or resend.")}
      </p>
    </div>
  );
}
