import { registerSmsRoutes } from "../routes/auth/sms.ts";
import { defineMethod } from "./manifest.ts";

const doc = { label: "SMS", tag: "login: sms" };

/** One-time codes by text message: `POST /auth/sms/start`, `POST /auth/sms/verify`. */
export const smsMethod = defineMethod({
  id: "sms",
  ...doc,
  available: (deps) => deps.sms.kind !== "unconfigured",
  register: (app, deps) => registerSmsRoutes(app, deps, doc),
});
