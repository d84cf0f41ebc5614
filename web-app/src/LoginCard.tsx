import { browserSupportsWebAuthn } from "@simplewebauthn/browser";
import { useCallback, useState } from "react";
import { type AuthClient, type Login, OAUTH_METHODS, type Tenant } from "./auth.ts";
import { CheckInbox, type PendingEmail, RESEND_COOLDOWN_MS } from "./CheckInbox.tsx";
import { MailLogo, PhoneLogo, ProviderLogo } from "./logos.tsx";
import { PasskeyButton, usePasskeyAutofill } from "./PasskeyLogin.tsx";
import { returnUrl } from "./return-to.ts";
import { SmsLogin } from "./SmsLogin.tsx";
import { StartForm } from "./StartForm.tsx";
import { WalletLogin } from "./WalletLogin.tsx";

/** Which form the card shows: e-mail first; the phone form or the inbox screen when asked for. */
type Step = { kind: "email"; email: string } | { kind: "phone" } | { kind: "inbox"; pending: PendingEmail };

/**
 * The sign-in card: e-mail first with one "Continue", then the other methods the tenant allows
 * and this browser can use, as logo buttons. Methods that cannot work here are not shown.
 */
export function LoginCard({
  tenant,
  auth,
  login,
  redirectTo = returnUrl(),
  title = "Sign in or create an account",
}: {
  tenant: Tenant;
  auth: AuthClient;
  login: Login;
  /**
   * Where an OAuth login comes back to (default: the page to come back to, which rides in the
   * OAuth flow's state, validated when the flow starts).
   */
  redirectTo?: string;
  title?: string;
}) {
  const allowed = new Set(tenant.allowedMethods);
  const oauth = OAUTH_METHODS.filter((o) => allowed.has(o.method));
  const passkey = allowed.has("passkey") && browserSupportsWebAuthn();
  const wallets = allowed.has("siwe") || allowed.has("siws") || allowed.has("arweave");
  const email = allowed.has("email");
  const sms = allowed.has("sms");
  const [step, setStep] = useState<Step>(email ? { kind: "email", email: "" } : { kind: "phone" });
  const [passkeyError, setPasskeyError] = useState<string | null>(null);
  const onAutofillError = useCallback((m: string) => setPasskeyError(m), []);
  // Conditional UI rides on the e-mail field; without one there is nothing to autofill.
  usePasskeyAutofill(auth, login, passkey && step.kind === "email", onAutofillError);
  // Switching forms starts clean: no error of the other form stays on screen.
  const go = (next: Step) => {
    setPasskeyError(null);
    setStep(next);
  };

  if (allowed.size === 0) {
    return (
      <section className="card" aria-labelledby="login-title">
        <h2 id="login-title">{title}</h2>
        <p className="notice">No sign-in methods are enabled for this workspace. Contact its administrator.</p>
      </section>
    );
  }

  if (step.kind === "inbox") {
    return (
      <section className="card login-card" aria-labelledby="login-title">
        <h2 id="login-title">Check your inbox</h2>
        <CheckInbox
          pending={step.pending}
          auth={auth}
          login={login}
          onResent={(pending) => setStep({ kind: "inbox", pending })}
          onChangeAddress={() => go({ kind: "email", email: step.pending.email })}
        />
      </section>
    );
  }

  const switchTo =
    step.kind === "email" && sms ? (
      <button type="button" className="method" onClick={() => go({ kind: "phone" })}>
        <PhoneLogo /> Continue with phone
      </button>
    ) : step.kind === "phone" && email ? (
      <button type="button" className="method" onClick={() => go({ kind: "email", email: "" })}>
        <MailLogo /> Continue with e-mail
      </button>
    ) : null;
  const others = switchTo !== null || passkey || oauth.length > 0 || wallets;
  return (
    <section className="card login-card" aria-labelledby="login-title">
      <h2 id="login-title">{title}</h2>
      {step.kind === "email" ? (
        <StartForm
          key="email"
          label="Email"
          type="email"
          autoComplete={passkey ? "username webauthn" : "email"}
          placeholder="you@example.com"
          hint="We'll e-mail you a link and a code. New here? The same step creates your account."
          submitLabel="Continue"
          initialValue={step.email}
          autoFocus={step.email !== ""}
          onSubmit={async (address) => {
            const started = await auth.startEmail(address);
            go({
              kind: "inbox",
              pending: {
                email: address.toLowerCase(),
                codeToken: started.codeToken,
                expiresAt: new Date(started.expiresAt),
                resendAt: Date.now() + RESEND_COOLDOWN_MS,
              },
            });
          }}
        />
      ) : (
        <SmsLogin key="phone" auth={auth} login={login} />
      )}
      {others && <p className="divider">or</p>}
      <ul className="method-list" aria-label="Other ways to sign in">
        {switchTo && <li>{switchTo}</li>}
        {passkey && (
          <li>
            <PasskeyButton auth={auth} login={login} onError={setPasskeyError} />
          </li>
        )}
        {oauth.map((o) => (
          <li key={o.provider}>
            <a className="button method" href={auth.oauthStartUrl(o.provider, redirectTo)}>
              <ProviderLogo provider={o.provider} /> Continue with {o.label}
            </a>
          </li>
        ))}
      </ul>
      <p className="form-status error" role="status" aria-live="polite">
        {passkeyError}
      </p>
      {wallets && <WalletLogin auth={auth} login={login} allowed={allowed} appName={tenant.name} />}
    </section>
  );
}
