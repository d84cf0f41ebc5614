import { startAuthentication } from "@simplewebauthn/browser";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { CopyButton } from "./account/ui.tsx";
import { ApiError, errorMessage } from "./api.ts";
import type { AuthClient, MfaChallenge as Challenge, MfaAnswer, MfaMethod, MfaVerified, TotpSetup } from "./auth.ts";
import { BackupCodes } from "./BackupCodes.tsx";

type Factor = "totp" | "webauthn" | "backup_code";
const FACTOR_LABEL: Record<Factor, string> = {
  totp: "Authenticator app",
  webauthn: "Passkey",
  backup_code: "Backup code",
};

export interface MfaChallengeProps {
  challenge: Challenge;
  auth: AuthClient;
  /** A login's second step, or a sensitive action asking to re-verify the signed-in user. */
  purpose: "login" | "step_up";
  /** Names the backup-codes file and the authenticator entry. */
  issuer: string;
  onVerified: (result: MfaVerified) => void;
  onCancel: () => void;
}

/**
 * Moves focus to the heading when a step appears, so screen readers announce it; not when the
 * step expects a code (`enabled` false): then its field has the focus (autoFocus), ready to type.
 */
function useFocusOnMount<T extends HTMLElement>(enabled = true) {
  const ref = useRef<T>(null);
  const initially = useRef(enabled);
  useEffect(() => {
    if (initially.current) ref.current?.focus();
  }, []);
  return ref;
}

/** Messages for a failed verification; an expired challenge needs a new login. */
function verifyError(error: unknown): { message: string; expired: boolean } {
  if (error instanceof ApiError && error.code === "INVALID_TOKEN") {
    return { message: "This verification has expired or was used too many times. Please start again.", expired: true };
  }
  if (error instanceof ApiError && error.code === "INVALID_CREDENTIALS") {
    return { message: "That wasn't accepted. Check it and try again.", expired: false };
  }
  if (error instanceof DOMException && error.name === "NotAllowedError") {
    return { message: "The passkey check was cancelled or timed out.", expired: false };
  }
  return { message: errorMessage(error), expired: false };
}

/**
 * The second step of a login (or a step-up before a sensitive action): a TOTP code, a backup
 * code or a passkey; the tenant's required enrolment (`totp_setup`); or the notice that a fresh
 * e-mail link confirms a risky sign-in (`email_link`).
 */
export function MfaChallengeCard(props: MfaChallengeProps) {
  const { challenge } = props;
  const heading = useFocusOnMount<HTMLHeadingElement>();
  if (challenge.methods.includes("email_link") || !challenge.mfaToken) {
    return (
      <section className="card" aria-labelledby="mfa-title">
        <h2 id="mfa-title" tabIndex={-1} ref={heading}>
          Check your inbox
        </h2>
        <p className="notice" role="status">
          {challenge.detail || "For your protection, confirm this sign-in with the link we just e-mailed you."}
        </p>
        <p className="hint">Open the link on this device to finish signing in. It works once and expires soon.</p>
        <button type="button" onClick={props.onCancel}>
          Back to sign-in
        </button>
      </section>
    );
  }
  if (challenge.methods.includes("totp_setup")) {
    return <MfaEnroll {...props} mfaToken={challenge.mfaToken} />;
  }
  return <MfaVerify {...props} mfaToken={challenge.mfaToken} methods={challenge.methods} />;
}

function MfaVerify(props: MfaChallengeProps & { mfaToken: string; methods: MfaMethod[] }) {
  const id = useId();
  const factors = (["totp", "webauthn", "backup_code"] as const).filter((f) => props.methods.includes(f));
  const [factor, setFactor] = useState<Factor>(factors[0] ?? "totp");
  const heading = useFocusOnMount<HTMLHeadingElement>(factor === "webauthn");
  const [value, setValue] = useState("");
  const [trust, setTrust] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; expired: boolean } | null>(null);

  async function answer(make: () => Promise<MfaAnswer>) {
    setBusy(true);
    setError(null);
    try {
      const result = await props.auth.verifyMfa(props.mfaToken, await make(), props.purpose === "login" && trust);
      props.onVerified(result);
    } catch (e) {
      setError(verifyError(e));
      setBusy(false);
    }
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (factor === "webauthn") {
      void answer(async () => {
        const optionsJSON = await props.auth.mfaWebauthnOptions(props.mfaToken);
        return { webauthn: await startAuthentication({ optionsJSON }) };
      });
      return;
    }
    const v = value.replace(/\s+/g, "");
    void answer(async () => (factor === "totp" ? { code: v } : { backupCode: v }));
  }

  const title = props.purpose === "login" ? "Two-step verification" : "Confirm it's you";
  return (
    <section className="card" aria-labelledby="mfa-title">
      <h2 id="mfa-title" tabIndex={-1} ref={heading}>
        {title}
      </h2>
      <p className="notice">
        {props.purpose === "login"
          ? "Your account is protected with a second factor. Verify to finish signing in."
          : "This action needs a recent second-factor check."}
      </p>
      <form className="start-form" onSubmit={submit} aria-describedby={`${id}-status`}>
        {factors.length > 1 && (
          <fieldset className="choice">
            <legend>Verify with</legend>
            {factors.map((f) => (
              <label key={f} className="radio">
                <input
                  type="radio"
                  name={`${id}-factor`}
                  value={f}
                  checked={factor === f}
                  onChange={() => {
                    setFactor(f);
                    setValue("");
                    setError(null);
                  }}
                />
                {FACTOR_LABEL[f]}
              </label>
            ))}
          </fieldset>
        )}
        {factor === "totp" && (
          <>
            <label htmlFor={`${id}-code`}>Authentication code</label>
            <p className="hint" id={`${id}-code-hint`}>
              The 6-digit code from your authenticator app.
            </p>
            <input
              id={`${id}-code`}
              // biome-ignore lint/a11y/noAutofocus: the only field of this step, which just replaced the previous one
              autoFocus
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]{6}"
              maxLength={6}
              required
              value={value}
              onChange={(e) => setValue(e.target.value)}
              aria-invalid={error !== null}
              aria-describedby={`${id}-code-hint ${id}-status`}
            />
          </>
        )}
        {factor === "backup_code" && (
          <>
            <label htmlFor={`${id}-backup`}>Backup code</label>
            <p className="hint" id={`${id}-backup-hint`}>
              One of the codes you saved when you turned on two-step verification. Each works once.
            </p>
            <input
              id={`${id}-backup`}
              // biome-ignore lint/a11y/noAutofocus: the only field of this step
              autoFocus
              autoComplete="off"
              spellCheck={false}
              minLength={8}
              maxLength={24}
              required
              value={value}
              onChange={(e) => setValue(e.target.value)}
              aria-invalid={error !== null}
              aria-describedby={`${id}-backup-hint ${id}-status`}
            />
          </>
        )}
        {factor === "webauthn" && <p className="hint">Use the passkey saved on this device or your security key.</p>}
        {props.purpose === "login" && (
          <label className="checkbox">
            <input type="checkbox" checked={trust} onChange={(e) => setTrust(e.target.checked)} />
            Trust this device — skip this step here next time
          </label>
        )}
        <div className="button-row">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Verifying…" : factor === "webauthn" ? "Use passkey" : "Verify"}
          </button>
          <button type="button" onClick={props.onCancel}>
            {props.purpose === "login" ? "Cancel" : "Not now"}
          </button>
        </div>
        <p id={`${id}-status`} className="form-status error" role="status" aria-live="polite">
          {error?.message}
        </p>
      </form>
    </section>
  );
}

/** The tenant requires two-step verification and this account has none yet: set up TOTP now. */
function MfaEnroll(props: MfaChallengeProps & { mfaToken: string }) {
  const id = useId();
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const [setup, setSetup] = useState<TotpSetup | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [code, setCode] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<MfaVerified | null>(null);
  const { auth, mfaToken } = props;

  useEffect(() => {
    let live = true;
    auth.enrollMfa(mfaToken).then(
      (s) => live && setSetup(s),
      (e: unknown) => live && setLoadError(verifyError(e).message),
    );
    return () => {
      live = false;
    };
  }, [auth, mfaToken]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await auth.verifyMfa(mfaToken, { code: code.trim() });
      if (result.backupCodes?.length) setDone(result);
      else props.onVerified(result);
    } catch (e) {
      setError(verifyError(e).message);
      setBusy(false);
    }
  }

  if (done) {
    return (
      <section className="card" aria-labelledby="mfa-title">
        <h2 id="mfa-title" tabIndex={-1} ref={heading}>
          Save your backup codes
        </h2>
        <p className="notice sent">Two-step verification is on.</p>
        <BackupCodes codes={done.backupCodes ?? []} issuer={props.issuer} />
        <button type="button" className="primary" onClick={() => props.onVerified(done)}>
          I've saved them — continue
        </button>
      </section>
    );
  }
  return (
    <section className="card" aria-labelledby="mfa-title" aria-busy={!setup && !loadError}>
      <h2 id="mfa-title" tabIndex={-1} ref={heading}>
        Set up two-step verification
      </h2>
      <p className="notice">
        {props.issuer} requires a second factor. Scan this QR code with an authenticator app, then enter the code it
        shows.
      </p>
      {loadError && (
        <p className="notice error" role="alert">
          {loadError}
        </p>
      )}
      {!setup && !loadError && <p className="notice">Loading…</p>}
      {setup && (
        <form className="start-form" onSubmit={submit}>
          <TotpSecret setup={setup} />
          <label htmlFor={`${id}-code`}>Code from the app</label>
          <input
            id={`${id}-code`}
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]{6}"
            maxLength={6}
            required
            value={code}
            onChange={(e) => setCode(e.target.value)}
            aria-invalid={error !== null}
            aria-describedby={`${id}-status`}
          />
          <div className="button-row">
            <button type="submit" className="primary" disabled={busy}>
              {busy ? "Verifying…" : "Turn on and continue"}
            </button>
            <button type="button" onClick={props.onCancel}>
              Cancel
            </button>
          </div>
          <p id={`${id}-status`} className="form-status error" role="status" aria-live="polite">
            {error}
          </p>
        </form>
      )}
      {loadError && (
        <button type="button" onClick={props.onCancel}>
          Back to sign-in
        </button>
      )}
    </section>
  );
}

/**
 * The QR code of an otpauth URL; on the phone that holds the authenticator app (which cannot
 * scan its own screen), the otpauth:// link that opens the app, and the key to copy or type.
 */
export function TotpSecret({ setup }: { setup: TotpSetup }) {
  return (
    <div className="totp-secret">
      <img src={setup.qrCodeDataUrl} alt="QR code for your authenticator app" width={180} height={180} />
      <p>
        <a className="button-link" href={setup.otpauthUrl}>
          Open in your authenticator app
        </a>
      </p>
      <p className="hint">Can't scan it or open it? Enter this key in the app:</p>
      <p className="totp-key-row">
        <code className="totp-key" data-testid="totp-secret">
          {setup.secret}
        </code>{" "}
        <CopyButton text={setup.secret} label="Copy key" />
      </p>
    </div>
  );
}
