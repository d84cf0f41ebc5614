import { parseSession, type Session } from "../auth.ts";
import { expiryOf } from "../session.ts";

// Where the hosted login (an OpenID client's "Sign in with <tenant>") keeps what it needs, apart
// from the web-app's own session:
// - No refresh token at all: the hosted login's calls omit credentials, so the browser never
//   stores that tenant's refresh cookie (the one cookie name would replace the user's own web-app
//   session) and, the request having an Origin, the body never carries one either.
// - The access token (15 minutes) in this tab's sessionStorage, per tenant: the provider's round
//   trip between the login and the consent prompt is a full page load, and the consent must be
//   given by the same user. It is dropped when the flow ends (consent given or refused) and is
//   ignored once expired; a fresh tab has none and signs in again.
// - A magic link requested from the hosted page comes back to `/auth/callback` (links carry no
//   tenant); the interaction it belongs to is remembered (slug and uid, no secret) in
//   localStorage for the link's lifetime, since the link opens in a new tab of the same browser —
//   the only browser that holds the provider's interaction cookie anyway.

const TOKEN_KEY = (slug: string) => `atlas-oidc-token:${slug}`;
const PENDING_KEY = "atlas-oidc-pending";
/** A magic link lives 15 minutes. */
const PENDING_MS = 15 * 60_000;

function storage(kind: "session" | "local"): Storage | null {
  try {
    return kind === "session" ? window.sessionStorage : window.localStorage;
  } catch {
    return null;
  }
}

/** The tab's token for `slug`, unless missing or about to expire. */
export function heldSession(slug: string): Session | null {
  const raw = storage("session")?.getItem(TOKEN_KEY(slug));
  if (!raw) return null;
  try {
    const session = parseSession(JSON.parse(raw));
    const exp = expiryOf(session.accessToken);
    return exp !== null && exp - Date.now() > 30_000 ? session : null;
  } catch {
    return null;
  }
}

export function holdSession(slug: string, session: Session | null): void {
  const store = storage("session");
  if (!session) store?.removeItem(TOKEN_KEY(slug));
  else store?.setItem(TOKEN_KEY(slug), JSON.stringify(session));
}

export interface PendingLink {
  slug: string;
  uid: string;
}

/** Remembers which interaction a magic link requested now belongs to. */
export function rememberPendingLink(pending: PendingLink): void {
  storage("local")?.setItem(PENDING_KEY, JSON.stringify({ ...pending, until: Date.now() + PENDING_MS }));
}

/** The interaction of a magic link that just arrived, once (it is forgotten when read). */
export function takePendingLink(): PendingLink | null {
  const store = storage("local");
  const raw = store?.getItem(PENDING_KEY);
  if (!raw) return null;
  store?.removeItem(PENDING_KEY);
  try {
    const p = JSON.parse(raw) as { slug?: unknown; uid?: unknown; until?: unknown };
    if (typeof p.slug !== "string" || typeof p.uid !== "string" || typeof p.until !== "number") return null;
    return p.until > Date.now() ? { slug: p.slug, uid: p.uid } : null;
  } catch {
    return null;
  }
}
