import type { AccountApi } from "../account-api.ts";
import { safeImageUrl } from "../oidc/interaction-api.ts";

// The account's side of the OpenID Provider (issue 23): apps the user let in, and a tenant's
// registered apps (clients) for its admins.

/** `GET /auth/connected-apps`: an app the user gave consent to. */
export interface ConnectedApp {
  clientId: string;
  name: string;
  logoUri: string | null;
  scopes: string[];
  grantedAt: string;
}

export type AuthMethod = "client_secret_basic" | "client_secret_post" | "private_key_jwt";

/** A tenant's registered app (`/admin/tenants/:id/clients`); its secret is never listed. */
export interface OidcClient {
  clientId: string;
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  allowedScopes: string[];
  firstParty: boolean;
  tokenEndpointAuthMethod: AuthMethod;
  logoUri: string | null;
  createdAt: string | null;
}

export interface NewClient {
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  allowedScopes: string[];
  firstParty: boolean;
  tokenEndpointAuthMethod: AuthMethod;
  jwks?: unknown;
  logoUri?: string;
}

export interface AdminTenant {
  id: string;
  slug: string;
  name: string;
}

const rec = (v: unknown): Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const strs = (v: unknown) => (Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : []);
const str = (v: unknown) => (typeof v === "string" ? v : null);
const items = (body: unknown) => (Array.isArray(rec(body).items) ? (rec(body).items as unknown[]) : []);

function connectedApp(raw: unknown): ConnectedApp {
  const r = rec(raw);
  const clientId = str(r.clientId) ?? "";
  return {
    clientId,
    name: str(r.name) ?? clientId,
    logoUri: safeImageUrl(r.logoUri),
    scopes: strs(r.scopes),
    grantedAt: str(r.grantedAt) ?? "",
  };
}

function oidcClient(raw: unknown): OidcClient {
  const r = rec(raw);
  const clientId = str(r.clientId) ?? str(r.id) ?? "";
  const method = str(r.tokenEndpointAuthMethod);
  return {
    clientId,
    name: str(r.name) ?? clientId,
    redirectUris: strs(r.redirectUris),
    postLogoutRedirectUris: strs(r.postLogoutRedirectUris),
    allowedScopes: strs(r.allowedScopes),
    firstParty: r.firstParty === true,
    tokenEndpointAuthMethod:
      method === "client_secret_post" || method === "private_key_jwt" ? method : "client_secret_basic",
    logoUri: safeImageUrl(r.logoUri),
    createdAt: str(r.createdAt),
  };
}

const path = (tenantId: string, clientId?: string) =>
  `/admin/tenants/${encodeURIComponent(tenantId)}/clients${clientId ? `/${encodeURIComponent(clientId)}` : ""}`;

/** The calls, over the account API's authorized transport (renewal, step-up errors as ApiError). */
export function createOidcApi(api: AccountApi) {
  return {
    connectedApps: async () => items(await api.call("/auth/connected-apps")).map(connectedApp),
    revokeApp: async (clientId: string) => {
      await api.call(`/auth/connected-apps/${encodeURIComponent(clientId)}`, { method: "DELETE" });
    },
    tenants: async (): Promise<AdminTenant[]> =>
      items(await api.call("/admin/tenants?limit=100")).flatMap((t) => {
        const r = rec(t);
        const id = str(r.id);
        const slug = str(r.slug);
        return id && slug ? [{ id, slug, name: str(r.name) ?? slug }] : [];
      }),
    clients: async (tenantId: string) => items(await api.call(path(tenantId))).map(oidcClient),
    createClient: async (tenantId: string, input: NewClient) => {
      const body = rec(await api.call(path(tenantId), { method: "POST", body: input }));
      return { client: oidcClient(body.client), clientSecret: str(body.clientSecret) };
    },
    rotateSecret: async (tenantId: string, clientId: string, overlapSeconds: number) => {
      const body = rec(
        await api.call(`${path(tenantId, clientId)}/secret`, { method: "POST", body: { overlapSeconds } }),
      );
      return { clientSecret: str(body.clientSecret) ?? "", previousSecretExpiresAt: str(body.previousSecretExpiresAt) };
    },
    deleteClient: async (tenantId: string, clientId: string) => {
      await api.call(path(tenantId, clientId), { method: "DELETE" });
    },
  };
}

export type OidcApi = ReturnType<typeof createOidcApi>;
