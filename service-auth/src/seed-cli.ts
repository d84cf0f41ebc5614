// `pnpm db:seed`: seed DATABASE_URL with the default tenant and the plan catalogue.
import { loadAuthConfig } from "./config.ts";
import { buildDeps, closeDeps, connectDatabase } from "./deps.ts";
import { seedDefaults } from "./seed.ts";

const config = loadAuthConfig();
const deps = buildDeps(config, connectDatabase(config));
try {
  await seedDefaults(deps.prisma, config);
  console.log("seeded: tenant `default`, plans");
} finally {
  await closeDeps(deps);
}
