import { useState } from "react";
import type { AuthClient, Session } from "./auth.ts";

/** Who is signed in, and the way out. */
export function SignedIn({
  session,
  auth,
  onSignedOut,
}: {
  session: Session;
  auth: AuthClient;
  onSignedOut: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const who = session.user.email ?? session.user.phone ?? session.user.id;
  async function signOut() {
    setBusy(true);
    // Whatever the server answers, the page forgets the tokens.
    await auth.logout(session).catch(() => {});
    onSignedOut();
  }
  return (
    <section className="card" aria-labelledby="signed-in-title">
      <h2 id="signed-in-title">You're signed in</h2>
      <p className="notice">
        Signed in as <strong>{who}</strong>.
      </p>
      <button type="button" className="primary" onClick={signOut} disabled={busy}>
        {busy ? "Signing out…" : "Sign out"}
      </button>
    </section>
  );
}
