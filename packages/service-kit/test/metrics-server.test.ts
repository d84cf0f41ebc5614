import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import {
  type BaseVariables,
  createLogger,
  createMetricsRegistry,
  createServiceApp,
  startHttpServer,
  startMetricsServer,
} from "../src/index.ts";

const silent = () =>
  createLogger({ name: "svc", level: "silent", destination: new Writable({ write: (_c, _e, cb) => cb() }) });

function makeApp(metricsRoute?: boolean) {
  const registry = createMetricsRegistry("svc");
  const app = createServiceApp<{ Variables: BaseVariables }>({
    name: "svc",
    version: "1.0.0",
    description: "test service",
    logger: silent(),
    readiness: {},
    registry,
    ...(metricsRoute === undefined ? {} : { metricsRoute }),
  });
  return { app, registry };
}

describe("METRICS_PORT: /metrics on a port of its own", () => {
  it("the app keeps /metrics by default (one port, as in development)", async () => {
    const { app } = makeApp();
    expect((await app.request("/metrics")).status).toBe(200);
  });

  it("with metricsRoute false the public listener answers 404 at /metrics, and the metrics port serves the same registry", async () => {
    const { app, registry } = makeApp(false);
    const main = await startHttpServer((request) => app.fetch(request), 0, "127.0.0.1");
    const metrics = await startMetricsServer(registry, 0, "127.0.0.1");
    try {
      expect(metrics.port).not.toBe(main.port);
      await fetch(`http://127.0.0.1:${main.port}/health`);
      const hidden = await fetch(`http://127.0.0.1:${main.port}/metrics`);
      expect(hidden.status).toBe(404);
      expect(hidden.headers.get("content-type")).toContain("application/problem+json");
      expect(await hidden.text()).not.toContain("http_requests_total");

      const res = await fetch(`http://127.0.0.1:${metrics.port}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe(registry.contentType);
      // The request counted on the main listener shows on the metrics port.
      expect(await res.text()).toMatch(/^http_requests_total\{[^}]*route="\/health"[^}]*\} 1$/m);
      // The metrics port serves nothing else: not the app, not a directory of paths.
      expect((await fetch(`http://127.0.0.1:${metrics.port}/health`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${metrics.port}/metrics`, { method: "POST" })).status).toBe(404);
    } finally {
      await Promise.all([main.close(), metrics.close()]);
    }
  });
});
