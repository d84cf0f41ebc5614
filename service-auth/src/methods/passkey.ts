import { registerPasskeyRoutes } from "../routes/auth/passkey.ts";
import { defineMethod } from "./manifest.ts";

const doc = { label: "Passkey", tag: "login: passkey" };

/** WebAuthn passkeys: registration by a logged-in user, login, and managing one's passkeys. */
export const passkeyMethod = defineMethod({
  id: "passkey",
  ...doc,
  available: () => true,
  register: (app, deps) => registerPasskeyRoutes(app, deps, doc),
});
