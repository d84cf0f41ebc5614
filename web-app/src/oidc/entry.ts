import { parseMfaMethods } from "../auth.ts";
import type { Arrival } from "./HostedPage.tsx";
import { takePendingLink } from "./op-session.ts";

export interface HostedRoute {
  slug: string;
  uid: string;
  arrival: Arrival;
}

const SEGMENT = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * The hosted login's address, if this page load is one: `/oidc/<slug>/<uid>` (the provider's
 * redirect, or an OAuth login coming back with `?via=oauth`), or a magic link requested from a
 * hosted page (`/auth/callback?token=…` while such a request is pending). What the address
 * brought leaves the address bar at once.
 */
export function hostedRoute(location: Location = window.location): HostedRoute | null {
  const url = new URL(location.href);
  if (url.pathname === "/auth/callback") {
    const token = url.searchParams.get("token");
    const pending = token ? takePendingLink() : null;
    if (!token || !pending) return null;
    window.history.replaceState(null, "", `/oidc/${pending.slug}/${pending.uid}`);
    return { ...pending, arrival: { kind: "magic-link", token } };
  }
  const match = /^\/oidc\/([^/]+)\/([^/]+)\/?$/.exec(url.pathname);
  if (!match) return null;
  const [slug, uid] = [decodeURIComponent(match[1] ?? ""), decodeURIComponent(match[2] ?? "")];
  if (!SEGMENT.test(slug) || !SEGMENT.test(uid)) return null;
  const error = url.searchParams.get("error");
  const fragment = new URLSearchParams(url.hash.slice(1));
  let arrival: Arrival = { kind: "none" };
  const mfaToken = fragment.get("mfaToken");
  if (error === "MFA_REQUIRED" && mfaToken) {
    arrival = {
      kind: "oauth-mfa",
      challenge: { mfaToken, methods: parseMfaMethods(fragment.get("methods")), detail: "" },
    };
  } else if (error) arrival = { kind: "error", code: error };
  else if (url.searchParams.get("via") === "oauth") arrival = { kind: "oauth" };
  if (url.search || url.hash) window.history.replaceState(null, "", url.pathname);
  return { slug, uid, arrival };
}
