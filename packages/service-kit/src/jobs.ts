import type { Counter, Histogram, Registry } from "prom-client";
import type { Logger } from "./logger.ts";
import { counter, histogram } from "./metrics.ts";

/** One periodic background job of a service process. */
export interface Job {
  /** Names the job in logs and metrics: a fixed name (a metric label), never an id. */
  name: string;
  /** The mean time between two scheduled runs. */
  everyMs: number;
  /** One run; a rejection is logged and counted, and the job keeps its schedule. */
  run: () => Promise<unknown>;
  /** Runs once at start too (default: the first run comes one interval after start). */
  runAtStart?: boolean;
  /** Called once by `stop()` after the job's last run drained (release what runs hold: a leader lock). */
  stop?: () => Promise<void>;
}

export interface JobsOptions {
  logger: Logger;
  /** The process's Prometheus registry: per-job runs, failures, skips and durations are recorded there. */
  metrics?: Registry;
  /**
   * Each wait is `everyMs` spread by up to ± this fraction (default 0.1), so instances started
   * together do not run in lockstep. 0 runs on an exact cadence.
   */
  jitter?: number;
  /** Randomness of the jitter, in [0, 1) (tests fix it). */
  random?: () => number;
}

export interface RunningJobs {
  /**
   * Stops scheduling and resolves once the runs in progress have finished: await it before
   * closing what the jobs use (the database pool).
   */
  stop(): Promise<void>;
}

interface JobMetrics {
  runs: Counter<"job">;
  failures: Counter<"job">;
  skipped: Counter<"job">;
  duration: Histogram<"job">;
}

function jobMetrics(registry: Registry): JobMetrics {
  return {
    runs: counter(registry, { name: "job_runs_total", help: "Background job runs by job", labelNames: ["job"] }),
    failures: counter(registry, {
      name: "job_failures_total",
      help: "Background job runs that failed, by job",
      labelNames: ["job"],
    }),
    skipped: counter(registry, {
      name: "job_skipped_total",
      help: "Scheduled background job runs skipped because the previous run of the job was still running",
      labelNames: ["job"],
    }),
    duration: histogram(registry, {
      name: "job_duration_seconds",
      help: "Background job run duration by job",
      labelNames: ["job"],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    }),
  };
}

function validate(jobs: readonly Job[], jitter: number): void {
  if (!(jitter >= 0 && jitter < 1)) throw new RangeError(`jitter must be in [0, 1), got ${jitter}`);
  const names = new Set<string>();
  for (const job of jobs) {
    if (!(Number.isFinite(job.everyMs) && job.everyMs > 0)) {
      throw new RangeError(`job ${job.name}: everyMs must be a positive number, got ${job.everyMs}`);
    }
    if (names.has(job.name)) throw new Error(`job ${job.name} is listed twice`);
    names.add(job.name);
  }
}

/**
 * Runs each job every `everyMs` (± jitter) until `stop()`:
 * - never two runs of the same job at once on this process (a tick that finds the previous run
 *   still going is skipped and counted);
 * - a failed run is logged (`job` names it) and counted, and the next tick runs as scheduled;
 * - timers are unref'd: the jobs never keep the process alive on their own;
 * - `stop()` resolves when the runs in progress have drained and each job's own `stop` is done.
 * Ticks follow the schedule, not the end of runs: a slow run delays nothing but its own skips.
 */
export function startJobs(jobs: readonly Job[], options: JobsOptions): RunningJobs {
  const jitter = options.jitter ?? 0.1;
  const random = options.random ?? Math.random;
  validate(jobs, jitter);
  const metrics = options.metrics ? jobMetrics(options.metrics) : null;
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<Promise<void>>();
  let stopped = false;

  const startJob = (job: Job) => {
    let running: Promise<void> | null = null;
    const runOnce = () => {
      if (running) {
        metrics?.skipped.inc({ job: job.name });
        return;
      }
      const started = performance.now();
      const run = (async () => {
        try {
          await job.run();
        } catch (error) {
          metrics?.failures.inc({ job: job.name });
          options.logger.error({ err: error, job: job.name }, "background job failed");
        } finally {
          metrics?.runs.inc({ job: job.name });
          metrics?.duration.observe({ job: job.name }, (performance.now() - started) / 1000);
        }
      })();
      running = run;
      inFlight.add(run);
      void run.finally(() => {
        running = null;
        inFlight.delete(run);
      });
    };
    const schedule = () => {
      if (stopped) return;
      const delay = job.everyMs * (1 + jitter * (2 * random() - 1));
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (stopped) return;
        schedule();
        runOnce();
      }, delay);
      timer.unref();
      timers.add(timer);
    };
    schedule();
    if (job.runAtStart) runOnce();
  };

  for (const job of jobs) startJob(job);
  return {
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.all(inFlight);
      await Promise.all(jobs.map((job) => job.stop?.()));
    },
  };
}
