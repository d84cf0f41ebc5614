import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AuthEnv, Deps } from "../ports.ts";

/**
 * `GET /dev/outbox`: development mode only (api.md) — every e-mail and SMS that would have been
 * sent, newest first. Not registered at all in production, so it answers 404 there.
 */
export function registerDevRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps) {
  const outbox = deps.devOutbox;
  if (!outbox) return;
  app.get("/dev/outbox", (c) => {
    c.header("Cache-Control", "no-store");
    return c.json({ items: outbox.list() });
  });
}
