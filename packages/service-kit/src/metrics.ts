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

const REQUESTS = "http_requests_total";
const DURATION = "http_request_duration_seconds";
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** One (method, route): its duration histogram and its request count per status. */
interface RouteSeries {
  labels: { method: string; route: string };
  /** Observations per bucket (not cumulative); the last slot is above the largest bound. */
  buckets: number[];
  sum: number;
  count: number;
  statuses: Map<number, number>;
}

/**
 * `http_requests_total` and `http_request_duration_seconds`, counted in plain maps on the hot
 * path and turned into prom-client's metric shape only when `/metrics` is scraped. prom-client's
 * own `inc(labels)` / `observe(labels)` hash and validate the label object on every call (children
 * from `labels()` too), which cost a visible share of a `/health` request. The exposition is the
 * one prom-client writes for a Counter and a Histogram with these labels and buckets.
 */
class HttpMetrics {
  readonly byMethod = new Map<string, Map<string, RouteSeries>>();
  /** Series and (series, status) pairs in first-seen order: the order prom-client exports them in. */
  readonly routes: RouteSeries[] = [];
  readonly statuses: [RouteSeries, number][] = [];

  observe(method: string, route: string, status: number, seconds: number): void {
    let routes = this.byMethod.get(method);
    if (!routes) {
      routes = new Map();
      this.byMethod.set(method, routes);
    }
    let series = routes.get(route);
    if (!series) {
      series = {
        labels: { method, route },
        buckets: new Array(BUCKETS.length + 1).fill(0),
        sum: 0,
        count: 0,
        statuses: new Map(),
      };
      routes.set(route, series);
      this.routes.push(series);
    }
    let i = 0;
    while (i < BUCKETS.length && seconds > (BUCKETS[i] as number)) i++;
    series.buckets[i] = (series.buckets[i] as number) + 1;
    series.sum += seconds;
    series.count += 1;
    const seen = series.statuses.get(status);
    if (seen === undefined) this.statuses.push([series, status]);
    series.statuses.set(status, (seen ?? 0) + 1);
  }

  reset(): void {
    this.byMethod.clear();
    this.routes.length = 0;
    this.statuses.length = 0;
  }
}

type MetricValue = {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
  sharedLabels?: Record<string, string>;
};

/** A metric object as prom-client's Registry reads it (`get`, `reset`, name, help, type). */
function exported(
  name: string,
  help: string,
  type: "counter" | "histogram",
  http: HttpMetrics,
  values: () => MetricValue[],
) {
  const shape = (vs: MetricValue[]) => ({ name, help, type, values: vs, aggregator: "sum" as const });
  return {
    name,
    help,
    type,
    aggregator: "sum" as const,
    http,
    getForPromString: async () => shape(values()),
    // As prom-client's get(): the shared (route) labels folded into each value's labels.
    get: async () =>
      shape(values().map(({ sharedLabels, labels, ...v }) => ({ ...v, labels: { ...labels, ...sharedLabels } }))),
    reset: () => http.reset(),
  };
}

function requestValues(http: HttpMetrics): MetricValue[] {
  const out: MetricValue[] = [];
  for (const [s, status] of http.statuses) {
    out.push({ labels: { ...s.labels, status: String(status) }, value: s.statuses.get(status) as number });
  }
  return out;
}

function durationValues(http: HttpMetrics): MetricValue[] {
  const out: MetricValue[] = [];
  for (const s of http.routes) {
    const sharedLabels = s.labels;
    let acc = 0;
    BUCKETS.forEach((le, i) => {
      acc += s.buckets[i] as number;
      out.push({ labels: { le }, sharedLabels, value: acc, metricName: `${DURATION}_bucket` });
    });
    out.push(
      { labels: { le: "+Inf" }, sharedLabels, value: s.count, metricName: `${DURATION}_bucket` },
      { labels: {}, sharedLabels, value: s.sum, metricName: `${DURATION}_sum` },
      { labels: {}, sharedLabels, value: s.count, metricName: `${DURATION}_count` },
    );
  }
  return out;
}

/**
 * HTTP request metrics in `registry` (a new per-app registry with Node process metrics when
 * none is given); apps sharing a registry share the series.
 */
export function createMetrics(service: string, registry: Registry = createMetricsRegistry(service)) {
  const existing = registry.getSingleMetric(REQUESTS) as unknown as { http?: HttpMetrics } | undefined;
  let http = existing?.http;
  if (!http) {
    http = new HttpMetrics();
    const h = http;
    const requests = exported(REQUESTS, "HTTP requests by method, route and status", "counter", h, () =>
      requestValues(h),
    );
    const duration = exported(DURATION, "HTTP request duration by method and route", "histogram", h, () =>
      durationValues(h),
    );
    registry.registerMetric(requests as unknown as Parameters<Registry["registerMetric"]>[0]);
    registry.registerMetric(duration as unknown as Parameters<Registry["registerMetric"]>[0]);
  }
  const series = http;
  /** Records one request; `route` is the matched pattern, never the raw path (ids in paths would explode cardinality). */
  function observe(method: string, route: string, status: number, seconds: number): void {
    series.observe(method, route, status, seconds);
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
