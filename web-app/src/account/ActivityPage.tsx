import { useState } from "react";
import type { AccountApi, AuditEvent } from "../account-api.ts";
import { errorMessage } from "../api.ts";
import { describeAgent, formatDate, Loaded, Panel, useLoad } from "./ui.tsx";

const EVENT_TEXT: Record<string, string> = {
  login_success: "Signed in",
  login_failure: "Failed sign-in attempt",
  mfa_challenge: "Asked for a second factor",
  mfa_success: "Second factor verified",
  mfa_failure: "Wrong second factor",
  refresh_token_reuse: "A stolen session token was detected and the session ended",
  logout: "Signed out",
  logout_all: "Signed out everywhere",
  session_revoked: "Session revoked",
  pat_created: "Access token created",
  pat_revoked: "Access token revoked",
  passkey_added: "Passkey added",
  passkey_removed: "Passkey removed",
  identity_linked: "Sign-in method added",
  identity_unlinked: "Sign-in method removed",
  totp_enabled: "Two-step verification turned on",
  totp_disabled: "Two-step verification turned off",
  backup_codes_regenerated: "New backup codes made",
  backup_code_used: "Backup code used",
  rate_limited: "Too many attempts — slowed down",
  account_backoff: "Sign-ins paused after repeated failures",
  new_device: "Sign-in from a new device",
  risk_challenge: "Unusual sign-in — extra proof asked",
  risk_denied: "Unusual sign-in blocked",
  trusted_device_added: "Device trusted",
  trusted_device_revoked: "Device no longer trusted",
  magic_link_requested: "Sign-in link requested",
  sms_code_requested: "Sign-in code texted",
  data_exported: "Your data was exported",
  token_revoked: "Token revoked",
  billing_action: "Billing change",
  oidc_consent_granted: "You let an app use your account",
  oidc_consent_revoked: "You took an app's access away",
  oidc_client_created: "An app was registered to sign in with this workspace",
  oidc_client_updated: "A registered app's settings were changed",
  oidc_client_secret_rotated: "A registered app got a new secret",
  oidc_client_deleted: "A registered app was deleted",
  oidc_token_issued: "An app signed you in",
};

/** Why a sign-in looked risky, in words (the reasons service-auth's risk score adds up). */
export const RISK_REASON: Record<string, string> = {
  new_device: "first sign-in from this browser or device",
  new_country: "first sign-in from this country",
  impossible_travel: "too far from your last sign-in to have travelled there in time",
  ip_failure_velocity: "many failed attempts from this network in the last minutes",
  account_under_attack: "your account saw many failed attempts recently",
};

/** The event in words; an app's events name the app (and say whether it signed in or renewed). */
export function eventText(e: Pick<AuditEvent, "eventType" | "details">): string {
  const base = EVENT_TEXT[e.eventType] ?? e.eventType.replaceAll("_", " ");
  if (!e.eventType.startsWith("oidc_")) return base;
  const app = typeof e.details.clientName === "string" ? e.details.clientName : e.details.clientId;
  const renewed = e.eventType === "oidc_token_issued" && e.details.grantType === "refresh_token";
  const text = renewed ? "An app renewed its access to your account" : base;
  return typeof app === "string" && app !== "" ? `${text} (${app})` : text;
}

const reasonsOf = (e: AuditEvent): string[] =>
  Array.isArray(e.details.reasons) ? e.details.reasons.filter((r): r is string => typeof r === "string") : [];

function RiskNote({ event }: { event: AuditEvent }) {
  const reasons = reasonsOf(event);
  if (event.riskScore <= 0 && reasons.length === 0) return null;
  const level = event.riskScore >= 0.5 ? "high" : event.riskScore > 0 ? "medium" : "low";
  return (
    <details className={`risk ${level}`}>
      <summary>
        Risk {level} ({event.riskScore.toFixed(1)}) — why?
      </summary>
      {reasons.length > 0 ? (
        <ul>
          {reasons.map((r) => (
            <li key={r}>{RISK_REASON[r] ?? r.replaceAll("_", " ")}</li>
          ))}
        </ul>
      ) : (
        <p className="hint">This sign-in differed from your usual ones (device, place or recent failures).</p>
      )}
      <p className="hint">If this wasn't you, sign out everywhere and review your sign-in methods.</p>
    </details>
  );
}

/** The user's own security events, newest first, with risk flags explained. */
export function ActivityPage({ api }: { api: AccountApi }) {
  const { state, reload } = useLoad(() => api.audit());
  const [more, setMore] = useState<AuditEvent[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);

  return (
    <Panel title="Recent security activity">
      <Loaded state={state} retry={reload}>
        {(page) => {
          const items = [...page.items, ...more];
          const next = cursor === undefined ? page.nextCursor : cursor;
          if (items.length === 0) return <p className="notice">Nothing yet.</p>;
          return (
            <>
              <ol className="rows timeline">
                {items.map((e) => (
                  <li key={e.id} className="row">
                    <div>
                      <b>{eventText(e)}</b>
                      <p className="hint">
                        {formatDate(e.createdAt)} · {describeAgent(e.userAgent)} · {e.ipAddress}
                        {e.geoLocation ? ` · ${e.geoLocation}` : ""}
                      </p>
                      <RiskNote event={e} />
                    </div>
                  </li>
                ))}
              </ol>
              {next && (
                <button
                  type="button"
                  onClick={async () => {
                    try {
                      const p = await api.audit(next);
                      setMore((m) => [...m, ...p.items]);
                      setCursor(p.nextCursor);
                    } catch (e) {
                      setError(errorMessage(e));
                    }
                  }}
                >
                  Show older
                </button>
              )}
              {error && (
                <p className="form-status error" role="alert">
                  {error}
                </p>
              )}
            </>
          );
        }}
      </Loaded>
    </Panel>
  );
}
