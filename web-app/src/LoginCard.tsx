import { useCallback, useState } from "react";
import { type AuthClient, type Login, OAUTH_METHODS, type Tenant } from "./auth.ts";
import { PasskeyButton, usePasskeyAutofill } from "./PasskeyLogin.tsx";
import { SmsLogin } from "./SmsLogin.tsx";
import { StartForm } from "./StartForm.tsx";
import { WalletLogin } from "./WalletLogin.tsx";

/** The sign-in card: exactly the methods the tenant allows (and the server can serve). */
export function LoginCard({
  tenant,
  auth,
  login,
  redirectTo = window.location.origin,
  title = "Sign in",
}: {
  tenant: Tenant;
  auth: AuthClient;
  login: Login;
  /** Where an OAuth login comes back to (default: this app). */
  redirectTo?: string;
  title?: string;
}) {
  const allowed = new Set(tenant.allowedMethods);
  const oauth = OAUTH_METHODS.filter((o) => allowed.has(o.method));
  const passkey = allowed.has("passkey");
  const wallets = allowed.has("siwe") || allowed.has("siws") || allowed.has("arweave");
  const [passkeyError, setPasskeyError] = useState<string | null>(null);
  const onAutofillError = useCallback((m: string) => setPasskeyError(m), []);
  // Conditional UI rides on the e-mail field; without one there is nothing to autofill.
  usePasskeyAutofill(auth, login, passkey && allowed.has("email"), onAutofillError);

  if (allowed.size === 0) {
    return (
      <section className="card" aria-labelledby="login-title">
        <h2 id="login-title">{title}</h2>
        <p className="notice">No sign-in methods are enabled for this workspace. Contact its administrator.</p>
      </section>
    );
  }

  const others = passkey || oauth.length > 0 || wallets;
  return (
    <section className="card" aria-labelledby="login-title">
      <h2 id="login-title">{title}</h2>
      {allowed.has("email") && (
        <StartForm
          label="Email"
          type="email"
          autoComplete={passkey ? "username webauthn" : "email"}
          placeholder="you@example.com"
          hint={passkey ? "Or pick a saved passkey from the suggestions." : undefined}
          submitLabel="Email me a link"
          sentMessage="Check your inbox — we sent you a sign-in link."
          onSubmit={auth.startEmail}
        />
      )}
      {allowed.has("sms") && <SmsLogin auth={auth} login={login} />}
      {others && (allowed.has("email") || allowed.has("sms")) && <p className="divider">or continue with</p>}
      {passkey && (
        <div className="method-block">
          <PasskeyButton auth={auth} login={login} onError={setPasskeyError} />
          <p className="form-status error" role="status" aria-live="polite">
            {passkeyError}
          </p>
        </div>
      )}
      {oauth.length > 0 && (
        <ul className="method-list" aria-label="Sign in with an account you have elsewhere">
          {oauth.map((o) => (
            <li key={o.provider}>
              <a className="button" href={auth.oauthStartUrl(o.provider, redirectTo)}>
                {o.label}
              </a>
            </li>
          ))}
        </ul>
      )}
      {wallets && <WalletLogin auth={auth} login={login} allowed={allowed} appName={tenant.name} />}
    </section>
  );
}
