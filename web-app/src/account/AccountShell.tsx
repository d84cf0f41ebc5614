import { type ReactNode, useEffect, useMemo, useRef, useState } from "react";
import { createAccountApi } from "../account-api.ts";
import type { AuthClient, Session, Tenant } from "../auth.ts";
import type { AppConfig } from "../config.ts";
import { linkHandler } from "../router.ts";
import type { SessionStore } from "../session.ts";
import { AccountDeleted } from "./AccountDeleted.tsx";
import { ActivityPage } from "./ActivityPage.tsx";
import { AdminClientsPage } from "./AdminClientsPage.tsx";
import { BillingPage } from "./BillingPage.tsx";
import { ConnectedAppsPage } from "./ConnectedAppsPage.tsx";
import { ProfilePage } from "./ProfilePage.tsx";
import { SecurityPage } from "./SecurityPage.tsx";
import { SessionsPage } from "./SessionsPage.tsx";
import { StepUpProvider } from "./StepUp.tsx";
import { TokensPage } from "./TokensPage.tsx";

const PAGES = [
  { path: "/account", label: "Profile", title: "Profile and sign-in methods" },
  { path: "/account/security", label: "Security", title: "Security" },
  { path: "/account/sessions", label: "Sessions", title: "Sessions and devices" },
  { path: "/account/tokens", label: "Access tokens", title: "Personal access tokens" },
  { path: "/account/apps", label: "Connected apps", title: "Connected apps" },
  { path: "/account/activity", label: "Activity", title: "Activity" },
  { path: "/billing", label: "Billing", title: "Billing" },
  { path: "/account/admin", label: "Admin", title: "Admin: apps that sign in with Atlas" },
] as const;

/** The access token's roles, to show the Admin tab (the server checks the role on every call). */
function rolesOf(accessToken: string): string[] {
  try {
    const payload = accessToken.split(".")[1] ?? "";
    const json = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as { roles?: unknown };
    return Array.isArray(json.roles) ? json.roles.filter((r): r is string => typeof r === "string") : [];
  } catch {
    return [];
  }
}

/** The signed-in app: a header (who, sign out), the section navigation and the current page. */
export function AccountShell(props: {
  config: AppConfig;
  auth: AuthClient;
  store: SessionStore;
  session: Session;
  tenant: Tenant;
  path: string;
  banner: ReactNode;
  linkToken: string | null;
  onLinkTokenUsed: () => void;
  onSignedOut: () => void;
}) {
  const { config, auth, store, session, tenant, path } = props;
  const api = useMemo(() => createAccountApi(config, store), [config, store]);
  const admin = rolesOf(session.accessToken).includes("admin");
  const pages = PAGES.filter((p) => admin || p.path !== "/account/admin");
  const page = pages.find((p) => p.path === path) ?? PAGES[0];
  const heading = useRef<HTMLHeadingElement>(null);
  const [busy, setBusy] = useState(false);
  const who = session.user.email ?? session.user.phone ?? "your account";
  const allowed = useMemo(() => new Set(tenant.allowedMethods), [tenant]);
  const tabs = useRef<HTMLUListElement>(null);
  const [deleted, setDeleted] = useState<string | null>(null);

  // On a narrow screen the tabs scroll sideways: keep the current one in view (without moving
  // the page vertically, which scrollIntoView would do).
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on page changes (the DOM holds the current tab)
  useEffect(() => {
    const list = tabs.current;
    const current = list?.querySelector<HTMLElement>('[aria-current="page"]');
    if (!list || !current) return;
    const left = current.offsetLeft - list.offsetLeft;
    if (left < list.scrollLeft || left + current.offsetWidth > list.scrollLeft + list.clientWidth) {
      list.scrollLeft = Math.max(0, left - (list.clientWidth - current.offsetWidth) / 2);
    }
  }, [page.path]);

  // A new page: move focus to its heading so keyboard and screen-reader users land there.
  const first = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on page changes only
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    heading.current?.focus();
  }, [page.path]);
  useEffect(() => {
    document.title = `${page.title} · ${tenant.name}`;
  }, [page, tenant]);

  async function signOut() {
    setBusy(true);
    // Whatever the server answers, the page forgets the tokens.
    await auth.logout(session).catch(() => {});
    props.onSignedOut();
  }

  if (deleted !== null) {
    return <AccountDeleted tenantName={tenant.name} email={deleted} onDone={props.onSignedOut} />;
  }

  return (
    <StepUpProvider auth={auth} store={store} issuer={tenant.name}>
      <div className="app">
        <a className="skip" href="#main">
          Skip to content
        </a>
        <header className="topbar">
          <span className="logo">{tenant.name}</span>
          <p className="who">
            You're signed in as <strong title={who}>{who}</strong>
          </p>
          <button type="button" onClick={signOut} disabled={busy}>
            {busy ? "Signing out…" : "Sign out"}
          </button>
        </header>
        <nav className="tabs" aria-label="Account">
          <ul ref={tabs}>
            {pages.map((p) => (
              <li key={p.path}>
                <a href={p.path} onClick={linkHandler(p.path)} aria-current={p.path === page.path ? "page" : undefined}>
                  {p.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" className="content">
          <h1 ref={heading} tabIndex={-1}>
            {page.title}
          </h1>
          {props.banner}
          {page.path === "/account" && (
            <ProfilePage
              api={api}
              allowed={allowed}
              linkToken={props.linkToken}
              onLinkTokenUsed={props.onLinkTokenUsed}
              onDeleted={(email) => setDeleted(email ?? "")}
            />
          )}
          {page.path === "/account/security" && <SecurityPage api={api} issuer={tenant.name} />}
          {page.path === "/account/sessions" && <SessionsPage api={api} onSignedOut={props.onSignedOut} />}
          {page.path === "/account/tokens" && <TokensPage api={api} />}
          {page.path === "/account/apps" && <ConnectedAppsPage api={api} />}
          {page.path === "/account/activity" && <ActivityPage api={api} />}
          {page.path === "/account/admin" && <AdminClientsPage api={api} currentSlug={tenant.slug} />}
          {page.path === "/billing" && (
            <BillingPage
              api={api}
              stripeKey={config.stripePublishableKey}
              stripeApiUrl={config.stripeApiUrl ?? null}
              crypto={config.cryptoPayments}
            />
          )}
        </main>
      </div>
    </StepUpProvider>
  );
}
