import type { AuthClient, Login, LoginMethod, OAuthProvider, Tenant } from "./auth.ts";
import { SmsLogin } from "./SmsLogin.tsx";
import { StartForm } from "./StartForm.tsx";

const OAUTH: { method: LoginMethod; provider: OAuthProvider; label: string }[] = [
  { method: "oauth:google", provider: "google", label: "Google" },
  { method: "oauth:github", provider: "github", label: "GitHub" },
  { method: "oauth:discord", provider: "discord", label: "Discord" },
  { method: "oauth:twitter", provider: "twitter", label: "X (Twitter)" },
];

// These flows need client-side signing (wallets, WebAuthn) that is not built yet; they are shown
// disabled rather than pretending to work.
const PENDING: { method: LoginMethod; label: string }[] = [
  { method: "passkey", label: "Passkey" },
  { method: "siwe", label: "Ethereum wallet" },
  { method: "siws", label: "Solana wallet" },
  { method: "arweave", label: "Arweave wallet" },
];

export function LoginCard({ tenant, auth, login }: { tenant: Tenant; auth: AuthClient; login: Login }) {
  const allowed = new Set(tenant.allowedMethods);
  const oauth = OAUTH.filter((o) => allowed.has(o.method));
  const pending = PENDING.filter((p) => allowed.has(p.method));
  const redirectTo = window.location.origin;

  if (allowed.size === 0) {
    return (
      <section className="card" aria-labelledby="login-title">
        <h2 id="login-title">Sign in</h2>
        <p className="notice">No sign-in methods are enabled for this workspace. Contact its administrator.</p>
      </section>
    );
  }

  return (
    <section className="card" aria-labelledby="login-title">
      <h2 id="login-title">Sign in</h2>
      {allowed.has("email") && (
        <StartForm
          label="Email"
          type="email"
          autoComplete="email"
          placeholder="you@example.com"
          submitLabel="Email me a link"
          sentMessage="Check your inbox — we sent you a sign-in link."
          onSubmit={auth.startEmail}
        />
      )}
      {allowed.has("sms") && <SmsLogin auth={auth} login={login} />}
      {(oauth.length > 0 || pending.length > 0) && (allowed.has("email") || allowed.has("sms")) && (
        <p className="divider">or continue with</p>
      )}
      {oauth.length > 0 && (
        <ul className="method-list">
          {oauth.map((o) => (
            <li key={o.provider}>
              <a className="button" href={auth.oauthStartUrl(o.provider, redirectTo)}>
                {o.label}
              </a>
            </li>
          ))}
        </ul>
      )}
      {pending.length > 0 && (
        <ul className="method-list">
          {pending.map((p) => (
            <li key={p.method}>
              <button
                type="button"
                className="pending"
                aria-disabled="true"
                title={`${p.label} sign-in is coming soon`}
              >
                {p.label} <span className="soon">coming soon</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
