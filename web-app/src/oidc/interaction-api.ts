import { ApiError, apiRequest } from "../api.ts";

// The web-app side of service-auth's OpenID Provider interactions (issue 23): oidc-provider sends
// the browser to `/oidc/<slug>/<uid>`; the page reads the interaction, signs the user in to that
// tenant and answers with the user's access token. Every call omits credentials: the page needs
// no cookie of service-auth (the interaction cookie matters only on the top-level navigation to
// `redirectTo`), and must not receive the tenant's refresh cookie either.

/** The brand of the tenant the app belongs to (login, consent and e-mails wear it). */
export interface Brand {
  name: string | null;
  logoUrl: string | null;
  primaryColor: string | null;
  supportEmail: string | null;
}

/** `GET /t/:slug/interactions/:uid`: what the provider wants from the user, for which app. */
export interface Interaction {
  uid: string;
  prompt: "login" | "consent";
  client: { clientId: string; name: string; logoUri: string | null; redirectHost: string; firstParty: boolean };
  scopes: string[];
  requireMfa: boolean;
  maxAge: number | null;
  loginHint: string | null;
  tenant: { slug: string; name: string; brand: Brand };
}

const COLOR = /^#[0-9a-fA-F]{6}$/;

const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);
const rec = (v: unknown): Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** Only https (or a loopback http) image URLs are shown; anything else is dropped. */
export function safeImageUrl(value: unknown): string | null {
  const raw = str(value);
  if (!raw) return null;
  try {
    const url = new URL(raw);
    const loopback = url.hostname === "localhost" || url.hostname === "127.0.0.1";
    return url.protocol === "https:" || (url.protocol === "http:" && loopback) ? url.href : null;
  } catch {
    return null;
  }
}

/** Throws unless `body` is an interaction; unknown fields are ignored, unsafe values dropped. */
export function parseInteraction(body: unknown): Interaction {
  const raw = rec(body);
  const client = rec(raw.client);
  const tenant = rec(raw.tenant);
  const brand = rec(tenant.brand);
  const uid = str(raw.uid);
  const clientId = str(client.clientId);
  const slug = str(tenant.slug);
  if (!uid || !clientId || !slug || (raw.prompt !== "login" && raw.prompt !== "consent")) {
    throw new TypeError("interaction: missing fields");
  }
  const color = str(brand.primaryColor);
  return {
    uid,
    prompt: raw.prompt,
    client: {
      clientId,
      name: str(client.name) ?? clientId,
      logoUri: safeImageUrl(client.logoUri),
      redirectHost: str(client.redirectHost) ?? "",
      firstParty: client.firstParty === true,
    },
    scopes: Array.isArray(raw.scopes) ? raw.scopes.filter((s): s is string => typeof s === "string") : [],
    requireMfa: raw.requireMfa === true,
    maxAge: typeof raw.maxAge === "number" ? raw.maxAge : null,
    loginHint: str(raw.loginHint),
    tenant: {
      slug,
      name: str(tenant.name) ?? slug,
      brand: {
        name: str(brand.name),
        logoUrl: safeImageUrl(brand.logoUrl),
        primaryColor: color && COLOR.test(color) ? color : null,
        supportEmail: str(brand.supportEmail),
      },
    },
  };
}

/** The provider's next step: a top-level navigation back to service-auth (or to the app, on abort). */
function parseRedirect(body: unknown): string {
  const to = str(rec(body).redirectTo);
  if (!to) throw new ApiError(200, "INVALID_RESPONSE", "The server sent a response we couldn't read.");
  const url = new URL(to);
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ApiError(200, "INVALID_RESPONSE", "The server sent a response we couldn't read.");
  }
  return url.href;
}

const JSON_HEADERS = { accept: "application/json, application/problem+json" };

/** The interaction calls of one tenant's provider. */
export function createInteractionApi(authUrl: string, slug: string, uid: string) {
  const base = `${authUrl}/t/${encodeURIComponent(slug)}/interactions/${encodeURIComponent(uid)}`;
  const post = async (path: string, accessToken?: string) => {
    const res = await apiRequest(`${base}${path}`, {
      method: "POST",
      credentials: "omit",
      headers: { ...JSON_HEADERS, ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}) },
    });
    return parseRedirect(await res.json().catch(() => null));
  };
  return {
    /** 404 NOT_FOUND when the uid is unknown or expired. */
    load: async (signal?: AbortSignal) => {
      const res = await apiRequest(base, { credentials: "omit", headers: JSON_HEADERS, ...(signal ? { signal } : {}) });
      try {
        return parseInteraction(await res.json());
      } catch {
        throw new ApiError(res.status, "INVALID_RESPONSE", "The server sent a response we couldn't read.");
      }
    },
    /** The signed-in user answers the login prompt; 401 MFA_REQUIRED or INVALID_TOKEN ask for more. */
    login: (accessToken: string) => post("/login", accessToken),
    consent: (accessToken: string) => post("/consent", accessToken),
    /** The user declines: the app gets `error=access_denied`. */
    abort: () => post("/abort"),
  };
}

export type InteractionApi = ReturnType<typeof createInteractionApi>;
