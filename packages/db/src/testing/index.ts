export type { TestDatabaseInfo } from "./global-setup.ts";
export { isLoopbackHost } from "./network-guard.ts";
export { truncateAll, workerDatabaseUrl } from "./worker.ts";
