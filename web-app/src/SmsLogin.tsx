import { type FormEvent, useEffect, useId, useMemo, useRef, useState } from "react";
import type { AuthClient, Login } from "./auth.ts";
import { FieldError, type FormProblem, formProblem, invalidProps, NO_PROBLEM } from "./field-errors.tsx";
import { type CountryCode, countryOptions, defaultCountry, examplePhone, formatPhone, toE164 } from "./phone.ts";
import { StartForm } from "./StartForm.tsx";

/**
 * Phone → texted code → signed in. The number is typed as people write it, in the picked
 * country's national format or internationally with +, and sent in E.164.
 */
export function SmsLogin({ auth, login }: { auth: AuthClient; login: Login }) {
  const id = useId();
  const countries = useMemo(() => countryOptions(), []);
  const [country, setCountry] = useState<CountryCode>(() => defaultCountry());
  const [phone, setPhone] = useState<string | null>(null);
  const [code, setCode] = useState("");
  const [problem, setProblem] = useState<FormProblem>(NO_PROBLEM);
  const codeRef = useRef<HTMLInputElement>(null);

  // A code is expected now: the cursor goes where it will be typed.
  useEffect(() => {
    if (phone) codeRef.current?.focus();
  }, [phone]);

  async function verify(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!phone) return;
    setProblem(NO_PROBLEM);
    try {
      await login(() => auth.verifySms(phone, code.trim()));
    } catch (e) {
      const p = formProblem(e, ["code"]);
      // A wrong or expired code is about the code: it shows under its field.
      setProblem(p.form && !p.fields.code ? { fields: { code: p.form }, form: null } : p);
    }
  }

  const codeError = problem.fields.code;
  return (
    <>
      <StartForm
        label="Phone"
        type="tel"
        autoComplete="tel-national"
        placeholder={examplePhone(country)}
        hint="Your mobile number, as you would dial it at home, or with + and the country code."
        submitLabel="Text me a code"
        sentMessage={phone ? `We texted a 6-digit code to ${formatPhone(phone)}.` : "We texted you a 6-digit code."}
        before={
          <select
            className="country"
            aria-label="Country"
            value={country}
            onChange={(e) => setCountry(e.target.value as CountryCode)}
          >
            {countries.map((c) => (
              <option key={c.code} value={c.code}>
                {c.label}
              </option>
            ))}
          </select>
        }
        onSubmit={async (value) => {
          const e164 = toE164(value, country);
          await auth.startSms(e164);
          setPhone(e164);
        }}
      />
      {phone && (
        <form className="start-form" onSubmit={verify} noValidate>
          <label htmlFor={`${id}-code`}>Code</label>
          <div className="field-row">
            <input
              ref={codeRef}
              id={`${id}-code`}
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={6}
              required
              value={code}
              onChange={(e) => setCode(e.target.value)}
              {...invalidProps(`${id}-code-error`, codeError)}
            />
            <button type="submit" className="primary">
              Sign in
            </button>
          </div>
          <FieldError id={`${id}-code-error`} message={codeError} />
          <p className="form-status error" role="status" aria-live="polite">
            {problem.form}
          </p>
        </form>
      )}
    </>
  );
}
