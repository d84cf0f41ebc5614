import { createHash, timingSafeEqual } from "node:crypto";
import { AppError } from "@atlas/errors";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Env } from "hono";
import type { Registry } from "prom-client";
import { registerApiReference } from "./docs.ts";
import type { DocumentLike } from "./docs-curl.ts";
import { withProblemExamples } from "./problem-examples.ts";

/** A readiness check resolves when the dependency answers and rejects (or times out) when not. */
export type ReadinessCheck = () => Promise<void>;

const READY_TIMEOUT_MS = 2_000;

async function runCheck(check: ReadinessCheck): Promise<{ status: "ok" | "error"; ms: number }> {
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("timeout")), READY_TIMEOUT_MS);
      }),
    ]);
    return { status: "ok", ms: Math.round(performance.now() - start) };
  } catch {
    // The reason stays out of the response: it may name hosts or credentials.
    return { status: "error", ms: Math.round(performance.now() - start) };
  } finally {
    clearTimeout(timer);
  }
}

const HealthSchema = z.object({ status: z.literal("ok"), service: z.string() }).openapi("Health");
const CheckSchema = z.object({ status: z.enum(["ok", "error"]), ms: z.number().int() });
const ReadySchema = z
  .object({ status: z.enum(["ready", "not_ready"]), checks: z.record(z.string(), CheckSchema) })
  .openapi("Readiness");

/** What `/ready` answers when the first check is `first` and the others are ok. */
function readyExample(readiness: Record<string, ReadinessCheck>, first: "ok" | "error") {
  const names = Object.keys(readiness);
  const checks = Object.fromEntries(
    names.map((n, i) => [
      n,
      { status: i === 0 ? first : "ok", ms: first === "error" && i === 0 ? READY_TIMEOUT_MS : 3 },
    ]),
  );
  return { status: first === "ok" ? "ready" : "not_ready", checks };
}

/** The tag of the routes below, declared in every service's document. */
const OPERATIONS_TAG = {
  name: "operations",
  description: "Liveness and readiness probes for orchestrators and load balancers. No authentication.",
};

export function registerOperationalRoutes<E extends Env>(
  app: OpenAPIHono<E>,
  options: {
    name: string;
    version: string;
    description: string;
    tags?: readonly { name: string; description: string }[];
    readiness: Record<string, ReadinessCheck>;
    registry: Registry;
    metricsRoute: boolean;
    metricsTokens?: readonly string[];
  },
) {
  app.openapi(
    createRoute({
      method: "get",
      path: "/health",
      tags: ["operations"],
      summary: "Liveness: the process is up",
      description:
        "For orchestrators' liveness probes: answers 200 while the process serves requests, without touching any dependency, so a database outage does not get the process restarted.",
      responses: {
        200: {
          description: "Up",
          content: { "application/json": { schema: HealthSchema, example: { status: "ok", service: options.name } } },
        },
      },
    }),
    (c) => c.json({ status: "ok" as const, service: options.name }, 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/ready",
      tags: ["operations"],
      summary: "Readiness: every dependency (database, ...) answers",
      description: `For load balancers' readiness probes: each dependency (${Object.keys(options.readiness).join(", ")}) is checked within 2 seconds; 503 while one does not answer, so traffic goes to other instances. Why a check failed is never in the answer (it could name hosts or credentials).`,
      responses: {
        200: {
          description: "Ready",
          content: { "application/json": { schema: ReadySchema, example: readyExample(options.readiness, "ok") } },
        },
        503: {
          description: "A dependency is down",
          content: { "application/json": { schema: ReadySchema, example: readyExample(options.readiness, "error") } },
        },
      },
    }),
    async (c) => {
      const names = Object.keys(options.readiness);
      const results = await Promise.all(names.map((n) => runCheck(options.readiness[n] as ReadinessCheck)));
      const checks = Object.fromEntries(names.map((n, i) => [n, results[i] as { status: "ok" | "error"; ms: number }]));
      const ready = results.every((r) => r.status === "ok");
      c.header("Cache-Control", "no-store");
      return ready
        ? c.json({ status: "ready" as const, checks }, 200)
        : c.json({ status: "not_ready" as const, checks }, 503);
    },
  );

  if (options.metricsRoute) {
    const tokens = (options.metricsTokens ?? []).map(digest);
    app.get("/metrics", async (c) => {
      if (tokens.length > 0 && !bearsOneOf(c.req.header("authorization"), tokens)) {
        throw new AppError("INVALID_TOKEN", {
          detail: "GET /metrics needs a bearer token of METRICS_TOKENS",
          headers: { "WWW-Authenticate": 'Bearer realm="metrics"' },
        });
      }
      c.header("Content-Type", options.registry.contentType);
      return c.body(await options.registry.metrics());
    });
  }

  const document = () =>
    withProblemExamples(
      app.getOpenAPI31Document({
        openapi: "3.1.0",
        info: { title: options.name, version: options.version, description: options.description },
        tags: [...(options.tags ?? []), OPERATIONS_TAG],
      }),
    );
  app.get("/openapi.json", (c) => c.json(document()));
  registerApiReference(app, () => document() as unknown as DocumentLike);
}

const digest = (value: string) => createHash("sha256").update(value).digest();

/** True when `authorization` is `Bearer <t>` for one of the tokens (SHA-256 digests compared in constant time). */
function bearsOneOf(authorization: string | undefined, digests: Buffer[]): boolean {
  const match = /^Bearer ([^\s]+)$/i.exec(authorization ?? "");
  if (!match) return false;
  const presented = digest(match[1] as string);
  let found = false;
  for (const d of digests) found = timingSafeEqual(presented, d) || found;
  return found;
}

/**
 * Where a service exposes `GET /metrics`, from its configuration: on METRICS_PORT when set (the
 * main port then has no /metrics); else on the main port behind METRICS_TOKENS when given; else
 * on the main port openly in development and test only. In production with neither, the main port
 * has no /metrics (fail closed: the figures name tenants' traffic and the service's internals).
 */
export function metricsExposure(config: {
  NODE_ENV: string;
  METRICS_PORT?: number | undefined;
  METRICS_TOKENS: readonly string[];
}): { metricsRoute: boolean; metricsTokens: readonly string[]; hidden: boolean } {
  if (config.METRICS_PORT !== undefined) return { metricsRoute: false, metricsTokens: [], hidden: false };
  if (config.METRICS_TOKENS.length > 0)
    return { metricsRoute: true, metricsTokens: config.METRICS_TOKENS, hidden: false };
  const open = config.NODE_ENV !== "production";
  return { metricsRoute: open, metricsTokens: [], hidden: !open };
}
