import { useMemo } from "react";
import type { AccountApi } from "../account-api.ts";
import { scopeLines } from "../oidc/scopes.ts";
import { createOidcApi } from "./oidc-api.ts";
import { ConfirmButton, formatDate, Loaded, Panel, useLoad } from "./ui.tsx";

/**
 * Apps the user let use their account ("Sign in with <tenant>"): what each may see, since when,
 * and Revoke — which ends the app's access at once (its tokens stop working) and makes it ask
 * again next time.
 */
export function ConnectedAppsPage({ api }: { api: AccountApi }) {
  const oidc = useMemo(() => createOidcApi(api), [api]);
  const { state, reload } = useLoad(oidc.connectedApps);
  return (
    <Panel title="Apps you've let use your account">
      <Loaded state={state} retry={reload}>
        {(apps) =>
          apps.length === 0 ? (
            <p className="notice">
              No apps are connected. When you allow an app to use your account, it shows up here.
            </p>
          ) : (
            <ul className="rows">
              {apps.map((app) => (
                <li key={app.clientId} className="row">
                  <div>
                    <b>{app.name}</b>
                    <p className="hint">Allowed {formatDate(app.grantedAt)} to:</p>
                    <ul className="scope-list hint">
                      {scopeLines(app.scopes).map((line) => (
                        <li key={line.scope}>{line.text}</li>
                      ))}
                    </ul>
                  </div>
                  <ConfirmButton
                    label="Revoke"
                    question={`Take away ${app.name}'s access? It will be signed out and must ask again.`}
                    confirmLabel="Revoke access"
                    onConfirm={async () => {
                      await oidc.revokeApp(app.clientId);
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
  );
}
