import { exitOnSignals, metricsExposure, runMain, startHttpServer, startMetricsServer } from "@atlas/service-kit";
import { createApp } from "./app.ts";
import { loadAuthConfig } from "./config.ts";
import { buildDeps, closeDeps, connectDatabase, initDeps, startBackgroundJobs } from "./deps.ts";

// Read env, build deps, listen — nothing else.
runMain("service-auth", async () => {
  const config = loadAuthConfig();
  const deps = buildDeps(config, connectDatabase(config));
  await initDeps(deps);
  const stopJobs = startBackgroundJobs(deps);
  const server = await startHttpServer(createApp(deps).fetch, config.PORT, config.HOST);
  const metrics = config.METRICS_PORT ? await startMetricsServer(deps.metrics, config.METRICS_PORT, config.HOST) : null;
  deps.logger.info(
    { url: `http://${config.HOST}:${server.port}`, metricsPort: metrics?.port ?? null },
    "service-auth listening",
  );
  if (metricsExposure(config).hidden) {
    deps.logger.warn("GET /metrics is off: in production set METRICS_PORT (a private port) or METRICS_TOKENS (bearer)");
  }
  exitOnSignals(deps.logger, async () => {
    // Jobs, the outbox consumer and in-flight requests drain before the pool closes.
    await Promise.all([stopJobs(), server.close(), metrics?.close()]);
    await closeDeps(deps);
  });
});
