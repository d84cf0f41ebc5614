import { useSyncExternalStore } from "react";
import { ApiError } from "./api.ts";
import type { AuthClient, Session } from "./auth.ts";

/**
 * The signed-in session of this tab. The access token lives here, in memory only (never in
 * localStorage/sessionStorage); the refresh token stays in service-auth's HttpOnly cookie.
 */
export class SessionStore {
  private session: Session | null = null;
  private readonly listeners = new Set<() => void>();
  private refreshing: Promise<Session | null> | null = null;

  constructor(private readonly auth: AuthClient) {}

  get current(): Session | null {
    return this.session;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  set(session: Session | null): void {
    this.session = session;
    for (const l of this.listeners) l();
  }

  /** A new access token from the refresh cookie (one request at a time); null when signed out. */
  refresh(_stale?: string): Promise<Session | null> {
    this.refreshing ??= this.auth
      .resume()
      .then(
        (s) => {
          this.set(s);
          return s;
        },
        (error: unknown) => {
          // The cookie is gone or revoked: signed out. A network failure keeps the session.
          if (error instanceof ApiError && (error.status === 401 || error.status === 403)) this.set(null);
          return null;
        },
      )
      .finally(() => {
        this.refreshing = null;
      });
    return this.refreshing;
  }
}

export function useSession(store: SessionStore): Session | null {
  return useSyncExternalStore(store.subscribe, () => store.current);
}
