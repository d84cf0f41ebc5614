import { useCallback, useEffect, useMemo, useState } from "react";
import { ApiError } from "./api.ts";
import { type AuthClient, createAuthClient, type Session, type Tenant } from "./auth.ts";
import type { AppConfig } from "./config.ts";
import { DEVICE_PATH, DeviceApproval } from "./DeviceApproval.tsx";
import { LoginCard } from "./LoginCard.tsx";
import { SignedIn } from "./SignedIn.tsx";

type TenantState = { kind: "loading" } | { kind: "ready"; tenant: Tenant } | { kind: "error"; message: string };

type Health = "checking" | "up" | "down";

function useTenant(auth: AuthClient) {
  const [state, setState] = useState<TenantState>({ kind: "loading" });

  const load = useCallback(
    (signal?: AbortSignal) => {
      setState({ kind: "loading" });
      auth.currentTenant(signal).then(
        (tenant) => setState({ kind: "ready", tenant }),
        (error: unknown) => {
          if (signal?.aborted) return;
          const message = error instanceof ApiError ? error.detail : "Could not load this workspace.";
          setState({ kind: "error", message });
        },
      );
    },
    [auth],
  );

  useEffect(() => {
    const controller = new AbortController();
    load(controller.signal);
    return () => controller.abort();
  }, [load]);

  const retry = useCallback(() => load(), [load]);
  return { state, retry };
}

function useHealth(auth: AuthClient): Health {
  const [health, setHealth] = useState<Health>("checking");
  useEffect(() => {
    const controller = new AbortController();
    auth.health(controller.signal).then(
      () => setHealth("up"),
      () => !controller.signal.aborted && setHealth("down"),
    );
    return () => controller.abort();
  }, [auth]);
  return health;
}

const HEALTH_TEXT: Record<Health, string> = {
  checking: "Checking sign-in service…",
  up: "Sign-in service is online",
  down: "Sign-in service is unreachable",
};

function StatusLine({ health }: { health: Health }) {
  return (
    <p className={`status-line ${health}`} role="status" aria-live="polite">
      <span className="dot" aria-hidden="true" />
      {HEALTH_TEXT[health]}
    </p>
  );
}

/** The magic link lands on /auth/callback?token=…: exchange it once, then drop it from the URL. */
function useMagicLinkCallback(auth: AuthClient, onSession: (s: Session) => void): string | null {
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const url = new URL(window.location.href);
    const token = url.searchParams.get("token");
    if (url.pathname !== "/auth/callback" || !token) return;
    window.history.replaceState(null, "", "/");
    auth.verifyEmail(token).then(onSession, (e: unknown) => {
      setError(e instanceof ApiError ? e.detail : "This sign-in link could not be used.");
    });
  }, [auth, onSession]);
  return error;
}

/** After a reload, the refresh cookie (if any) restores the session. */
function useResume(auth: AuthClient, onSession: (s: Session) => void) {
  useEffect(() => {
    if (new URL(window.location.href).pathname === "/auth/callback") return;
    auth.resume().then(onSession, () => {});
  }, [auth, onSession]);
}

export function App({ config }: { config: AppConfig }) {
  const auth = useMemo(() => createAuthClient(config), [config]);
  const { state, retry } = useTenant(auth);
  const health = useHealth(auth);
  const [session, setSession] = useState<Session | null>(null);
  const onSession = useCallback((s: Session) => setSession(s), []);
  const linkError = useMagicLinkCallback(auth, onSession);
  useResume(auth, onSession);

  useEffect(() => {
    if (state.kind === "ready") document.title = `Sign in · ${state.tenant.name}`;
  }, [state]);

  return (
    <main className="page">
      <header className="brand">
        <h1>{state.kind === "ready" ? state.tenant.name : "Atlas"}</h1>
      </header>
      {state.kind === "loading" && (
        <section className="card" aria-busy="true">
          <p className="notice">Loading…</p>
        </section>
      )}
      {state.kind === "error" && (
        <section className="card" role="alert">
          <h2>We couldn't load sign-in</h2>
          <p className="notice error">{state.message}</p>
          <button type="button" className="primary" onClick={retry}>
            Try again
          </button>
        </section>
      )}
      {linkError && !session && (
        <p className="notice error" role="alert">
          {linkError}
        </p>
      )}
      {state.kind === "ready" && session && window.location.pathname === DEVICE_PATH && (
        <DeviceApproval session={session} config={config} />
      )}
      {state.kind === "ready" && session && (
        <SignedIn session={session} auth={auth} onSignedOut={() => setSession(null)} />
      )}
      {state.kind === "ready" && !session && <LoginCard tenant={state.tenant} auth={auth} onSession={onSession} />}
      <footer>
        <StatusLine health={health} />
      </footer>
    </main>
  );
}
