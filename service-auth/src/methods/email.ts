import { registerEmailRoutes } from "../routes/auth/email.ts";
import { defineMethod } from "./manifest.ts";

const doc = { label: "E-mail", tag: "login: e-mail" };

/** Magic links: `POST /auth/email/start`, `POST /auth/email/verify`. */
export const emailMethod = defineMethod({
  id: "email",
  ...doc,
  available: (deps) => deps.email.kind !== "unconfigured",
  register: (app, deps) => registerEmailRoutes(app, deps, doc),
});
