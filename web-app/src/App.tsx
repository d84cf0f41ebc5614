import { useCallback, useEffect, useMemo, useState } from "react";
import { AccountShell } from "./account/AccountShell.tsx";
import { ApiError, errorMessage } from "./api.ts";
import {
  type AuthClient,
  createAuthClient,
  type Login,
  type MfaChallenge,
  type MfaVerified,
  mfaChallengeOf,
  parseMfaMethods,
  type Session,
  type Tenant,
} from "./auth.ts";
import type { AppConfig } from "./config.ts";
import { DeviceApproval } from "./DeviceApproval.tsx";
import { LoginCard } from "./LoginCard.tsx";
import { MfaChallengeCard } from "./MfaChallenge.tsx";
import { clearPendingMfa, loadPendingMfa, savePendingMfa } from "./pending-mfa.ts";
import {
  currentTarget,
  DEVICE_PATH,
  deviceCodeOf,
  deviceReason,
  isAppPath,
  safeReturnPath,
  signInReason,
} from "./return-to.ts";
import { navigate, usePath } from "./router.ts";
import { SessionStore, useSession } from "./session.ts";

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

/** What a redirect back to the app carried: a magic link, a link confirming an e-mail to add, or
 * the OAuth callback's outcome (login, MFA step, error, or a provider linked to the account). */
type Return =
  | { kind: "none" }
  | { kind: "magic-link"; token: string }
  | { kind: "link-email"; token: string }
  | { kind: "linked"; provider: string }
  | { kind: "mfa"; challenge: MfaChallenge }
  | { kind: "error"; code: string };

/**
 * Reads (once) what the address bar brought. The secrets leave the address bar at once, so they
 * are neither bookmarked nor kept in history; the rest of the query (a page's own, such as the
 * device page's `user_code`) stays. Without anything in the address bar, a login's pending MFA
 * step kept in this tab (a reload during the challenge) resumes.
 */
function takeReturn(): Return {
  const url = new URL(window.location.href);
  const token = url.searchParams.get("token");
  const error = url.searchParams.get("error");
  const linked = url.searchParams.get("linked");
  const fragment = new URLSearchParams(url.hash.slice(1));
  const rest = new URLSearchParams(url.search);
  for (const key of ["token", "error", "linked"]) rest.delete(key);
  const query = rest.toString();
  const kept = query ? `${url.pathname}?${query}` : url.pathname;
  const clean = (to = kept) => window.history.replaceState(null, "", to);
  if (url.pathname === "/auth/callback" && token) {
    clean("/");
    clearPendingMfa();
    return { kind: "magic-link", token };
  }
  if (url.pathname === "/account/link-email" && token) {
    clean("/account");
    return { kind: "link-email", token };
  }
  if (linked) {
    clean();
    return { kind: "linked", provider: linked };
  }
  if (!error) {
    const pending = loadPendingMfa();
    return pending ? { kind: "mfa", challenge: pending } : { kind: "none" };
  }
  clean();
  const mfaToken = fragment.get("mfaToken");
  if (error === "MFA_REQUIRED" && mfaToken) {
    const challenge = { mfaToken, methods: parseMfaMethods(fragment.get("methods")), detail: "" };
    savePendingMfa(challenge);
    return { kind: "mfa", challenge };
  }
  return { kind: "error", code: error };
}

const RETURN_ERRORS: Record<string, string> = {
  INVALID_CREDENTIALS: "Signing in with that provider didn't complete. Please try again.",
  CONFLICT: "That account is already linked to another user.",
  FORBIDDEN: "This sign-in was blocked for your protection. Try again later or use another method.",
  METHOD_NOT_ALLOWED_FOR_TENANT: "That sign-in method isn't available here.",
  RATE_LIMITED: "Too many attempts. Please wait a moment and try again.",
  ACCOUNT_LOCKED: "This account is locked for your protection. Try again later.",
  MFA_REQUIRED: "A second factor is required, but the verification step was lost. Please sign in again.",
};

function returnErrorText(code: string): string {
  return RETURN_ERRORS[code] ?? `Sign-in didn't complete (${code.slice(0, 40)}). Please try again.`;
}

const PROVIDER_NAMES: Record<string, string> = { google: "Google", github: "GitHub", discord: "Discord", twitter: "X" };

type Notice = { tone: "error" | "info"; text: string };

function initialNotice(arrival: Return): Notice | null {
  if (arrival.kind === "error") return { tone: "error", text: returnErrorText(arrival.code) };
  if (arrival.kind === "linked") {
    return {
      tone: "info",
      text: `${PROVIDER_NAMES[arrival.provider] ?? arrival.provider} is now linked to your account.`,
    };
  }
  return null;
}

/** Goes (in place) to the page a sign-in flow carried back, if it is a safe one of this app. */
function restoreTarget(raw: unknown): void {
  const target = safeReturnPath(raw, window.location.origin);
  if (target) navigate(target, { replace: true });
}

export function App({ config }: { config: AppConfig }) {
  const auth = useMemo(() => createAuthClient(config), [config]);
  const store = useMemo(() => new SessionStore(auth), [auth]);
  const { state, retry } = useTenant(auth);
  const health = useHealth(auth);
  const path = usePath();
  const [arrival] = useState(takeReturn);
  const session = useSession(store);
  const [challenge, setChallenge] = useState<MfaChallenge | null>(arrival.kind === "mfa" ? arrival.challenge : null);
  const [notice, setNotice] = useState<Notice | null>(() => initialNotice(arrival));
  const [linkToken, setLinkToken] = useState<string | null>(arrival.kind === "link-email" ? arrival.token : null);
  // Until the refresh cookie (or the link) has been tried, the sign-in form would only flash.
  const [starting, setStarting] = useState(arrival.kind !== "mfa");

  const onSession = useCallback(
    (s: Session) => {
      clearPendingMfa();
      setChallenge(null);
      store.set(s);
    },
    [store],
  );
  const login: Login = useCallback(
    async (attempt) => {
      try {
        onSession(await attempt());
      } catch (error) {
        const c = mfaChallengeOf(error);
        if (!c) throw error;
        setNotice(null);
        savePendingMfa(c);
        setChallenge(c);
      }
    },
    [onSession],
  );

  useEffect(() => {
    if (arrival.kind === "mfa") return;
    // A magic link signs in; anything else resumes: from another open tab's token if one has
    // it, else from the refresh cookie (see SessionStore).
    const start =
      arrival.kind === "magic-link"
        ? login(async () => {
            // The page the sign-in started from comes back with the link's login (or with its
            // MFA step, so the challenge is answered there).
            try {
              const { session, redirectTo } = await auth.verifyMagicLink(arrival.token);
              restoreTarget(redirectTo);
              return session;
            } catch (error) {
              if (error instanceof ApiError) restoreTarget(error.extras.redirectTo);
              throw error;
            }
          }).catch((e: unknown) => {
            setNotice({ tone: "error", text: errorMessage(e) });
          })
        : store.refresh(null);
    void start.finally(() => setStarting(false));
  }, [auth, store, arrival, login]);

  // Signed in on the sign-in page: go to its validated `?next=` page, else the account; signed
  // out on an app page: stay, to come back to it.
  useEffect(() => {
    if (session && !isAppPath(path)) navigate(currentTarget() ?? "/account", { replace: true });
  }, [session, path]);

  const onVerified = useCallback(
    (result: MfaVerified) => {
      onSession(result.session);
      if (result.backupCodesRemaining !== null) {
        const n = result.backupCodesRemaining;
        setNotice({
          tone: "info",
          text: `You used a backup code. ${n} ${n === 1 ? "code is" : "codes are"} left — make new ones in your security settings if you're running low.`,
        });
      }
    },
    [onSession],
  );

  const cancelChallenge = useCallback(() => {
    clearPendingMfa();
    setChallenge(null);
  }, []);

  const signedOut = useCallback(() => {
    clearPendingMfa();
    setNotice(null);
    store.set(null);
    navigate("/", { replace: true });
  }, [store]);

  useEffect(() => {
    if (state.kind === "ready") document.title = `${session ? "Account" : "Sign in"} · ${state.tenant.name}`;
  }, [state, session]);

  const ready = state.kind === "ready" ? state.tenant : null;
  // Why the sign-in page is shown (path is a dependency: the reason follows navigation).
  const target = path && !session ? currentTarget() : null;
  // A device approval names who asks once service-auth has answered ("… Atlas CLI on ada-laptop").
  const deviceCode = deviceCodeOf(target, window.location.origin);
  const [device, setDevice] = useState<{ code: string; text: string } | null>(null);
  useEffect(() => {
    if (!deviceCode) return;
    let live = true;
    auth.previewDevice(deviceCode).then(
      (preview) => live && setDevice({ code: deviceCode, text: deviceReason(preview) }),
      () => {}, // unknown or expired code: the generic words stay; the approval page says why
    );
    return () => {
      live = false;
    };
  }, [auth, deviceCode]);
  const reason =
    device && device.code === deviceCode ? device.text : target ? signInReason(target, window.location.origin) : null;
  const banner = notice && (
    <p className={`banner ${notice.tone}`} role={notice.tone === "error" ? "alert" : "status"}>
      {notice.text}
      <button type="button" className="link" onClick={() => setNotice(null)} aria-label="Dismiss">
        ×
      </button>
    </p>
  );
  if (ready && session && path.startsWith(DEVICE_PATH)) {
    // `atlas login` sent the user here: approve or deny the device, nothing else on the page.
    return (
      <main className="page">
        <header className="brand">
          <h1>{ready.name}</h1>
        </header>
        {banner}
        <DeviceApproval session={session} config={config} />
        <footer>
          <StatusLine health={health} />
        </footer>
      </main>
    );
  }
  if (ready && session) {
    return (
      <AccountShell
        config={config}
        auth={auth}
        store={store}
        session={session}
        tenant={ready}
        path={path}
        banner={banner}
        linkToken={linkToken}
        onLinkTokenUsed={() => setLinkToken(null)}
        onSignedOut={signedOut}
      />
    );
  }
  return (
    <main className="page">
      <header className="brand">
        <h1>{ready ? ready.name : "Atlas"}</h1>
      </header>
      {(state.kind === "loading" || (ready && starting)) && (
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
      {banner}
      {ready && !starting && challenge && (
        <MfaChallengeCard
          challenge={challenge}
          auth={auth}
          purpose="login"
          issuer={ready.name}
          onVerified={onVerified}
          onCancel={cancelChallenge}
        />
      )}
      {ready && !starting && !challenge && reason && (
        <p className="notice reason" role="status">
          {reason}
        </p>
      )}
      {ready && !starting && !challenge && <LoginCard tenant={ready} auth={auth} login={login} />}
      <footer>
        <StatusLine health={health} />
      </footer>
    </main>
  );
}
