import { ServerResponse } from "node:http";
import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";

const ALLOW_HEADERS = ["Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id"];
const ALLOW_METHODS = ["GET", "PUT", "POST", "DELETE"];
const EXPOSE_HEADERS = "Retry-After,X-Request-Id";

/**
 * CORS for the configured origins, with the headers hono/cors gives them. Preflights go to
 * hono/cors itself; every other request gets its headers once the response exists. hono/cors
 * touches `c.res` before the route answers, which makes Hono copy the route's response into a
 * new one (its body re-wrapped in a stream): on `/health` that cost more than the route.
 */
export function originCors(origins: string[]): MiddlewareHandler {
  const preflight = cors({
    origin: (origin) => (origins.includes(origin) ? origin : null),
    allowHeaders: ALLOW_HEADERS,
    allowMethods: ALLOW_METHODS,
    exposeHeaders: EXPOSE_HEADERS.split(","),
    maxAge: 600,
  });
  return async function originCorsMiddleware(c, next) {
    if (c.req.method === "OPTIONS") return preflight(c, next);
    const origin = c.req.header("origin");
    const granted = origin !== undefined && origins.includes(origin);
    // On a Node server they go on the outgoing message, as the shell's own headers do (reading
    // `c.res.headers` would turn the response's plain header record into a Headers object, and
    // back, on every request). No cloud-api route sets Vary or these headers itself; one that did
    // would override them there.
    const outgoing = (c.env as { outgoing?: unknown } | undefined)?.outgoing;
    if (outgoing instanceof ServerResponse && !outgoing.headersSent) {
      if (granted) outgoing.setHeader("Access-Control-Allow-Origin", origin);
      outgoing.setHeader("Access-Control-Expose-Headers", EXPOSE_HEADERS);
      outgoing.setHeader("Vary", "Origin");
      return next();
    }
    await next();
    const headers = c.res.headers;
    if (granted) headers.set("Access-Control-Allow-Origin", origin);
    headers.set("Access-Control-Expose-Headers", EXPOSE_HEADERS);
    headers.append("Vary", "Origin");
  };
}
