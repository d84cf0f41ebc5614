import { useEffect, useRef } from "react";

/**
 * Where deleting the account ends: what happened, where the confirmation e-mail went, and the
 * way back to the sign-in page (which forgets the session this tab still holds in memory).
 */
export function AccountDeleted({
  tenantName,
  email,
  onDone,
}: {
  tenantName: string;
  /** The address the confirmation went to ("" when the account had none). */
  email: string;
  onDone: () => void;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `Account deleted · ${tenantName}`;
    heading.current?.focus();
  }, [tenantName]);
  return (
    <main className="page">
      <section className="card" aria-labelledby="account-deleted">
        <h1 id="account-deleted" ref={heading} tabIndex={-1}>
          Your account was deleted
        </h1>
        <p className="notice sent">
          Your sign-in methods, sessions, access tokens and passkeys are gone, and any subscription was canceled. Your
          activity history is kept without your name or addresses.
        </p>
        {email ? (
          <p>
            We sent a confirmation to <strong>{email}</strong>.
          </p>
        ) : null}
        <button type="button" className="primary" onClick={onDone}>
          Back to the sign-in page
        </button>
      </section>
    </main>
  );
}
