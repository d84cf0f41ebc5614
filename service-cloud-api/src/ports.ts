import type { BaseVariables } from "@atlas/service-kit";

// Types that app.ts shares with the routes and middleware it mounts. A leaf module: it imports
// no route, service or app.ts, so a route's `import type { CloudEnv }` runs no arrow back up.

/** The Hono environment of service-cloud-api's app: service-kit's request variables. */
export type CloudEnv = { Variables: BaseVariables };
