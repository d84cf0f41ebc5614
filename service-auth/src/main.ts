import { exitOnSignals, runMain, startHttpServer } from "@atlas/service-kit";
import { createApp } from "./app.ts";
import { loadAuthConfig } from "./config.ts";
import { buildDeps, closeDeps, connectDatabase } from "./deps.ts";

// Read env, build deps, listen — nothing else.
runMain("service-auth", async () => {
  const config = loadAuthConfig();
  const deps = buildDeps(config, connectDatabase(config));
  const server = await startHttpServer(createApp(deps).fetch, config.PORT, config.HOST);
  deps.logger.info({ url: `http://${config.HOST}:${server.port}` }, "service-auth listening");
  exitOnSignals(deps.logger, async () => {
    await server.close();
    await closeDeps(deps);
  });
});
