/** Examples of the OpenID Provider routes: hosted-page interactions, clients, connected apps (see tokens.ts). */
import { AT, TENANT_ID } from "./tokens.ts";

/** A client id: 16 random bytes in hex. */
export const CLIENT_ID = "9f2c4e6a8b0d1f3a5c7e9b1d3f5a7c9e";
/** A client secret: 32 random bytes in base64url. */
const CLIENT_SECRET = "q7Vd2LkX9pWm4TzR8sNf1HcJ6yBg3QaE0uOi5KtZrMw";

export const INTERACTION = {
  uid: "tK3vN8qW2xY7zB4cD9fG1hJ6mP0rS5uVa8LeQ2nRw4T",
  prompt: "consent",
  client: {
    clientId: CLIENT_ID,
    name: "Acme Notes",
    logoUri: "https://notes.acme.example/logo.png",
    redirectHost: "notes.acme.example",
    firstParty: false,
  },
  scopes: ["openid", "profile", "email"],
  requireMfa: false,
  maxAge: null,
  loginHint: "ada@example.com",
  tenant: {
    slug: "acme",
    name: "Acme Robotics",
    brand: {
      name: "Acme",
      logoUrl: "https://acme.example/logo.svg",
      primaryColor: "#1d4ed8",
      supportEmail: "support@acme.example",
    },
  },
};
/** Back to the provider, which resumes the authorization (then redirects to the client). */
export const RESUME_REDIRECT = { redirectTo: `https://auth.example.com/t/acme/authorize/${INTERACTION.uid}` };

const CLIENT = {
  clientId: CLIENT_ID,
  tenantId: TENANT_ID,
  name: "Acme Notes",
  redirectUris: ["https://notes.acme.example/callback"],
  postLogoutRedirectUris: ["https://notes.acme.example/"],
  allowedScopes: ["openid", "profile", "email", "offline_access"],
  firstParty: false,
  tokenEndpointAuthMethod: "client_secret_basic",
  jwks: null,
  logoUri: "https://notes.acme.example/logo.png",
  previousSecretExpiresAt: null,
  createdAt: AT,
  updatedAt: AT,
};
export const CLIENT_PAGE = { items: [CLIENT], nextCursor: null };
export const CLIENT_CREATE = {
  name: "Acme Notes",
  redirectUris: ["https://notes.acme.example/callback"],
  postLogoutRedirectUris: ["https://notes.acme.example/"],
  allowedScopes: ["openid", "profile", "email", "offline_access"],
  tokenEndpointAuthMethod: "client_secret_basic",
  logoUri: "https://notes.acme.example/logo.png",
};
export const CREATED_CLIENT = { client: CLIENT, clientSecret: CLIENT_SECRET };
export const ONE_CLIENT = CLIENT;
export const CLIENT_PATCH = {
  redirectUris: ["https://notes.acme.example/callback", "https://beta.notes.acme.example/callback"],
};
export const UPDATED_CLIENT = {
  ...CLIENT,
  redirectUris: CLIENT_PATCH.redirectUris,
  updatedAt: "2026-12-07T10:00:00.000Z",
};
export const ROTATE_SECRET = { overlapSeconds: 86_400 };
export const ROTATED_CLIENT_SECRET = {
  clientSecret: "Hn5rB1xW8kQ3mZ6tV0yC4pL9sD2fG7jA1eUoIw3RcNb",
  previousSecretExpiresAt: "2026-12-08T10:00:00.000Z",
};

export const CONNECTED_APPS = {
  items: [
    {
      clientId: CLIENT_ID,
      name: "Acme Notes",
      logoUri: "https://notes.acme.example/logo.png",
      scopes: ["email", "openid", "profile"],
      grantedAt: AT,
    },
  ],
};
