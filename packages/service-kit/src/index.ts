export { type BaseVariables, createServiceApp, type ServiceAppOptions } from "./app.ts";
export { addressBucket, addressRange, clientAddress, isTrustedProxy, proxyBlockList } from "./client-address.ts";
export { decodeCursor, encodeCursor } from "./cursor.ts";
export { docsCsp, referenceDocument, renderApiReference } from "./docs.ts";
export { curlSample, mediaExample } from "./docs-curl.ts";
export { type Job, type JobsOptions, type RunningJobs, startJobs } from "./jobs.ts";
export { createLogger, type Logger, REDACTED_KEYS } from "./logger.ts";
export {
  counter,
  createMetrics,
  createMetricsRegistry,
  gauge,
  histogram,
  type MetricsRegistry,
  type OutboxBacklogRow,
  outboxGauges,
} from "./metrics.ts";
export { startMetricsServer } from "./metrics-server.ts";
export { metricsExposure, type ReadinessCheck } from "./operational.ts";
export { exitOnSignals, type RunningServer, runMain, startHttpServer } from "./server.ts";
