/** Examples of the sign-in and account routes (see tokens.ts). */
import { AT, TOKEN_RESPONSE, USER_ID } from "./tokens.ts";

export const SENT = { status: "sent" };
export const EMAIL_SENT = {
  status: "sent",
  expiresAt: "2026-12-07T10:15:00.000Z",
  codeToken: "ec_3hT9wQ2mZ8vK4nR7xB1cY6pL0sD5fGjA",
};
export const EMAIL_CODE = { codeToken: "ec_3hT9wQ2mZ8vK4nR7xB1cY6pL0sD5fGjA", code: "482913" };
export const EMAIL_START = { email: "ada@example.com", redirectTo: "https://app.example.com/billing" };
export const EMAIL_LINK = { token: "el_Vq3xN8bT2mK7wZ4cR9sY1hJ6gF0dLpA5uE" };
export const EMAIL_LOGGED_IN = { ...TOKEN_RESPONSE, redirectTo: "https://app.example.com/billing" };
export const LINK_EMAIL = { email: "ada.work@example.com" };
export const SMS_START = { phone: "+14155550123" };
export const SMS_VERIFY = { phone: "+14155550123", code: "482913" };

export const EMAIL_IDENTITY = {
  id: "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a",
  provider: "email",
  subject: "ada.work@example.com",
  createdAt: AT,
  lastUsedAt: null,
};
export const SMS_IDENTITY = { ...EMAIL_IDENTITY, provider: "sms", subject: "+14155550123" };

export const ME = {
  user: {
    id: USER_ID,
    tenantId: TOKEN_RESPONSE.user.tenantId,
    email: "ada@example.com",
    phone: null,
    displayName: "Ada Lovelace",
    roles: ["user"],
  },
  identities: [{ ...EMAIL_IDENTITY, subject: "ada@example.com", lastUsedAt: "2026-12-07T09:30:00.000Z" }],
  mfa: { totpEnabled: true, passkeys: 1, backupCodesLeft: 9 },
  session: { id: "b2e4f6a8-1c3d-4e5f-8a9b-0c1d2e3f4a5b", amr: ["email", "totp"] },
};

export const WALLET_NONCE = { nonce: "k7Qm2ZxT9vN4bC8d" };
const ETH_ADDRESS = "0x71C7656EC7ab88b098defB751B7401B5f6d8976F";
export const SIWE_VERIFY = {
  message: [
    "app.example.com wants you to sign in with your Ethereum account:",
    ETH_ADDRESS,
    "",
    "Sign in to Atlas",
    "",
    "URI: https://app.example.com",
    "Version: 1",
    "Chain ID: 1",
    "Nonce: k7Qm2ZxT9vN4bC8d",
    `Issued At: ${AT}`,
  ].join("\n"),
  signature: `0x${"4f".repeat(32)}${"a1".repeat(32)}1b`,
};
const SOLANA_ADDRESS = "7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV";
/** The signed message bodies of the wallets that share one route definition, by method id. */
export const SIGNED_MESSAGE: Record<"siws" | "arweave", object> = {
  siws: {
    message: [
      "app.example.com wants you to sign in with your Solana account:",
      SOLANA_ADDRESS,
      "",
      "Sign in to Atlas",
      "",
      "URI: https://app.example.com",
      "Version: 1",
      "Chain ID: mainnet",
      "Nonce: k7Qm2ZxT9vN4bC8d",
      `Issued At: ${AT}`,
    ].join("\n"),
    publicKey: SOLANA_ADDRESS,
    signature: "5Hy8TfJ3bR2kQw9Lm4Zx7Vc1Np6Ds3Ga8Ke2Jh5Fu9Yt4Wr7Mq1Lb6Nc3Xd8Sz2Pv5Kf9Gh1Jm4Tn7Rq2Ws6Ey",
  },
  arweave: {
    message: [
      "app.example.com wants you to sign in with your Arweave account:",
      "vLRHFqCw1uHu75xqB4fCDW-QxpkpJxBtFD9g4QYUbfw",
      "",
      "Sign in to Atlas",
      "",
      "URI: https://app.example.com",
      "Version: 1",
      "Chain ID: arweave:mainnet",
      "Nonce: k7Qm2ZxT9vN4bC8d",
      `Issued At: ${AT}`,
    ].join("\n"),
    publicKey: `sq9JbppKLlAKtQwalfX5DagnGMlTirditXk7y4jgoeA7DEM0Z6cVPE5xMQ9kz_T9VppP6BFHtHyZCZODercEVWipzkr36tfQkR5EDGUQyLivdxUzbWgVkzw7D27PJEa4cd1Uy6r18rYLqERgbRvAZph5YJZmpSJk7r3MwnQquuktjvSpfCLFwSxP1w879-ss_JalM9ICzRi38henONio8gll6GV9-omrWwRMZer_15bspCK5txCwpY137nfKwKD5YBAuzxxcj424M7zlSHlsafBwaRwFbf8gHtW03iJER4lR4GxeY0WvnYaB3KDISHQp53a9nlbmiWO5WcHHYsR83OT2eJ0Pl3RWA-_imk_SNwGQTCjmA6tf_UVwL8HzYS2iyuu85b7iYK9ZQoh8nqbNC6qibICE4h9Fe3bN7AgitIe9XzCTOXDfMr4ahjC8kkqJ1z4zNAI6-Leei_Mgd8JtZh2vqFNZhXK0lSadFl_9Oh3AET7tUds2E7s-6zpRPd9oBZu6-kNuHDRJ6TQhZSwJ9ZO5HYsccb_G_1so72aXJymR9ggJgWr4J3bawAYYnqmvmzGklYOlE_5HVnMxf-UxpT7ztdsHbc9QEH6W2bzwxbpjTczEZs3JCCB3c-NewNHsj9PYM3b5tTlTNP9kNAwPZHWpt11t79LuNkNGt9LfOek`,
    signature: `${"Tq8Zx2Vm5Nb7Kc3Ld9Jf4Hg6Ps1Rw0Ye".repeat(21)}Tq8Zx2Vm5Nb`,
  },
};

const PASSKEY_ID = "AWJ2d8Vx3kQe7mZtP1bN9cYf4Rs6Lh0Ug5Ka2Xw8Jn3Ti7Qo";
export const PASSKEY = {
  id: "c4d5e6f7-a8b9-4c0d-9e1f-2a3b4c5d6e7f",
  friendlyName: "MacBook Touch ID",
  deviceType: "multiDevice",
  backedUp: true,
  createdAt: AT,
  lastUsedAt: "2026-12-07T10:02:11.000Z",
  transports: ["internal", "hybrid"],
};
export const PASSKEYS = { items: [PASSKEY] };
export const RENAME_PASSKEY = { friendlyName: "MacBook Touch ID" };
export const REGISTER_OPTIONS_REQUEST = { friendlyName: "MacBook Touch ID" };
export const CREATION_OPTIONS = {
  challenge: "Yk3mZ8qT1vN6bC2dR7sW4hJ9gF0aLpE5uXc",
  rp: { id: "app.example.com", name: "Atlas" },
  user: { id: "W2I3ZjNjMmUtOGE0MS00ZDBi", name: "ada@example.com", displayName: "Ada Lovelace" },
  pubKeyCredParams: [
    { type: "public-key", alg: -7 },
    { type: "public-key", alg: -257 },
  ],
  timeout: 300_000,
  excludeCredentials: [],
  authenticatorSelection: { residentKey: "required", userVerification: "preferred" },
  attestation: "none",
};
export const REGISTER_VERIFY = {
  friendlyName: "MacBook Touch ID",
  response: {
    id: PASSKEY_ID,
    rawId: PASSKEY_ID,
    type: "public-key",
    authenticatorAttachment: "platform",
    clientExtensionResults: { credProps: { rk: true } },
    response: {
      clientDataJSON:
        "eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIiwiY2hhbGxlbmdlIjoiWWszbVo4cVQxdk42YkMyZFI3c1c0aEo5Z0YwYUxwRTV1WGMifQ",
      attestationObject: "o2NmbXRkbm9uZWdhdHRTdG10oGhhdXRoRGF0YVjFSZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2NdAAAAAA",
      transports: ["internal", "hybrid"],
    },
  },
};
export const LOGIN_OPTIONS_REQUEST = { email: "ada@example.com" };
export const REQUEST_OPTIONS = {
  challenge: "Hp4tW9xK2mQ7vZ1bN6cR3sY8dF0gJ5aLeU",
  rpId: "app.example.com",
  allowCredentials: [{ id: PASSKEY_ID, type: "public-key", transports: ["internal", "hybrid"] }],
  timeout: 300_000,
  userVerification: "preferred",
};
export const LOGIN_VERIFY = {
  response: {
    id: PASSKEY_ID,
    rawId: PASSKEY_ID,
    type: "public-key",
    authenticatorAttachment: "platform",
    clientExtensionResults: {},
    response: {
      clientDataJSON:
        "eyJ0eXBlIjoid2ViYXV0aG4uZ2V0IiwiY2hhbGxlbmdlIjoiSHA0dFc5eEsybVE3dloxYk42Y1Izc1k4ZEYwZ0o1YUxlVSJ9",
      authenticatorData: "SZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2MdAAAAAQ",
      signature: "MEUCIQDx3kQe7mZtP1bN9cYf4Rs6Lh0Ug5Ka2Xw8Jn3Ti7QoAiB4mZ8qT1vN6bC2dR7sW4hJ9gF0aLpE5uXcYk3m",
      userHandle: "W2I3ZjNjMmUtOGE0MS00ZDBi",
    },
  },
};
export const OAUTH_LINK_REQUEST = { redirectTo: "https://app.example.com/account/sign-in-methods" };
export const OAUTH_LINK = {
  url: "https://accounts.google.com/o/oauth2/v2/auth?client_id=atlas&response_type=code&scope=openid%20email&state=Qx7mT2vN9bC4&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&nonce=Zk3pR8sW1h",
};
