// Generated from service-auth's login method manifests (service-auth/src/methods/) by
// `pnpm run generate:login-methods`: do not edit. test/login-methods.test.ts fails when it drifts.

/** Every login method service-auth serves, with its label, in the order the sign-in page offers them. */
export const LOGIN_METHOD_LIST = [
  { id: "email", label: "E-mail" },
  { id: "sms", label: "SMS" },
  { id: "siwe", label: "Ethereum" },
  { id: "siws", label: "Solana" },
  { id: "arweave", label: "Arweave" },
  { id: "passkey", label: "Passkey" },
  { id: "oauth:google", label: "Google" },
  { id: "oauth:github", label: "GitHub" },
  { id: "oauth:discord", label: "Discord" },
  { id: "oauth:twitter", label: "X (Twitter)" },
  { id: "oauth:oidc", label: "Single sign-on" },
] as const;
