import { type FormEvent, useId, useState } from "react";
import { errorMessage } from "../api.ts";
import { SCOPE_TEXT } from "../oidc/scopes.ts";
import type { AuthMethod, NewClient } from "./oidc-api.ts";
import { ScopeChoice } from "./ui.tsx";

const SCOPES = Object.keys(SCOPE_TEXT);
const METHODS: { value: AuthMethod; label: string }[] = [
  { value: "client_secret_basic", label: "Client secret (HTTP Basic) — most server apps" },
  { value: "client_secret_post", label: "Client secret (in the form body)" },
  { value: "private_key_jwt", label: "Private key JWT (the app's public keys, no secret)" },
];

const lines = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** Registers an app of the tenant: its redirect URIs (exact match), scopes, first-party flag, auth method. */
export function ClientForm({ onCreate }: { onCreate: (input: NewClient) => Promise<void> }) {
  const id = useId();
  const [name, setName] = useState("");
  const [redirects, setRedirects] = useState("");
  const [logoutRedirects, setLogoutRedirects] = useState("");
  const [scopes, setScopes] = useState<Set<string>>(new Set(["openid", "profile", "email"]));
  const [firstParty, setFirstParty] = useState(false);
  const [method, setMethod] = useState<AuthMethod>("client_secret_basic");
  const [jwks, setJwks] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    const redirectUris = lines(redirects);
    if (redirectUris.length === 0) return setError("Add at least one redirect URI.");
    if (!scopes.has("openid")) return setError("Apps that sign users in need the openid permission.");
    let keys: unknown;
    if (method === "private_key_jwt") {
      try {
        keys = JSON.parse(jwks);
      } catch {
        return setError('Paste the app\'s public keys as a JSON Web Key Set ({ "keys": [...] }).');
      }
    }
    setBusy(true);
    try {
      const logout = lines(logoutRedirects);
      await onCreate({
        name: name.trim(),
        redirectUris,
        ...(logout.length > 0 ? { postLogoutRedirectUris: logout } : {}),
        allowedScopes: SCOPES.filter((s) => scopes.has(s)),
        firstParty,
        tokenEndpointAuthMethod: method,
        ...(keys === undefined ? {} : { jwks: keys }),
      });
      setName("");
      setRedirects("");
      setLogoutRedirects("");
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="start-form" onSubmit={submit}>
      <label htmlFor={`${id}-name`}>App name</label>
      <input id={`${id}-name`} required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
      <label htmlFor={`${id}-redirects`}>Redirect URIs (one per line, matched exactly)</label>
      <textarea
        id={`${id}-redirects`}
        rows={2}
        placeholder="https://app.example.com/callback"
        value={redirects}
        onChange={(e) => setRedirects(e.target.value)}
      />
      <label htmlFor={`${id}-logout`}>After sign-out, back to (optional, one per line)</label>
      <textarea
        id={`${id}-logout`}
        rows={1}
        placeholder="https://app.example.com/"
        value={logoutRedirects}
        onChange={(e) => setLogoutRedirects(e.target.value)}
      />
      <ScopeChoice
        legend="What the app may ask for"
        options={SCOPES}
        text={SCOPE_TEXT}
        selected={scopes}
        onChange={setScopes}
      />
      <label className="checkbox">
        <input type="checkbox" checked={firstParty} onChange={(e) => setFirstParty(e.target.checked)} />
        Our own app (first party): users are not asked for consent
      </label>
      <label htmlFor={`${id}-method`}>How the app proves who it is</label>
      <select id={`${id}-method`} value={method} onChange={(e) => setMethod(e.target.value as AuthMethod)}>
        {METHODS.map((m) => (
          <option key={m.value} value={m.value}>
            {m.label}
          </option>
        ))}
      </select>
      {method === "private_key_jwt" && (
        <>
          <label htmlFor={`${id}-jwks`}>The app's public keys (JWKS)</label>
          <textarea id={`${id}-jwks`} rows={3} value={jwks} onChange={(e) => setJwks(e.target.value)} />
        </>
      )}
      <div className="button-row">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Registering…" : "Register app"}
        </button>
      </div>
      <p className="form-status error" role="status" aria-live="polite">
        {error}
      </p>
    </form>
  );
}
