/**
 * Where a sign-in returns to: the app page a signed-out visitor asked for (`/billing`,
 * `/device?user_code=…`, an account tab), carried through every sign-in round trip (the e-mail
 * start's and the OAuth start's `redirectTo`, which service-auth validates against the tenant's
 * origins too) and restored after the MFA step.
 */

/** The device approval page: service-auth's `verification_uri` (RFC 8628) points here. */
export const DEVICE_PATH = "/device";

/** Pages that need a session; anything else is the sign-in page. */
export function isAppPath(path: string): boolean {
  return (
    path === "/account" || path.startsWith("/account/") || path === "/billing" || path === DEVICE_PATH // exact pages only
  );
}

const MAX_LENGTH = 2048;
// Control characters, spaces and backslashes (which browsers read as "/" in URLs) never appear
// in a path this app links to; a target carrying one is refused rather than normalised.
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const UNSAFE = /[\u0000-\u0020\u007f\\]/;

/** `raw` decoded until stable (at most a few rounds), or null when it is not valid percent-encoding. */
function fullyDecoded(raw: string): string | null {
  let current = raw;
  for (let i = 0; i < 4; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return null;
    }
    if (next === current) return current;
    current = next;
  }
  return null;
}

/**
 * The same-origin app path (pathname + query, never a fragment) that `raw` names, or null.
 * Accepts a path (`/billing?x=1`) or an absolute URL of `origin` (what service-auth hands back as
 * `redirectTo`). Refuses other origins, protocol-relative (`//evil`) and scheme URLs
 * (`javascript:`), backslashes, control characters, encoded slashes or backslashes that could turn
 * into any of those, and paths that are not app pages.
 */
export function safeReturnPath(raw: unknown, origin: string): string | null {
  if (typeof raw !== "string" || raw === "" || raw.length > MAX_LENGTH) return null;
  const decoded = fullyDecoded(raw);
  if (decoded === null || UNSAFE.test(raw) || UNSAFE.test(decoded)) return null;
  let url: URL;
  if (raw.startsWith("/")) {
    // A path: "/x", never "//host" (or its encoded forms, "/%2F…").
    if (raw.startsWith("//") || decoded.startsWith("//")) return null;
    try {
      url = new URL(raw, origin);
    } catch {
      return null;
    }
  } else {
    try {
      url = new URL(raw);
    } catch {
      return null;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") return null;
    if (url.username || url.password) return null;
  }
  if (url.origin !== origin) return null;
  // An encoded slash inside the path could be read as a second "/" by a later decode.
  if (/%2f|%5c/i.test(url.pathname)) return null;
  if (!isAppPath(url.pathname)) return null;
  return url.pathname + url.search;
}

/**
 * Where the current page wants to go after signing in: this page itself when it is an app page
 * (the visitor stays on it, signed out), else a validated `?next=` of the sign-in page; null for
 * "the default" (the account).
 */
export function currentTarget(location: Pick<Location, "pathname" | "search" | "origin"> = window.location) {
  if (isAppPath(location.pathname)) {
    return safeReturnPath(location.pathname + location.search, location.origin);
  }
  return safeReturnPath(new URLSearchParams(location.search).get("next"), location.origin);
}

/** The `redirectTo` of a sign-in started here: the target as an absolute URL, else the web-app's origin. */
export function returnUrl(location: Pick<Location, "pathname" | "search" | "origin"> = window.location): string {
  return location.origin + (currentTarget(location) ?? "");
}

const PAGE_NAMES: Record<string, string> = {
  "/account": "your account",
  "/account/security": "Security",
  "/account/sessions": "Sessions",
  "/account/tokens": "Access tokens",
  "/account/activity": "Activity",
  "/billing": "Billing",
};

/** The user code of a device-approval target (only a code's own characters), else null. */
export function deviceCodeOf(target: string | null, origin: string): string | null {
  if (!target) return null;
  const url = new URL(target, origin);
  if (url.pathname !== DEVICE_PATH) return null;
  const code = url.searchParams.get("user_code") ?? "";
  return /^[A-Za-z0-9-]{4,16}$/.test(code) ? code.toUpperCase() : null;
}

/**
 * The sign-in page's words for a device whose request service-auth named (GET
 * /auth/device/preview): the client's server-known name and the hostname the device reported.
 */
export function deviceReason(preview: { clientName: string; hostname: string | null }): string {
  return `Sign in to approve ${preview.clientName}${preview.hostname ? ` on ${preview.hostname}` : ""}`;
}

/** Why the sign-in page is shown, in the visitor's words; null without a target. */
export function signInReason(target: string | null, origin: string): string | null {
  if (!target) return null;
  const url = new URL(target, origin);
  if (url.pathname === DEVICE_PATH) {
    // Only a code's own characters are echoed: the query must not put the attacker's words on this page.
    const code = url.searchParams.get("user_code") ?? "";
    return /^[A-Za-z0-9-]{4,16}$/.test(code)
      ? `Sign in to approve the device that shows code ${code.toUpperCase()}`
      : "Sign in to connect a device";
  }
  return `Sign in to continue to ${PAGE_NAMES[url.pathname] ?? "your account"}`;
}
