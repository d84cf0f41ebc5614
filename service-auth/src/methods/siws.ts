import { registerSiwsRoutes } from "../routes/auth/siws.ts";
import { defineMethod } from "./manifest.ts";

const method = { id: "siws", label: "Solana", tag: "login: Solana" } as const;

/** Sign-In With Solana: `GET /auth/siws/nonce`, `POST /auth/siws/verify`. */
export const siwsMethod = defineMethod({
  ...method,
  available: () => true,
  register: (app, deps) => registerSiwsRoutes(app, deps, method),
});
