import {
  Counter,
  type CounterConfiguration,
  collectDefaultMetrics,
  Gauge,
  type GaugeConfiguration,
  Histogram,
  type HistogramConfiguration,
  Registry,
} from "prom-client";

export type { Registry as MetricsRegistry } from "prom-client";

/**
 * A service process's Prometheus registry: every metric carries `service`, and Node process
 * metrics are collected. The HTTP metrics of the app (createServiceApp's `registry`) and the
 * background jobs' metrics (startJobs' `metrics`) share it, so `/metrics` shows both.
 */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** The counter named `config.name` in `registry`, registered on first use (apps and job sets may share a registry). */
export function counter<L extends string>(registry: Registry, config: CounterConfiguration<L>): Counter<L> {
  return (
    (registry.getSingleMetric(config.name) as Counter<L> | undefined) ??
    new Counter({ ...config, registers: [registry] })
  );
}

/**
 * The gauge named `config.name` in `registry`, registered on first use. A gauge read from the
 * database sets itself in `config.collect`, which prom-client awaits on each scrape of `/metrics`:
 * the query runs per scrape, never per request.
 */
export function gauge<L extends string>(registry: Registry, config: GaugeConfiguration<L>): Gauge<L> {
  return (
    (registry.getSingleMetric(config.name) as Gauge<L> | undefined) ?? new Gauge({ ...config, registers: [registry] })
  );
}

/** The histogram named `config.name` in `registry`, registered on first use. */
export function histogram<L extends string>(registry: Registry, config: HistogramConfiguration<L>): Histogram<L> {
  return (
    (registry.getSingleMetric(config.name) as Histogram<L> | undefined) ??
    new Histogram({ ...config, registers: [registry] })
  );
}

/**
 * HTTP request metrics in `registry` (a new per-app registry with Node process metrics when
 * none is given).
 */
export function createMetrics(service: string, registry: Registry = createMetricsRegistry(service)) {
  const requests = counter(registry, {
    name: "http_requests_total",
    help: "HTTP requests by method, route and status",
    labelNames: ["method", "route", "status"] as const,
  });
  const duration = histogram(registry, {
    name: "http_request_duration_seconds",
    help: "HTTP request duration by method and route",
    labelNames: ["method", "route"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  });

  /** Records one request; `route` is the matched pattern, never the raw path (ids in paths would explode cardinality). */
  function observe(method: string, route: string, status: number, seconds: number): void {
    requests.inc({ method, route, status: String(status) });
    duration.observe({ method, route }, seconds);
  }
  return { registry, observe };
}

/** One event type's outbox backlog (what @atlas/outbox's `outboxBacklog` reads). */
export interface OutboxBacklogRow {
  eventType: string;
  lagSeconds: number;
  parked: number;
}

/**
 * The outbox gauges of the consumer `consumer`, read from the database on each scrape:
 * `outbox_lag_seconds` (age of the oldest due, unprocessed event) and `outbox_parked_events`
 * (the dead letter), per event type it consumes. One read serves both gauges of a scrape; a read
 * that fails leaves the last values (and is reported to `onError`) rather than failing `/metrics`.
 */
export function outboxGauges(
  registry: Registry,
  consumer: string,
  read: () => Promise<OutboxBacklogRow[]>,
  onError: (error: unknown) => void = () => {},
): void {
  let inFlight: Promise<OutboxBacklogRow[] | null> | null = null;
  const scrape = () => {
    inFlight ??= read()
      .catch((error: unknown) => {
        onError(error);
        return null;
      })
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  };
  gauge(registry, {
    name: "outbox_lag_seconds",
    help: "Seconds the oldest due, unprocessed outbox event has waited to be consumed, by consumer and event type",
    labelNames: ["consumer", "event_type"] as const,
    async collect() {
      for (const row of (await scrape()) ?? []) this.set({ consumer, event_type: row.eventType }, row.lagSeconds);
    },
  });
  gauge(registry, {
    name: "outbox_parked_events",
    help: "Outbox events parked in the dead letter (unprocessed), by consumer and event type",
    labelNames: ["consumer", "event_type"] as const,
    async collect() {
      for (const row of (await scrape()) ?? []) this.set({ consumer, event_type: row.eventType }, row.parked);
    },
  });
}
