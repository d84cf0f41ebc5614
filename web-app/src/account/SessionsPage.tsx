import { useState } from "react";
import type { AccountApi } from "../account-api.ts";
import { Ago, amrText, ConfirmButton, describeAgent, formatDate, Loaded, Panel, useLoad } from "./ui.tsx";

/**
 * Where the user is signed in, with revoke and "log out everywhere" (which also forgets trusted
 * devices, and on request revokes the personal access tokens).
 */
export function SessionsPage({ api, onSignedOut }: { api: AccountApi; onSignedOut: () => void }) {
  const { state, reload } = useLoad(api.sessions);
  const [includePats, setIncludePats] = useState(false);
  return (
    <Panel
      title="Where you're signed in"
      actions={
        <div className="button-row">
          <label className="checkbox">
            <input type="checkbox" checked={includePats} onChange={(e) => setIncludePats(e.target.checked)} />
            Also revoke access tokens
          </label>
          <ConfirmButton
            label="Log out everywhere"
            question={
              includePats
                ? "Sign out of every device, forget trusted devices and revoke every access token?"
                : "Sign out of every device, this one included, and forget trusted devices?"
            }
            confirmLabel="Log out everywhere"
            onConfirm={async () => {
              await api.logoutAll(includePats);
              onSignedOut();
            }}
          />
        </div>
      }
    >
      <Loaded state={state} retry={reload}>
        {({ items }) =>
          items.length === 0 ? (
            <p className="notice">No active sessions.</p>
          ) : (
            <ul className="rows">
              {items.map((s) => (
                <li key={s.id} className="row">
                  <div>
                    <b>{describeAgent(s.userAgent)}</b> {s.current && <span className="badge ok">this device</span>}
                    <p className="hint">
                      {s.ipAddress ?? "unknown IP"} · signed in {formatDate(s.createdAt)} with {amrText(s.amr)} · active{" "}
                      <Ago iso={s.lastSeenAt} />
                    </p>
                  </div>
                  {s.current ? (
                    <ConfirmButton
                      label="Sign out"
                      question="Sign out of this device?"
                      confirmLabel="Sign out"
                      onConfirm={async () => {
                        await api.logout();
                        onSignedOut();
                      }}
                    />
                  ) : (
                    <ConfirmButton
                      label="Revoke"
                      question="Sign this device out?"
                      confirmLabel="Revoke session"
                      onConfirm={async () => {
                        await api.revokeSession(s.id);
                        reload();
                      }}
                    />
                  )}
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
    </Panel>
  );
}
