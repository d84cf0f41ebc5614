import { registerArweaveRoutes } from "../routes/auth/arweave.ts";
import { defineMethod } from "./manifest.ts";

const method = { id: "arweave", label: "Arweave", tag: "login: Arweave" } as const;

/** Arweave wallets (RSA-PSS signed message): `GET /auth/arweave/nonce`, `POST /auth/arweave/verify`. */
export const arweaveMethod = defineMethod({
  ...method,
  available: () => true,
  register: (app, deps) => registerArweaveRoutes(app, deps, method),
});
