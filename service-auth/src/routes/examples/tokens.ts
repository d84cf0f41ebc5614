/**
 * Examples of the OpenAPI document (shown by the API reference and in its curl samples): what a
 * real request or answer of these routes looks like. test/openapi-document.test.ts checks each
 * against its schema. Identifiers are made up; tokens are shortened.
 */
export const USER_ID = "5b7f3c2e-8a41-4d0b-9c6e-2f1a7d3e9b40";
export const TENANT_ID = "0e9d2c4b-6f1a-4e8b-a3d7-5c2b1f0e9a68";
export const SESSION_ID = "b2e4f6a8-1c3d-4e5f-8a9b-0c1d2e3f4a5b";
export const AT = "2026-12-07T09:30:00.000Z";
/** atlas_pat_, the id in hex, 32 random bytes in base64url. */
export const PAT_TOKEN = "atlas_pat_6a1d8e2f4b3c4d5e9f0a1b2c3d4e5f60Qm7TzL2wX9vN4bC8dR1sY5hJ0gK3aPfE6uV2nM7qW4x";
const ACCESS_TOKEN = "eyJhbGciOiJFUzI1NiIsImtpZCI6ImsyMDI2LTEyIn0.eyJzdWIiOiI1YjdmM2MyZSJ9.c2lnbmF0dXJl";

export const USER = {
  id: USER_ID,
  tenantId: TENANT_ID,
  email: "ada@example.com",
  phone: null,
  displayName: "Ada Lovelace",
  roles: ["user"],
};

export const TOKEN_RESPONSE = {
  accessToken: ACCESS_TOKEN,
  refreshToken: "rt_9QmZ3k7VtY2pX8cN4bW6hJ1sD5fG0aLe",
  tokenType: "Bearer",
  expiresIn: 900,
  user: USER,
};

export const REFRESH_REQUEST = { refreshToken: "rt_9QmZ3k7VtY2pX8cN4bW6hJ1sD5fG0aLe" };
export const DEVICE_TOKEN_REQUEST = {
  grant_type: "urn:ietf:params:oauth:grant-type:device_code",
  device_code: "dc_4f8Kq2ZxN7vT1mB9cR3sW6yH0pLa",
  client_id: "atlas-cli",
};
export const OAUTH_ERROR = {
  error: "authorization_pending",
  error_description: "The user has not approved the request yet",
};
export const TOKEN_REQUEST = { token: PAT_TOKEN, token_type_hint: "pat" };
export const INTROSPECTION = {
  active: true,
  token_type: "pat",
  sub: USER_ID,
  tid: TENANT_ID,
  scope: "profile:read objects:read objects:write",
  exp: 1_812_345_600,
  iat: 1_796_621_400,
};

export const SESSIONS = {
  items: [
    {
      id: SESSION_ID,
      current: true,
      amr: ["email"],
      ipAddress: "203.0.113.24",
      userAgent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0",
      deviceHash: "3c1f9a7e5b2d4c6a",
      createdAt: AT,
      lastSeenAt: "2026-12-07T11:02:41.000Z",
      expiresAt: "2027-01-06T09:30:00.000Z",
    },
  ],
};
export const LOGOUT_ALL = { includePats: true };

const PAT = {
  id: "6a1d8e2f-4b3c-4d5e-9f0a-1b2c3d4e5f60",
  name: "CI deploys",
  scopes: ["objects:read", "objects:write"],
  displayPrefix: "atlas_pat_6a1d8e2f",
  createdAt: AT,
  expiresAt: "2027-03-07T09:30:00.000Z",
  lastUsedAt: null,
};
export const CREATE_PAT = { name: "CI deploys", scopes: ["objects:read", "objects:write"], expiresInDays: 90 };
export const CREATED_PAT = { ...PAT, token: PAT_TOKEN };
export const PATS = { items: [{ ...PAT, lastUsedAt: "2026-12-07T10:15:00.000Z" }] };

export const DEVICE_CODE_REQUEST = {
  client_id: "atlas-cli",
  scope: "profile:read objects:read",
  hostname: "ada-laptop",
};
export const DEVICE_CODE_RESPONSE = {
  device_code: "dc_4f8Kq2ZxN7vT1mB9cR3sW6yH0pLa",
  user_code: "BCDF-GHJK",
  verification_uri: "https://app.example.com/device",
  verification_uri_complete: "https://app.example.com/device?user_code=BCDF-GHJK",
  expires_in: 900,
  interval: 5,
};
export const USER_CODE = { user_code: "BCDF-GHJK" };
export const DEVICE_PREVIEW = { clientName: "Atlas CLI", hostname: "ada-laptop" };

export const DEVICE_REQUEST = {
  userCode: "BCDF-GHJK",
  clientName: "Atlas CLI",
  hostname: "ada-laptop",
  scopes: ["profile:read", "objects:read"],
  requestIp: "203.0.113.24",
  requestGeo: "Lisbon, PT",
  requestUserAgent: "atlas-cli/0.1.0 (linux x64)",
  createdAt: AT,
  expiresAt: "2026-12-07T09:45:00.000Z",
};

export const JWKS = {
  keys: [
    {
      kty: "EC",
      crv: "P-256",
      kid: "k2026-12",
      use: "sig",
      alg: "ES256",
      x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
      y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
    },
  ],
};
export const PUBLIC_TENANT = {
  slug: "default",
  name: "Atlas",
  allowedMethods: ["email", "passkey", "oauth:google"],
  brand: { name: "Atlas", primaryColor: "#1d4ed8" },
};
export const KEY_ROTATION = { kid: "k2026-12b", activatesAt: "2026-12-07T10:30:00.000Z" };
