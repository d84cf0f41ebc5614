import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { ApiError, errorMessage } from "../api.ts";
import { createAuthClient, type Login, type MfaChallenge, mfaChallengeOf, type Session } from "../auth.ts";
import type { AppConfig } from "../config.ts";
import { LoginCard } from "../LoginCard.tsx";
import { MfaChallengeCard } from "../MfaChallenge.tsx";
import { BrandFrame } from "./brand.tsx";
import { ConsentCard } from "./ConsentCard.tsx";
import { createInteractionApi, type Interaction } from "./interaction-api.ts";
import { heldSession, holdSession, rememberPendingLink } from "./op-session.ts";

/** How the page was reached besides the provider's redirect: a magic link, or an OAuth login's return. */
export type Arrival =
  | { kind: "none" }
  | { kind: "magic-link"; token: string }
  | { kind: "oauth" }
  | { kind: "oauth-mfa"; challenge: MfaChallenge }
  | { kind: "error"; code: string };

type Load = { kind: "loading" } | { kind: "ready"; interaction: Interaction } | { kind: "error"; message: string };
type Step =
  | { kind: "signin" }
  | { kind: "mfa"; challenge: MfaChallenge; purpose: "login" | "step_up" }
  | { kind: "consent" }
  | { kind: "busy"; text: string };

const EXPIRED = "This sign-in request has expired or was already used. Go back to the app and start again.";

/**
 * `/oidc/<slug>/<uid>`: an app of tenant `slug` sent the user here to sign in ("Sign in with
 * <tenant>") or to approve what it asks for. The page wears the tenant's brand, offers that
 * tenant's login methods (MFA and step-up included) and hands the provider the user's access
 * token; then the browser goes back to service-auth, which continues the authorization.
 */
export function HostedPage({
  config,
  slug,
  uid,
  arrival,
}: {
  config: AppConfig;
  slug: string;
  uid: string;
  arrival: Arrival;
}) {
  const here = `${window.location.origin}/oidc/${encodeURIComponent(slug)}/${encodeURIComponent(uid)}`;
  const auth = useMemo(
    () => createAuthClient(config, { tenant: slug, credentials: "omit", emailRedirectTo: here }),
    [config, slug, here],
  );
  const interactions = useMemo(() => createInteractionApi(config.authUrl, slug, uid), [config, slug, uid]);
  const [load, setLoad] = useState<Load>({ kind: "loading" });
  const [step, setStep] = useState<Step>(
    arrival.kind === "oauth-mfa" ? { kind: "mfa", challenge: arrival.challenge, purpose: "login" } : { kind: "signin" },
  );
  const [session, setSession] = useState<Session | null>(() => heldSession(slug));
  const [notice, setNotice] = useState<string | null>(
    arrival.kind === "error" ? "Signing in didn't complete. Please try again." : null,
  );
  const interaction = load.kind === "ready" ? load.interaction : null;

  useEffect(() => {
    const controller = new AbortController();
    interactions.load(controller.signal).then(
      (i) => setLoad({ kind: "ready", interaction: i }),
      (e: unknown) => {
        if (controller.signal.aborted) return;
        const gone = e instanceof ApiError && (e.status === 404 || e.code === "NOT_FOUND");
        setLoad({ kind: "error", message: gone ? EXPIRED : errorMessage(e) });
      },
    );
    return () => controller.abort();
  }, [interactions]);

  useEffect(() => {
    if (interaction) document.title = `Sign in to ${interaction.client.name} · ${interaction.tenant.name}`;
  }, [interaction]);

  const leave = useCallback((to: string, text: string) => {
    setStep({ kind: "busy", text });
    window.location.assign(to);
  }, []);

  /** Answers the login prompt with the user's token; MFA_REQUIRED runs the second factor, then again. */
  const submitLogin = useCallback(
    async (s: Session, i: Interaction) => {
      setStep({ kind: "busy", text: `Signing you in to ${i.client.name}…` });
      try {
        const to = await interactions.login(s.accessToken);
        holdSession(slug, s);
        leave(to, `Returning to ${i.client.name}…`);
      } catch (error) {
        const challenge = mfaChallengeOf(error);
        if (challenge?.mfaToken) {
          setStep({ kind: "mfa", challenge, purpose: "step_up" });
          return;
        }
        if (challenge) {
          // The app asks for a second factor and this account has none yet.
          setNotice(
            `${i.client.name} needs two-step verification. Turn it on in your account's security settings, then try again.`,
          );
          setStep({ kind: "signin" });
          return;
        }
        holdSession(slug, null);
        setSession(null);
        setNotice(
          error instanceof ApiError && error.code === "INVALID_TOKEN"
            ? `${i.client.name} asks you to sign in again.`
            : errorMessage(error),
        );
        setStep({ kind: "signin" });
      }
    },
    [interactions, slug, leave],
  );

  const signedIn = useCallback(
    (s: Session) => {
      setNotice(null);
      setSession(s);
      if (!interaction) return;
      if (interaction.prompt === "login") void submitLogin(s, interaction);
      else {
        holdSession(slug, s);
        setStep({ kind: "consent" });
      }
    },
    [interaction, submitLogin, slug],
  );

  const login: Login = useCallback(
    async (attempt) => {
      try {
        signedIn(await attempt());
      } catch (error) {
        const challenge = mfaChallengeOf(error);
        if (!challenge) throw error;
        setNotice(null);
        setStep({ kind: "mfa", challenge, purpose: "login" });
      }
    },
    [signedIn],
  );

  // What brought the page here, once the interaction is known.
  const arrived = useRef(false);
  useEffect(() => {
    if (!interaction || arrived.current) return;
    arrived.current = true;
    if (arrival.kind === "magic-link") {
      void login(() => auth.verifyEmail(arrival.token)).catch((e: unknown) => {
        // Not this tenant's link (the tenant is part of the match, so nothing was spent): the
        // web-app's own sign-in takes it.
        if (e instanceof ApiError && e.code === "INVALID_CREDENTIALS") {
          window.location.replace(`/auth/callback?token=${encodeURIComponent(arrival.token)}`);
        } else setNotice(errorMessage(e));
      });
    } else if (arrival.kind === "oauth") {
      // The OAuth callback can only deliver its session in the refresh cookie: read it once.
      const withCookie = createAuthClient(config, { tenant: slug, credentials: "include" });
      void withCookie.resume().then(signedIn, (e: unknown) => setNotice(errorMessage(e)));
    } else if (interaction.prompt === "consent" && session) {
      setStep({ kind: "consent" });
    }
  }, [interaction, arrival, auth, config, slug, login, signedIn, session]);

  const remember = useCallback(() => rememberPendingLink({ slug, uid }), [slug, uid]);

  async function decide(allow: boolean) {
    if (!interaction) return;
    setStep({ kind: "busy", text: allow ? "Saving your choice…" : "Cancelling…" });
    try {
      const to = allow && session ? await interactions.consent(session.accessToken) : await interactions.abort();
      holdSession(slug, null);
      leave(to, `Returning to ${interaction.client.name}…`);
    } catch (error) {
      if (error instanceof ApiError && error.code === "INVALID_TOKEN") {
        holdSession(slug, null);
        setSession(null);
        setStep({ kind: "signin" });
      } else setStep({ kind: "consent" });
      setNotice(errorMessage(error));
    }
  }

  async function cancel() {
    setStep({ kind: "busy", text: "Cancelling…" });
    try {
      leave(await interactions.abort(), "Returning to the app…");
    } catch (error) {
      setNotice(errorMessage(error));
      setStep({ kind: "signin" });
    }
  }

  if (load.kind !== "ready" || !interaction) {
    return (
      <BrandFrame brand={null} fallbackName="Sign in">
        {load.kind === "loading" ? (
          <section className="card" aria-busy="true">
            <p className="notice">Loading…</p>
          </section>
        ) : (
          <section className="card" role="alert">
            <h2>We couldn't continue</h2>
            <p className="notice error">{load.kind === "error" ? load.message : EXPIRED}</p>
          </section>
        )}
      </BrandFrame>
    );
  }

  const tenantName = interaction.tenant.brand.name ?? interaction.tenant.name;
  return (
    <BrandFrame brand={interaction.tenant.brand} fallbackName={interaction.tenant.name}>
      {notice && (
        <p className="banner error" role="alert">
          {notice}
        </p>
      )}
      {step.kind === "busy" && (
        <section className="card" aria-busy="true">
          <p className="notice" role="status">
            {step.text}
          </p>
        </section>
      )}
      {step.kind === "mfa" && (
        <MfaChallengeCard
          challenge={step.challenge}
          auth={auth}
          purpose={step.purpose}
          issuer={tenantName}
          onVerified={(result) => signedIn(result.session)}
          onCancel={() => setStep({ kind: "signin" })}
        />
      )}
      {step.kind === "consent" && session && (
        <ConsentCard interaction={interaction} onAllow={() => decide(true)} onDeny={() => decide(false)} />
      )}
      {(step.kind === "signin" || (step.kind === "consent" && !session)) && (
        <HostedSignIn
          interaction={interaction}
          auth={auth}
          login={login}
          oauthReturn={`${here}?via=oauth`}
          onEmailStart={remember}
          onCancel={cancel}
        />
      )}
    </BrandFrame>
  );
}

/** The tenant's login methods, for one app, with a way back to it. */
function HostedSignIn(props: {
  interaction: Interaction;
  auth: ReturnType<typeof createAuthClient>;
  login: Login;
  oauthReturn: string;
  onEmailStart: () => void;
  onCancel: () => void;
}) {
  const { interaction, auth, login } = props;
  const [tenant, setTenant] = useState<Awaited<ReturnType<typeof auth.currentTenant>> | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    auth.currentTenant().then(setTenant, (e: unknown) => setFailed(errorMessage(e)));
  }, [auth]);
  // The magic link comes back to this interaction: remember it before the e-mail is sent.
  const withPending = useMemo(
    () => ({
      ...auth,
      startEmail: (email: string) => {
        props.onEmailStart();
        return auth.startEmail(email);
      },
    }),
    [auth, props.onEmailStart],
  );
  return (
    <>
      <p className="hosted-intro">
        <strong>{interaction.client.name}</strong> uses your {interaction.tenant.name} account.
        {interaction.requireMfa && " It asks for two-step verification too."}
      </p>
      {failed && (
        <p className="banner error" role="alert">
          {failed}
        </p>
      )}
      {tenant ? (
        <LoginCard
          tenant={tenant}
          auth={withPending}
          login={login}
          redirectTo={props.oauthReturn}
          title={`Sign in to continue to ${interaction.client.name}`}
        />
      ) : (
        !failed && (
          <section className="card" aria-busy="true">
            <p className="notice">Loading…</p>
          </section>
        )
      )}
      <button type="button" className="link" onClick={props.onCancel}>
        Cancel and go back to {interaction.client.name}
      </button>
    </>
  );
}
