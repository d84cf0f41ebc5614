import { ServerResponse } from "node:http";
import { AppError, problemErrorHandler, problemNotFound, zodIssues } from "@atlas/errors";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context, Env, MiddlewareHandler, Next } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Logger } from "./logger.ts";
import { createMetrics, type MetricsRegistry } from "./metrics.ts";
import { type ReadinessCheck, registerOperationalRoutes } from "./operational.ts";

/** Context variables every Atlas app has. */
export interface BaseVariables {
  requestId: string;
}

export interface ServiceAppOptions {
  /** Service name for logs, metrics and the OpenAPI title. */
  name: string;
  version: string;
  /** The OpenAPI document's info.description: plain prose (the reference renders it as Markdown). */
  description: string;
  /** The document's top-level tags, each with its description (the reference's navigation groups). */
  tags?: readonly { name: string; description: string }[];
  logger: Logger;
  /** Named dependency checks for `/ready` (e.g. database, JWKS). */
  readiness: Record<string, ReadinessCheck>;
  /** Largest accepted request body; api.md: 1 MiB. */
  bodyLimitBytes?: number;
  /** Paths (prefix match) exempt from the body limit, e.g. object uploads with their own limit. */
  bodyLimitExemptPrefixes?: string[];
  /**
   * Middleware that must run for every route, the operational ones included (e.g. CORS): Hono
   * applies middleware only to routes registered after it, and the operational routes are
   * registered here.
   */
  middleware?: MiddlewareHandler[];
  /**
   * The process's Prometheus registry (createMetricsRegistry), shared with its background jobs;
   * the app makes its own when none is given.
   */
  registry?: MetricsRegistry;
  /**
   * Serve `GET /metrics` on this app (default true). False when the metrics have a port of their
   * own (METRICS_PORT, startMetricsServer): the public listener then answers 404 there.
   */
  metricsRoute?: boolean;
  /**
   * When not empty, `GET /metrics` on this app answers only a request bearing one of these
   * tokens (compared in constant time); others get 401. See {@link metricsExposure}.
   */
  metricsTokens?: readonly string[];
}

const ONE_MIB = 1024 * 1024;
const BODILESS = new Set(["GET", "HEAD", "OPTIONS"]);

// The headers of hono's secureHeaders() defaults for an API, set from one static list (the
// generic middleware costs about a quarter of a bare route's throughput).
const SECURITY_HEADERS: [string, string][] = [
  ["Cross-Origin-Opener-Policy", "same-origin"],
  ["Cross-Origin-Resource-Policy", "same-site"],
  ["Origin-Agent-Cluster", "?1"],
  ["Referrer-Policy", "no-referrer"],
  ["Strict-Transport-Security", "max-age=15552000; includeSubDomains"],
  ["X-Content-Type-Options", "nosniff"],
  ["X-DNS-Prefetch-Control", "off"],
  ["X-Download-Options", "noopen"],
  ["X-Frame-Options", "SAMEORIGIN"],
  ["X-Permitted-Cross-Domain-Policies", "none"],
  ["X-XSS-Protection", "0"],
];

// Incoming X-Request-Id is honoured only if it is short and plain, so it cannot inject into logs.
/** `\u0000` in JSON text: a NUL escape, unless its backslash is itself escaped. */
const ESCAPED_NUL = /(?<!\\)(?:\\\\)*\\u0000/i;
const nulRefused = () =>
  new AppError("VALIDATION_FAILED", {
    detail: "NUL characters are not allowed in paths, query strings or bodies",
    extensions: { errors: [{ path: "request", message: "contains a NUL character" }] },
  });
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Whether the answer goes out before the request body was read to its end (a 413 from the body
 * limit, a 401 before an upload is read). The Node adapter then drains the rest for a bounded
 * time and destroys the socket past it; a keep-alive client that already queued its next request
 * on that connection sees it fail at the socket. `Connection: close` tells the client not to reuse
 * the connection, so no request is ever sent on a socket about to be dropped.
 */
function answeredBeforeBodyEnd(env: unknown, method: string): boolean {
  if (BODILESS.has(method)) return false;
  const incoming = (env as { incoming?: { readableEnded?: boolean; complete?: boolean } } | undefined)?.incoming;
  // Outside a Node server (app.request in tests) there is no connection to protect.
  if (!incoming || typeof incoming.readableEnded !== "boolean") return false;
  return !incoming.readableEnded && incoming.complete !== true;
}

/**
 * The Node response a request is answered on (@hono/node-server passes it as `env.outgoing`),
 * while its headers can still be set; none under `app.request` (tests) or another runtime.
 */
function nodeResponse(env: unknown): ServerResponse | undefined {
  const outgoing = (env as { outgoing?: unknown } | undefined)?.outgoing;
  return outgoing instanceof ServerResponse && !outgoing.headersSent ? outgoing : undefined;
}

/**
 * Creates an OpenAPIHono app with the behaviour every Atlas service shares: request ids,
 * request logs without secrets, Prometheus metrics, security headers, the body limit, zod
 * validation errors as 400 VALIDATION_FAILED, RFC 9457 errors, and the operational routes
 * (`/health`, `/ready`, `/metrics` unless `metricsRoute` is false, `/openapi.json`, `/docs`).
 *
 * @example
 * const app = createServiceApp<{ Variables: BaseVariables }>({ name: "service-auth", ... });
 * app.openapi(route, handler);
 */
export function createServiceApp<E extends Env & { Variables: BaseVariables }>(options: ServiceAppOptions) {
  const app = new OpenAPIHono<E>({
    defaultHook: (result) => {
      if (!result.success) {
        throw new AppError("VALIDATION_FAILED", {
          detail: `The request ${result.target} is invalid`,
          extensions: { errors: zodIssues(result.error) },
        });
      }
    },
  });
  const metrics = createMetrics(options.name, options.registry);
  const onError = problemErrorHandler(options.logger);
  const limit = options.bodyLimitBytes ?? ONE_MIB;
  const exempt = options.bodyLimitExemptPrefixes ?? [];
  const limiter = bodyLimit({
    maxSize: limit,
    onError: () => {
      throw new AppError("PAYLOAD_TOO_LARGE", { detail: `Request bodies are limited to ${limit} bytes` });
    },
  });
  /**
   * Refuses a NUL in the path or query, or in a JSON or form body (read from a clone), then runs
   * the rest of the chain. PostgreSQL text cannot hold a NUL byte: one could only end as a
   * database error (a 500), so it is a 400 here, before any route sees it.
   */
  async function refuseNulBytes(c: Context, next: Next): Promise<void> {
    if (c.req.url.includes("%00")) throw nulRefused();
    if (!BODILESS.has(c.req.method) && !exempt.some((p) => c.req.path.startsWith(p))) {
      const type = c.req.header("content-type") ?? "";
      const json = type.startsWith("application/json");
      if (json || type.startsWith("application/x-www-form-urlencoded")) {
        // A clone: the original stream stays unread for the route (and for middleware reading it raw).
        const text = await c.req.raw.clone().text();
        if (text.includes("\u0000") || (json ? ESCAPED_NUL.test(text) : text.includes("%00"))) throw nulRefused();
      }
    }
    await next();
  }

  // One middleware for every cross-cutting concern: each Hono layer has a cost, and these run
  // on every request. Order: request id → NUL refusal → body limit → handler → headers,
  // metrics, log.
  app.use(async function serviceShell(c, next) {
    const start = performance.now();
    const method = c.req.method;
    const incoming = c.req.header("x-request-id");
    // An incoming id is honoured only if short and plain, so it cannot inject into logs.
    const id = incoming && REQUEST_ID_PATTERN.test(incoming) ? incoming : crypto.randomUUID();
    c.set("requestId", id);
    // On a Node server the headers go on the outgoing message itself: Node merges the
    // response's own headers over them when it is written (a route's own value wins), for every
    // response however it was made. That keeps Hono's Headers object (slow to fill and to
    // convert back into Node's form) out of the response, which cost a third of `/health`.
    const outgoing = nodeResponse(c.env);
    if (outgoing) {
      for (const [name, value] of SECURITY_HEADERS) outgoing.setHeader(name, value);
      outgoing.setHeader("X-Request-Id", id);
    } else {
      // Elsewhere (app.request): prepared before the route answers, so that a response made
      // with c.json/c.body & co. is built with them (a route's own value of any of them wins);
      // responses made otherwise (a refusal below, `new Response` in a route) get them after,
      // without overriding.
      for (const [name, value] of SECURITY_HEADERS) c.header(name, value);
      c.header("X-Request-Id", id);
    }
    try {
      // Bodiless methods skip the body limit's stream wrapper: it costs more than half of a bare
      // route's throughput, and GET/HEAD/OPTIONS bodies are never read.
      if (BODILESS.has(method)) {
        // refuseNulBytes' path check, inline: one async layer less on every GET.
        if (c.req.url.includes("%00")) throw nulRefused();
        await next();
      } else if (exempt.some((p) => c.req.path.startsWith(p))) await refuseNulBytes(c, next);
      else await limiter(c, () => refuseNulBytes(c, next));
    } catch (error) {
      // The body limit and the NUL refusal answer before any route runs, inside this
      // middleware: answer here, so the refusal gets the same headers, metrics and log line.
      c.error = error as Error;
      c.res = await onError(error as Error, c);
    }
    if (!outgoing) {
      const headers = c.res.headers;
      if (headers.get("X-Request-Id") !== id) {
        headers.set("X-Request-Id", id);
        for (const [name, value] of SECURITY_HEADERS) if (!headers.has(name)) headers.set(name, value);
      }
    }
    if (answeredBeforeBodyEnd(c.env, method)) c.res.headers.set("Connection", "close");
    const route = c.req.routePath || "unmatched";
    const ms = performance.now() - start;
    metrics.observe(method, route, c.res.status, ms / 1000);
    // Method, route pattern and status only: paths and query strings can carry tokens. The line
    // is built only when it is written (LOG_LEVEL=warn in production-like runs).
    if (options.logger.isLevelEnabled("info")) {
      options.logger.info(
        { requestId: id, method, route, status: c.res.status, ms: Math.round(ms * 10) / 10 },
        "request",
      );
    }
  });
  for (const m of options.middleware ?? []) app.use(m);
  app.onError(onError);
  app.notFound(problemNotFound);

  registerOperationalRoutes(app, {
    ...options,
    registry: metrics.registry,
    metricsRoute: options.metricsRoute ?? true,
  });
  return app;
}
