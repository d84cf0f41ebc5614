import { type FormEvent, useId, useState } from "react";
import { errorMessage } from "./api.ts";
import type { AuthClient, Login } from "./auth.ts";
import { StartForm } from "./StartForm.tsx";

const E164 = "\\+[1-9][0-9]{1,14}";

/** Phone → texted code → signed in. */
export function SmsLogin({ auth, login }: { auth: AuthClient; login: Login }) {
  const id = useId();
  const [phone, setPhone] = useState<string | null>(null);
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | null>(null);

  async function verify(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!phone) return;
    setError(null);
    try {
      await login(() => auth.verifySms(phone, code.trim()));
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  return (
    <>
      <StartForm
        label="Phone"
        type="tel"
        autoComplete="tel"
        placeholder="+15551234567"
        hint="International format, starting with +"
        pattern={E164}
        submitLabel="Text me a code"
        sentMessage="Check your phone — we texted you a 6-digit code."
        onSubmit={async (value) => {
          await auth.startSms(value);
          setPhone(value);
        }}
      />
      {phone && (
        <form className="start-form" onSubmit={verify}>
          <label htmlFor={`${id}-code`}>Code</label>
          <div className="field-row">
            <input
              id={`${id}-code`}
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]{6}"
              required
              value={code}
              onChange={(e) => setCode(e.target.value)}
              aria-invalid={error !== null}
            />
            <button type="submit" className="primary">
              Sign in
            </button>
          </div>
          <p className="form-status error" role="status" aria-live="polite">
            {error}
          </p>
        </form>
      )}
    </>
  );
}
