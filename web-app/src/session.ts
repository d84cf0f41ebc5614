import { useSyncExternalStore } from "react";
import { ApiError } from "./api.ts";
import type { AuthClient, Session } from "./auth.ts";

/** What tabs of this origin tell each other (same-origin BroadcastChannel; nothing is stored). */
type Message = { type: "session"; session: Session } | { type: "ask" } | { type: "signed-out" };

const CHANNEL = "atlas-session";
const LOCK = "atlas-token-refresh";
/** How long a tab waits for another tab to share a fresh token before refreshing itself. */
const ASK_MS = 150;

/** The token's `exp` in epoch ms (read for scheduling only; the server verifies tokens). */
export function expiryOf(accessToken: string): number | null {
  try {
    const payload = accessToken.split(".")[1] ?? "";
    const json = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as { exp?: unknown; iat?: unknown };
    return typeof json.exp === "number" ? json.exp * 1000 : null;
  } catch {
    return null;
  }
}

function lifetimeOf(accessToken: string): number {
  try {
    const payload = JSON.parse(atob((accessToken.split(".")[1] ?? "").replace(/-/g, "+").replace(/_/g, "/"))) as {
      exp?: number;
      iat?: number;
    };
    if (typeof payload.exp === "number" && typeof payload.iat === "number") return (payload.exp - payload.iat) * 1000;
  } catch {
    // not a JWT: use the default below
  }
  return 15 * 60_000;
}

/** Renew this long before expiry: a fifth of the lifetime, at most a minute. */
const marginOf = (accessToken: string) => Math.min(60_000, lifetimeOf(accessToken) / 5);

interface Locks {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/**
 * The signed-in session of this tab, coordinated with the other tabs of the same browser.
 *
 * - The access token lives here, in memory only (never localStorage/sessionStorage); the refresh
 *   token stays in service-auth's HttpOnly cookie, which all tabs share.
 * - The refresh endpoint rotates the cookie on every use and treats a late re-use as theft, so
 *   tabs must not refresh independently: a refresh runs under a Web Lock (one tab at a time),
 *   first asks the other tabs for a token they already hold (a new tab needs no refresh of its
 *   own), and shares its result over a BroadcastChannel, so N tabs cause one rotation.
 * - A timer renews the token shortly before it expires; a tab that adopted a newer token from
 *   another tab reschedules instead.
 * - Signing out in one tab signs out all of them.
 */
export class SessionStore {
  private session: Session | null = null;
  private expiresAt = 0;
  private readonly listeners = new Set<() => void>();
  private refreshing: Promise<Session | null> | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly channel: BroadcastChannel | null;
  private readonly locks: Locks | null;
  private waiters = new Set<(s: Session) => void>();

  constructor(private readonly auth: AuthClient) {
    this.channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(CHANNEL) : null;
    this.channel?.addEventListener("message", (e: MessageEvent<Message>) => this.receive(e.data));
    const locks = (globalThis.navigator as { locks?: Locks } | undefined)?.locks;
    this.locks = locks && typeof locks.request === "function" ? locks : null;
  }

  get current(): Session | null {
    return this.session;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** A new session of this tab (a login, an MFA step-up): kept, scheduled and shared with the other tabs. */
  set(session: Session | null): void {
    this.adopt(session);
    this.post(session ? { type: "session", session } : { type: "signed-out" });
  }

  /**
   * A fresh access token, renewing the one that failed (`stale`) or the current one. Under the
   * lock: if another tab renewed meanwhile, that token is used; else the other tabs are asked
   * for one; only then is the refresh cookie presented. Null when signed out.
   */
  refresh(stale: string | null = this.session?.accessToken ?? null): Promise<Session | null> {
    this.refreshing ??= this.withLock(() => this.renew(stale)).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async renew(stale: string | null): Promise<Session | null> {
    // While this tab waited for the lock, another tab may have renewed and broadcast the token.
    if (this.session && this.session.accessToken !== stale && this.isFresh()) return this.session;
    const shared = await this.askPeers(stale);
    if (shared) return shared;
    try {
      const session = await this.auth.resume();
      this.set(session);
      return session;
    } catch (error) {
      // The cookie is gone, revoked or reused: signed out, here and in every tab. A network
      // failure keeps the session and tries again soon.
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
        if (this.session || stale) this.set(null);
        return null;
      }
      if (this.session) this.schedule(10_000);
      return null;
    }
  }

  private withLock<T>(task: () => Promise<T>): Promise<T> {
    return this.locks ? this.locks.request(LOCK, task) : task();
  }

  private isFresh(): boolean {
    return this.session !== null && this.expiresAt - Date.now() > marginOf(this.session.accessToken);
  }

  /** Another tab's fresh token, if one answers within ASK_MS. */
  private askPeers(stale: string | null): Promise<Session | null> {
    if (!this.channel) return Promise.resolve(null);
    return new Promise((resolve) => {
      const done = (s: Session | null) => {
        clearTimeout(timeout);
        this.waiters.delete(onSession);
        resolve(s);
      };
      const onSession = (s: Session) => {
        if (s.accessToken !== stale) done(s);
      };
      const timeout = setTimeout(() => done(null), ASK_MS);
      this.waiters.add(onSession);
      this.post({ type: "ask" });
    });
  }

  private receive(message: Message): void {
    if (message.type === "ask") {
      if (this.session && this.isFresh()) this.post({ type: "session", session: this.session });
      return;
    }
    if (message.type === "signed-out") {
      if (this.session) this.adopt(null);
      return;
    }
    const incoming = message.session;
    const expiry = expiryOf(incoming.accessToken) ?? 0;
    // Only a newer token replaces ours (messages may arrive out of order).
    if (!this.session || expiry > this.expiresAt) this.adopt(incoming);
    for (const waiter of [...this.waiters]) waiter(incoming);
  }

  private adopt(session: Session | null): void {
    this.session = session;
    this.expiresAt = session ? (expiryOf(session.accessToken) ?? Date.now() + 15 * 60_000) : 0;
    clearTimeout(this.timer);
    if (session) this.schedule(this.expiresAt - Date.now() - marginOf(session.accessToken));
    for (const l of this.listeners) l();
  }

  private schedule(inMs: number): void {
    clearTimeout(this.timer);
    // A little jitter keeps tabs whose timers match from reaching the lock at the same instant.
    this.timer = setTimeout(() => void this.refresh(), Math.max(1_000, inMs) + Math.random() * 1_000);
  }

  private post(message: Message): void {
    try {
      this.channel?.postMessage(message);
    } catch {
      // A closed channel (page unloading): nothing to tell.
    }
  }
}

export function useSession(store: SessionStore): Session | null {
  return useSyncExternalStore(store.subscribe, () => store.current);
}
