import { useState } from "react";
import type { AccountApi, AuditEvent } from "../account-api.ts";
import { errorMessage } from "../api.ts";
import { eventText, RISK_REASON } from "./activity-labels.ts";
import { describeAgent, formatDate, Loaded, Panel, useLoad } from "./ui.tsx";

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
            <li key={r}>{RISK_REASON[r] ?? "another warning sign"}</li>
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
