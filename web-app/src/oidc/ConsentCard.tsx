import { useEffect, useRef } from "react";
import type { Interaction } from "./interaction-api.ts";
import { scopeLines } from "./scopes.ts";

/** The consent prompt: which app, what it may see, where it sends you back; Allow or Deny. */
export function ConsentCard({
  interaction,
  onAllow,
  onDeny,
}: {
  interaction: Interaction;
  onAllow: () => void;
  onDeny: () => void;
}) {
  const { client } = interaction;
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section className="card consent" aria-labelledby="consent-title">
      <div className="consent-app">
        {client.logoUri && <img className="client-logo" src={client.logoUri} alt="" width={40} height={40} />}
        <h2 id="consent-title" ref={heading} tabIndex={-1}>
          {client.name} wants to use your {interaction.tenant.name} account
        </h2>
      </div>
      <p>If you allow it, {client.name} will be able to:</p>
      <ul className="scope-list">
        {scopeLines(interaction.scopes).map((line) => (
          <li key={line.scope}>{line.text}</li>
        ))}
      </ul>
      <p className="hint">
        You'll go back to <strong>{client.redirectHost}</strong>. You can take this access back at any time under
        Account → Connected apps.
      </p>
      <div className="actions">
        <button type="button" className="primary" onClick={onAllow}>
          Allow
        </button>
        <button type="button" onClick={onDeny}>
          Deny
        </button>
      </div>
    </section>
  );
}
