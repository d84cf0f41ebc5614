import { exitOnSignals, runMain, startHttpServer } from "@atlas/service-kit";
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
  deps.logger.info({ url: `http://${config.HOST}:${server.port}` }, "service-auth listening");
  exitOnSignals(deps.logger, async () => {
    // Jobs, the outbox consumer and in-flight requests drain before the pool closes.
    await Promise.all([stopJobs(), server.close()]);
    await closeDeps(deps);
  });
});
