export { type BaseVariables, createServiceApp, type ServiceAppOptions } from "./app.ts";
export { addressBucket, addressRange, clientAddress, proxyBlockList } from "./client-address.ts";
export { decodeCursor, encodeCursor } from "./cursor.ts";
export { renderApiReference } from "./docs.ts";
export { createLogger, type Logger, REDACTED_KEYS } from "./logger.ts";
export { createMetrics } from "./metrics.ts";
export type { ReadinessCheck } from "./operational.ts";
export { exitOnSignals, type RunningServer, runMain, startHttpServer } from "./server.ts";
