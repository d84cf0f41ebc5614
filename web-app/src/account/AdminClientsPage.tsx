import { useId, useMemo, useState } from "react";
import type { AccountApi } from "../account-api.ts";
import { errorMessage } from "../api.ts";
import { ClientForm } from "./ClientForm.tsx";
import { type AdminTenant, createOidcApi, type OidcClient } from "./oidc-api.ts";
import { useStepUp } from "./StepUp.tsx";
import { ConfirmButton, CopyButton, formatDate, Loaded, Panel, useLoad } from "./ui.tsx";

/** A secret shown once: at registration or after a rotation. */
interface Shown {
  clientId: string;
  name: string;
  secret: string;
  previousExpiresAt: string | null;
}

/**
 * Admin: the apps registered to sign users in with a tenant (OpenID clients). The secret is
 * shown once (stored hashed); rotating keeps the previous one working for an overlap.
 */
export function AdminClientsPage({ api, currentSlug }: { api: AccountApi; currentSlug: string }) {
  const oidc = useMemo(() => createOidcApi(api), [api]);
  const tenants = useLoad(oidc.tenants);
  const [chosen, setChosen] = useState<string | null>(null);
  const id = useId();
  return (
    <Loaded state={tenants.state} retry={tenants.reload}>
      {(list) => {
        // This workspace first; platform admins may pick another tenant.
        const tenant = list.find((t) => t.id === chosen) ?? list.find((t) => t.slug === currentSlug) ?? list[0];
        if (!tenant) return <p className="notice">There are no tenants to manage.</p>;
        return (
          <>
            {list.length > 1 && (
              <div className="start-form">
                <label htmlFor={`${id}-tenant`}>Tenant</label>
                <select id={`${id}-tenant`} value={tenant.id} onChange={(e) => setChosen(e.target.value)}>
                  {list.map((t) => (
                    <option key={t.id} value={t.id}>
                      {t.name} ({t.slug})
                    </option>
                  ))}
                </select>
              </div>
            )}
            <TenantClients key={tenant.id} oidc={oidc} tenant={tenant} />
          </>
        );
      }}
    </Loaded>
  );
}

function TenantClients({ oidc, tenant }: { oidc: ReturnType<typeof createOidcApi>; tenant: AdminTenant }) {
  const stepUp = useStepUp();
  const { state, reload } = useLoad(() => oidc.clients(tenant.id));
  const [shown, setShown] = useState<Shown | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function rotate(client: OidcClient) {
    setError(null);
    try {
      const r = await stepUp(() => oidc.rotateSecret(tenant.id, client.clientId, 3600));
      setShown({
        clientId: client.clientId,
        name: client.name,
        secret: r.clientSecret,
        previousExpiresAt: r.previousSecretExpiresAt,
      });
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  return (
    <>
      {shown && (
        <section className="panel created" aria-label="New client secret">
          <h2>Secret of “{shown.name}”</h2>
          <p className="notice">Copy it now — it won't be shown again.</p>
          <p>
            Client ID <code data-testid="client-id">{shown.clientId}</code>
          </p>
          <p className="secret">
            <code data-testid="client-secret">{shown.secret}</code>
          </p>
          {shown.previousExpiresAt && (
            <p className="hint">The previous secret keeps working until {formatDate(shown.previousExpiresAt)}.</p>
          )}
          <div className="button-row">
            <CopyButton text={shown.secret} label="Copy secret" />
            <button type="button" onClick={() => setShown(null)}>
              I've saved it
            </button>
          </div>
        </section>
      )}
      <Panel title={`Apps that sign in with ${tenant.name}`}>
        {error && (
          <p className="form-status error" role="alert">
            {error}
          </p>
        )}
        <Loaded state={state} retry={reload}>
          {(clients) =>
            clients.length === 0 ? (
              <p className="notice">No apps yet.</p>
            ) : (
              <ul className="rows">
                {clients.map((c) => (
                  <li key={c.clientId} className="row">
                    <div>
                      <b>{c.name}</b> {c.firstParty && <span className="badge ok">first party</span>}
                      <p className="hint">
                        <code>{c.clientId}</code> · {c.tokenEndpointAuthMethod} · {c.allowedScopes.join(" ")}
                      </p>
                      <p className="hint">Redirects to {c.redirectUris.join(", ")}</p>
                    </div>
                    <div className="button-row">
                      {c.tokenEndpointAuthMethod !== "private_key_jwt" && (
                        <ConfirmButton
                          label="Rotate secret"
                          question="Make a new secret? The current one keeps working for an hour."
                          confirmLabel="Rotate"
                          danger={false}
                          onConfirm={() => rotate(c)}
                        />
                      )}
                      <ConfirmButton
                        label="Delete"
                        question={`Delete “${c.name}”? Its users are signed out of it and it can no longer sign anyone in.`}
                        confirmLabel="Delete app"
                        onConfirm={async () => {
                          await stepUp(() => oidc.deleteClient(tenant.id, c.clientId));
                          reload();
                        }}
                      />
                    </div>
                  </li>
                ))}
              </ul>
            )
          }
        </Loaded>
      </Panel>
      <Panel title="Register an app">
        <ClientForm
          onCreate={async (input) => {
            const { client, clientSecret } = await stepUp(() => oidc.createClient(tenant.id, input));
            if (clientSecret) {
              setShown({ clientId: client.clientId, name: client.name, secret: clientSecret, previousExpiresAt: null });
            }
            reload();
          }}
        />
      </Panel>
    </>
  );
}
