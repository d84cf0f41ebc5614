import type { Configuration, TokenEndpointResponse } from "openid-client";

export interface RelyingPartyOptions {
  /** The tenant's issuer, e.g. `https://auth.example.com/t/acme`. */
  issuer: string;
  clientId: string;
  clientSecret?: string;
  authMethod?: "client_secret_basic" | "client_secret_post";
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Default `openid profile email offline_access`. */
  scope?: string;
  /** This app's origin as the browser sees it (default http://localhost:<port>). */
  publicUrl?: string;
}

export interface RpSession {
  pending: { state: string; nonce: string; codeVerifier: string; maxAge?: number } | null;
  tokens: TokenEndpointResponse | null;
  /** The ID token's claims (validated by openid-client). */
  claims: Record<string, unknown> | null;
  /** Userinfo, fetched after the sign-in. */
  user: Record<string, unknown> | null;
  /** The last authorization error (`login_required`, `access_denied`…). */
  error: string | null;
}

export interface RelyingParty {
  url: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
  config: Configuration;
  sessions: Map<string, RpSession>;
  close(): Promise<void>;
}

export function startRelyingParty(options: RelyingPartyOptions): Promise<RelyingParty>;
