import { exitOnSignals, metricsExposure, runMain, startHttpServer, startMetricsServer } from "@atlas/service-kit";
import { createApp } from "./app.ts";
import { loadCloudConfig } from "./config.ts";
import { buildDeps, closeDeps, connectDatabase } from "./deps.ts";
import { startBackground } from "./services/jobs.ts";

// Read env, build deps, listen — nothing else.
runMain("service-cloud-api", async () => {
  const config = loadCloudConfig();
  const deps = buildDeps(config, connectDatabase(config));
  const server = await startHttpServer(createApp(deps).fetch, config.PORT, config.HOST);
  const stopBackground = startBackground(deps);
  const metrics = config.METRICS_PORT ? await startMetricsServer(deps.metrics, config.METRICS_PORT, config.HOST) : null;
  deps.logger.info(
    { url: `http://${config.HOST}:${server.port}`, metricsPort: metrics?.port ?? null },
    "service-cloud-api listening",
  );
  if (metricsExposure(config).hidden) {
    deps.logger.warn("GET /metrics is off: in production set METRICS_PORT (a private port) or METRICS_TOKENS (bearer)");
  }
  exitOnSignals(deps.logger, async () => {
    await Promise.all([server.close(), metrics?.close()]);
    // After the server: the last requests' usage is in memory until this final flush.
    await stopBackground();
    await closeDeps(deps);
  });
});
