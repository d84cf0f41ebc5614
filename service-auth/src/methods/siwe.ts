import { registerSiweRoutes } from "../routes/auth/siwe.ts";
import { defineMethod } from "./manifest.ts";

const method = { id: "siwe", label: "Ethereum", tag: "login: Ethereum" } as const;

/** Sign-In with Ethereum (EIP-4361): `GET /auth/siwe/nonce`, `POST /auth/siwe/verify`. */
export const siweMethod = defineMethod({
  ...method,
  available: () => true,
  register: (app, deps) => registerSiweRoutes(app, deps, method),
});
