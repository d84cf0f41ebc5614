import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  type BaseVariables,
  createLogger,
  createMetricsRegistry,
  createServiceApp,
  type MetricsRegistry,
  startJobs,
} from "../src/index.ts";

function captureLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      cb();
    },
  });
  return { logger: createLogger({ name: "test", level: "info", destination }), lines };
}

/** A promise and the function that resolves it. */
function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** A counter's value for one job (0 before its first increment). */
async function metricValue(registry: MetricsRegistry, name: string, job: string): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  const sample = values.find((v) => v.labels.job === job);
  return sample?.value ?? 0;
}

describe("startJobs", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("runs each job every everyMs, first after one interval, or at once with runAtStart", async () => {
    const { logger } = captureLogger();
    const runs = { later: 0, atStart: 0 };
    const jobs = startJobs(
      [
        { name: "later", everyMs: 100, run: async () => void runs.later++ },
        { name: "at_start", everyMs: 100, runAtStart: true, run: async () => void runs.atStart++ },
      ],
      { logger, jitter: 0 },
    );
    expect(runs).toEqual({ later: 0, atStart: 1 });
    await vi.advanceTimersByTimeAsync(350);
    expect(runs).toEqual({ later: 3, atStart: 4 });
    await jobs.stop();
  });

  it("never starts a run while the previous run of the same job is running; other jobs are not held up", async () => {
    const { logger } = captureLogger();
    const registry = createMetricsRegistry("svc");
    const slow = gate();
    let slowRuns = 0;
    let fastRuns = 0;
    let concurrent = 0;
    let maxConcurrent = 0;
    const jobs = startJobs(
      [
        {
          name: "slow",
          everyMs: 100,
          run: async () => {
            slowRuns++;
            concurrent++;
            maxConcurrent = Math.max(maxConcurrent, concurrent);
            await slow.opened;
            concurrent--;
          },
        },
        { name: "fast", everyMs: 100, run: async () => void fastRuns++ },
      ],
      { logger, metrics: registry, jitter: 0 },
    );
    await vi.advanceTimersByTimeAsync(550);
    expect(slowRuns).toBe(1);
    expect(fastRuns).toBe(5);
    expect(await metricValue(registry, "job_skipped_total", "slow")).toBe(4);
    slow.open();
    await vi.advanceTimersByTimeAsync(0);
    expect(await metricValue(registry, "job_runs_total", "slow")).toBe(1);
    // The schedule went on meanwhile: the next tick (600 ms) starts the next run.
    await vi.advanceTimersByTimeAsync(50);
    expect(slowRuns).toBe(2);
    expect(maxConcurrent).toBe(1);
    await jobs.stop();
  });

  it("stop() resolves only once the runs in progress have drained, and nothing runs afterwards", async () => {
    const { logger } = captureLogger();
    const running = gate();
    let runs = 0;
    let finished = 0;
    const jobs = startJobs(
      [
        {
          name: "drained",
          everyMs: 100,
          run: async () => {
            runs++;
            await running.opened;
            finished++;
          },
        },
      ],
      { logger, jitter: 0 },
    );
    await vi.advanceTimersByTimeAsync(100);
    expect(runs).toBe(1);
    let stopped = false;
    const stopping = jobs.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(stopped).toBe(false);
    running.open();
    await stopping;
    expect(finished).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(runs).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("stop() calls each job's own stop once, after the job's last run drained", async () => {
    const { logger } = captureLogger();
    const running = gate();
    const order: string[] = [];
    const jobs = startJobs(
      [
        {
          name: "holds",
          everyMs: 100,
          run: async () => {
            order.push("run");
            await running.opened;
            order.push("ran");
          },
          stop: async () => {
            order.push("stop");
          },
        },
        { name: "plain", everyMs: 100, run: async () => {} },
      ],
      { logger, jitter: 0 },
    );
    await vi.advanceTimersByTimeAsync(100);
    const stopping = jobs.stop();
    await vi.advanceTimersByTimeAsync(10);
    expect(order).toEqual(["run"]);
    running.open();
    await stopping;
    expect(order).toEqual(["run", "ran", "stop"]);
  });

  it("logs and counts a failing run, and the job keeps its schedule", async () => {
    const { logger, lines } = captureLogger();
    const registry = createMetricsRegistry("svc");
    let runs = 0;
    const jobs = startJobs(
      [
        {
          name: "flaky",
          everyMs: 100,
          run: async () => {
            runs++;
            if (runs === 1) throw new Error("boom");
          },
        },
      ],
      { logger, metrics: registry, jitter: 0 },
    );
    await vi.advanceTimersByTimeAsync(100);
    expect(runs).toBe(1);
    const failure = lines.find((l) => l.msg === "background job failed");
    expect(failure).toMatchObject({ level: 50, job: "flaky", err: { message: "boom" } });
    expect(await metricValue(registry, "job_failures_total", "flaky")).toBe(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(runs).toBe(3);
    expect(await metricValue(registry, "job_runs_total", "flaky")).toBe(3);
    expect(await metricValue(registry, "job_failures_total", "flaky")).toBe(1);
    const text = await registry.metrics();
    expect(text).toMatch(/^job_duration_seconds_count\{[^}]*job="flaky"[^}]*\} 3$/m);
    await jobs.stop();
  });

  it("spreads each wait by up to ± jitter × everyMs (random 0 → −jitter, 0.75 → +jitter/2)", async () => {
    const { logger } = captureLogger();
    let runs = 0;
    const early = startJobs([{ name: "early", everyMs: 1_000, run: async () => void runs++ }], {
      logger,
      jitter: 0.2,
      random: () => 0,
    });
    await vi.advanceTimersByTimeAsync(799);
    expect(runs).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toBe(1);
    await early.stop();
    runs = 0;
    const late = startJobs([{ name: "late", everyMs: 1_000, run: async () => void runs++ }], {
      logger,
      jitter: 0.2,
      random: () => 0.75,
    });
    await vi.advanceTimersByTimeAsync(1_099);
    expect(runs).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toBe(1);
    await late.stop();
  });

  it("shares one registry between job sets and the app's HTTP metrics", async () => {
    const { logger } = captureLogger();
    const registry = createMetricsRegistry("svc");
    const a = startJobs([{ name: "a", everyMs: 100, run: async () => {} }], { logger, metrics: registry, jitter: 0 });
    const b = startJobs([{ name: "b", everyMs: 100, run: async () => {} }], { logger, metrics: registry, jitter: 0 });
    await vi.advanceTimersByTimeAsync(100);
    expect(await metricValue(registry, "job_runs_total", "a")).toBe(1);
    expect(await metricValue(registry, "job_runs_total", "b")).toBe(1);
    await Promise.all([a.stop(), b.stop()]);
    const options = { name: "svc", version: "1", description: "d", logger, readiness: {}, registry };
    // Two apps on one registry (tests build several): the HTTP metrics are registered once.
    createServiceApp<{ Variables: BaseVariables }>(options);
    const app = createServiceApp<{ Variables: BaseVariables }>(options);
    const text = await (await app.request("/metrics")).text();
    expect(text).toMatch(/^job_runs_total\{[^}]*job="a"[^}]*\} 1$/m);
    expect(text).toContain("http_requests_total");
  });

  it("refuses a bad schedule", () => {
    const { logger } = captureLogger();
    const run = async () => {};
    expect(() => startJobs([{ name: "x", everyMs: 0, run }], { logger })).toThrow(/everyMs/);
    expect(() => startJobs([{ name: "x", everyMs: Number.NaN, run }], { logger })).toThrow(/everyMs/);
    expect(() =>
      startJobs(
        [
          { name: "x", everyMs: 1, run },
          { name: "x", everyMs: 1, run },
        ],
        { logger },
      ),
    ).toThrow(/twice/);
    expect(() => startJobs([{ name: "x", everyMs: 1, run }], { logger, jitter: 1 })).toThrow(/jitter/);
  });
});

describe("startJobs timers", () => {
  it("never keep the process alive (unref)", async () => {
    const { logger } = captureLogger();
    const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const before = timeouts();
    const jobs = startJobs([{ name: "idle", everyMs: 60_000, run: async () => {} }], { logger });
    expect(timeouts()).toBe(before);
    await jobs.stop();
  });
});
