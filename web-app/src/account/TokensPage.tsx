import { USER_SCOPES, type UserScope } from "@atlas/client";
import { type FormEvent, useId, useState } from "react";
import type { AccountApi } from "../account-api.ts";
import { errorMessage } from "../api.ts";
import { useStepUp } from "./StepUp.tsx";
import { Ago, ConfirmButton, CopyButton, formatDate, Loaded, Panel, ScopeChoice, useLoad } from "./ui.tsx";

const SCOPE_TEXT: Record<UserScope, string> = {
  "profile:read": "Read your profile",
  "objects:read": "Read stored objects",
  "objects:write": "Create and delete stored objects",
  "usage:read": "Read usage",
  "billing:read": "Read invoices and billing",
};

const EXPIRY = [
  { days: 7, label: "7 days" },
  { days: 30, label: "30 days" },
  { days: 90, label: "90 days" },
  { days: 365, label: "1 year" },
  { days: 0, label: "Never" },
];

/** Personal access tokens: create (scopes, expiry; the secret shown once), list, revoke. */
export function TokensPage({ api }: { api: AccountApi }) {
  const id = useId();
  const stepUp = useStepUp();
  const { state, reload } = useLoad(api.pats);
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<Set<UserScope>>(new Set(["profile:read"]));
  const [expiry, setExpiry] = useState(30);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (scopes.size === 0) {
      setError("Pick at least one permission.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const input = {
        name: name.trim(),
        scopes: USER_SCOPES.filter((s) => scopes.has(s)),
        ...(expiry > 0 ? { expiresInDays: expiry } : {}),
      };
      const pat = await stepUp(() => api.createPat(input));
      setCreated({ name: pat.name, token: pat.token });
      setName("");
      reload();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      {created && (
        <section className="panel created" aria-labelledby={`${id}-created`}>
          <h2 id={`${id}-created`}>Token “{created.name}” created</h2>
          <p className="notice">
            Copy it now — it won't be shown again. Send it in the <code>Authorization</code> header as{" "}
            <code>Bearer</code> followed by the token.
          </p>
          <p className="secret">
            <code data-testid="new-token">{created.token}</code>
          </p>
          <div className="button-row">
            <CopyButton text={created.token} label="Copy token" />
            <button type="button" onClick={() => setCreated(null)}>
              I've saved it
            </button>
          </div>
        </section>
      )}
      <Panel title="Personal access tokens">
        <p className="hint">Tokens let scripts and tools use the API as you, with only the permissions you pick.</p>
        <Loaded state={state} retry={reload}>
          {({ items }) =>
            items.length === 0 ? (
              <p className="notice">No tokens yet.</p>
            ) : (
              <ul className="rows">
                {items.map((p) => (
                  <li key={p.id} className="row">
                    <div>
                      <b>{p.name}</b> <code>{p.displayPrefix}…</code>
                      <p className="hint">
                        {p.scopes.join(", ")} · created {formatDate(p.createdAt)} ·{" "}
                        {p.expiresAt ? `expires ${formatDate(p.expiresAt)}` : "never expires"} · last used{" "}
                        <Ago iso={p.lastUsedAt} />
                      </p>
                    </div>
                    <ConfirmButton
                      label="Revoke"
                      question={`Revoke “${p.name}”? Anything using it stops working.`}
                      confirmLabel="Revoke token"
                      onConfirm={async () => {
                        await api.revokePat(p.id);
                        reload();
                      }}
                    />
                  </li>
                ))}
              </ul>
            )
          }
        </Loaded>
      </Panel>
      <Panel title="Create a token">
        <form className="start-form" onSubmit={create}>
          <label htmlFor={`${id}-name`}>Token name</label>
          <input
            id={`${id}-name`}
            required
            maxLength={100}
            placeholder="e.g. Backup script"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          <ScopeChoice
            legend="Permissions"
            options={USER_SCOPES}
            text={SCOPE_TEXT}
            selected={scopes}
            onChange={setScopes}
          />
          <label htmlFor={`${id}-expiry`}>Expires after</label>
          <select id={`${id}-expiry`} value={expiry} onChange={(e) => setExpiry(Number(e.target.value))}>
            {EXPIRY.map((x) => (
              <option key={x.days} value={x.days}>
                {x.label}
              </option>
            ))}
          </select>
          <div className="button-row">
            <button type="submit" className="primary" disabled={busy}>
              {busy ? "Creating…" : "Create token"}
            </button>
          </div>
          <p className="form-status error" role="status" aria-live="polite">
            {error}
          </p>
        </form>
      </Panel>
    </>
  );
}
