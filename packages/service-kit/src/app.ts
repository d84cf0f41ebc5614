import { AppError, problemErrorHandler, problemNotFound, zodIssues } from "@atlas/errors";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Env, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import type { Logger } from "./logger.ts";
import { createMetrics } from "./metrics.ts";
import { type ReadinessCheck, registerOperationalRoutes } from "./operational.ts";

/** Context variables every Atlas app has. */
export interface BaseVariables {
  requestId: string;
}

export interface ServiceAppOptions {
  /** Service name for logs, metrics and the OpenAPI title. */
  name: string;
  version: string;
  description: string;
  logger: Logger;
  /** Named dependency checks for `/ready` (e.g. database, JWKS). */
  readiness: Record<string, ReadinessCheck>;
  /** Largest accepted request body; api.md: 1 MiB. */
  bodyLimitBytes?: number;
  /** Paths (prefix match) exempt from the body limit, e.g. object uploads with their own limit. */
  bodyLimitExemptPrefixes?: string[];
}

const ONE_MIB = 1024 * 1024;
// Incoming X-Request-Id is honoured only if it is short and plain, so it cannot inject into logs.
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Creates an OpenAPIHono app with the behaviour every Atlas service shares: request ids,
 * request logs without secrets, Prometheus metrics, security headers, the body limit, zod
 * validation errors as 400 VALIDATION_FAILED, RFC 9457 errors, and the operational routes
 * (`/health`, `/ready`, `/metrics`, `/openapi.json`, `/docs`).
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
  const metrics = createMetrics(options.name);
  const limit = options.bodyLimitBytes ?? ONE_MIB;
  const exempt = options.bodyLimitExemptPrefixes ?? [];
  const limiter = bodyLimit({
    maxSize: limit,
    onError: () => {
      throw new AppError("PAYLOAD_TOO_LARGE", { detail: `Request bodies are limited to ${limit} bytes` });
    },
  });
  const limitBodies: MiddlewareHandler = async function limitBodies(c, next) {
    if (exempt.some((p) => c.req.path.startsWith(p))) return next();
    return limiter(c, next);
  };

  app.use(
    requestId({
      generator: () => crypto.randomUUID(),
      headerName: "X-Request-Id",
      limitLength: 64,
    }),
  );
  app.use(async function sanitiseRequestId(c, next) {
    if (!REQUEST_ID_PATTERN.test(c.get("requestId"))) c.set("requestId", crypto.randomUUID());
    c.header("X-Request-Id", c.get("requestId"));
    await next();
  });
  app.use(async function requestLog(c, next) {
    const start = performance.now();
    await next();
    // Method, route pattern and status only: paths and query strings can carry tokens.
    options.logger.info(
      {
        requestId: c.get("requestId"),
        method: c.req.method,
        route: c.req.routePath,
        status: c.res.status,
        ms: Math.round((performance.now() - start) * 10) / 10,
      },
      "request",
    );
  });
  app.use(metrics.middleware);
  app.use(secureHeaders({ crossOriginResourcePolicy: "same-site" }));
  app.use(limitBodies);
  app.onError(problemErrorHandler(options.logger));
  app.notFound(problemNotFound);

  registerOperationalRoutes(app, { ...options, registry: metrics.registry });
  return app;
}
