import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import type { RunningServer } from "./server.ts";

/**
 * Serves `GET /metrics` (Prometheus text) of `registry` on a port of its own, so that the scrape
 * endpoint is reachable only where that port is (a private network, a sidecar), never through the
 * public listener. Everything else answers 404. The app then leaves `/metrics` out
 * (createServiceApp `metricsRoute: false`).
 *
 * @example
 * const metrics = config.METRICS_PORT ? await startMetricsServer(deps.metrics, config.METRICS_PORT, config.HOST) : null;
 */
export function startMetricsServer(registry: Registry, port: number, hostname: string): Promise<RunningServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (path !== "/metrics" || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found\n");
      return;
    }
    registry.metrics().then(
      (body) => {
        res.writeHead(200, { "Content-Type": registry.contentType, "Cache-Control": "no-store" });
        res.end(req.method === "HEAD" ? undefined : body);
      },
      () => res.writeHead(500, { "Content-Type": "text/plain" }).end("metrics unavailable\n"),
    );
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
          }),
      });
    });
  });
}
