import type { Deps } from "../deps.ts";
import { collectGarbage } from "./objects.ts";
import { accrueStorage } from "./storage.ts";

/** One pass of the periodic billing work; each step is idempotent and safe on several instances. */
export async function runPeriodicJobs(deps: Deps): Promise<void> {
  const now = deps.now();
  await accrueStorage(deps.database, now);
  await collectGarbage(deps.database, now, deps.config.BLOB_GC_GRACE_SEC * 1000);
}

/**
 * Background work of a cloud-api process: the usage meter's flushes and the periodic jobs.
 * Returns a function that stops everything and writes the last usage (the SIGTERM path).
 */
export function startBackground(deps: Deps): () => Promise<void> {
  deps.meter.start();
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    running = runPeriodicJobs(deps)
      .catch((error: unknown) => deps.logger.error({ err: error }, "periodic billing jobs failed"))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, deps.config.BILLING_JOB_INTERVAL_SEC * 1000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
    await deps.meter.stop();
  };
}
