import type { SqlQueryable } from "@atlas/db";
import { type Logger, type MetricsRegistry, type RunningJobs, startJobs } from "@atlas/service-kit";

/** What is counted per (tenant, user, metric, hour). */
export const USAGE_METRICS = ["requests", "transfer_in_bytes", "transfer_out_bytes", "storage_byte_hours"] as const;
export type UsageMetric = (typeof USAGE_METRICS)[number];

export const HOUR_MS = 3_600_000;

/** Start of the UTC hour containing `ms`. */
export const hourStartOf = (ms: number) => ms - (((ms % HOUR_MS) + HOUR_MS) % HOUR_MS);

/** One row of `cloud_usage_records` to add. */
export interface UsageDelta {
  tenantId: string;
  userId: string;
  metric: UsageMetric;
  hourStart: number;
  value: number;
}

/** Rows per INSERT statement (parameters are arrays: one statement, five parameters). */
const MAX_ROWS_PER_STATEMENT = 5_000;

const UPSERT_SQL = `
INSERT INTO "cloud"."cloud_usage_records" ("tenantId", "userId", "metric", "hourStart", "value", "updatedAt")
SELECT x.t, x.u, x.m, x.h, x.v, $6
  FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::bigint[]) AS x(t, u, m, h, v)
ON CONFLICT ("tenantId", "userId", "metric", "hourStart")
DO UPDATE SET "value" = "cloud_usage_records"."value" + EXCLUDED."value", "updatedAt" = EXCLUDED."updatedAt"`;

/**
 * Adds usage rows in as few statements as possible. Rows are sorted by key first: two writers
 * (two instances flushing, or a flush and a storage change) then lock the same rows in the same
 * order and cannot deadlock.
 */
export async function addUsage(db: SqlQueryable, deltas: UsageDelta[], now: Date): Promise<void> {
  const rows = deltas.filter((d) => d.value !== 0);
  rows.sort(
    (a, b) =>
      cmp(a.tenantId, b.tenantId) || cmp(a.userId, b.userId) || cmp(a.metric, b.metric) || a.hourStart - b.hourStart,
  );
  for (let i = 0; i < rows.length; i += MAX_ROWS_PER_STATEMENT) {
    const part = rows.slice(i, i + MAX_ROWS_PER_STATEMENT);
    await db.query(UPSERT_SQL, [
      part.map((r) => r.tenantId),
      part.map((r) => r.userId),
      part.map((r) => r.metric),
      part.map((r) => new Date(r.hourStart).toISOString()),
      part.map((r) => String(r.value)),
      now,
    ]);
  }
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Storage byte-hours for `bytes` held from `fromMs` to `toMs`, split at hour boundaries (each
 * hour's share goes to that hour's bucket). Integer byte-hours, rounded down per bucket (less
 * than one byte-hour per bucket is dropped); BigInt inside, since bytes × ms overflows doubles.
 */
export function byteHoursByHour(bytes: number, fromMs: number, toMs: number): { hourStart: number; value: number }[] {
  const out: { hourStart: number; value: number }[] = [];
  if (bytes <= 0 || toMs <= fromMs) return out;
  const b = BigInt(bytes);
  for (let start = fromMs; start < toMs; ) {
    const hour = hourStartOf(start);
    const end = Math.min(hour + HOUR_MS, toMs);
    const value = Number((b * BigInt(end - start)) / BigInt(HOUR_MS));
    if (value > 0) out.push({ hourStart: hour, value });
    start = end;
  }
  return out;
}

interface Bucket {
  tenantId: string;
  userId: string;
  metric: UsageMetric;
  hourStart: number;
  value: number;
}

export interface UsageMeterOptions {
  db: SqlQueryable;
  logger: Logger;
  now: () => Date;
  /** Flush cadence (api: at most 1 s). */
  flushIntervalMs: number;
  /** The process's registry, for the flush job's metrics (`usage_flush`). */
  metrics?: MetricsRegistry;
}

/**
 * Counts usage in memory and writes it to Postgres in batches.
 *
 * `record` is a map update (no I/O on the request path). Every `flushIntervalMs` (and on
 * `stop()`, which SIGTERM calls) the counts collected so far are swapped out and added to
 * `cloud_usage_records` with one multi-row upsert per 5,000 keys: many requests of one user in
 * one hour become one row update.
 *
 * Loss window: what a process holds in memory when it dies without `stop()` (SIGKILL, OOM, power
 * loss) is lost — at most one flush interval of counts, plus a batch whose statement was in
 * flight (its transaction aborts). A batch that fails is merged back and retried on the next
 * tick; if the database committed it but the acknowledgement was lost, that batch is counted
 * twice (rare; the reconciliation job cannot tell it apart from real traffic).
 */
export class UsageMeter {
  private pending = new Map<string, Bucket>();
  private flusher: RunningJobs | null = null;
  private flushing: Promise<number> | null = null;
  /** Events recorded since start (for benchmarks and metrics). */
  recorded = 0;

  constructor(private readonly options: UsageMeterOptions) {}

  /** Counts `value` of `metric` for the customer in the hour containing `at` (default: now). */
  record(tenantId: string, userId: string, metric: UsageMetric, value: number, at?: Date): void {
    if (value <= 0) return;
    const hourStart = hourStartOf((at ?? this.options.now()).getTime());
    const key = `${tenantId}\u0001${userId}\u0001${metric}\u0001${hourStart}`;
    const bucket = this.pending.get(key);
    if (bucket) bucket.value += value;
    else this.pending.set(key, { tenantId, userId, metric, hourStart, value });
    this.recorded += 1;
  }

  /** Keys waiting for the next flush. */
  get pendingKeys(): number {
    return this.pending.size;
  }

  /** Unflushed count of one customer's metric in the hour containing `at`. */
  pendingValue(tenantId: string, userId: string, metric: UsageMetric, at: Date): number {
    return this.pending.get(`${tenantId}\u0001${userId}\u0001${metric}\u0001${hourStartOf(at.getTime())}`)?.value ?? 0;
  }

  /** Writes what has been counted; resolves with the number of rows written. One flush at a time. */
  flush(): Promise<number> {
    if (this.flushing)
      return this.flushing.then(
        () => this.flush(),
        () => this.flush(),
      );
    if (this.pending.size === 0) return Promise.resolve(0);
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = (async () => {
      try {
        await addUsage(this.options.db, [...batch.values()], this.options.now());
        return batch.size;
      } catch (error) {
        // Keep the counts: merged back, retried on the next tick.
        for (const [key, b] of batch) {
          const current = this.pending.get(key);
          if (current) current.value += b.value;
          else this.pending.set(key, b);
        }
        throw error;
      } finally {
        this.flushing = null;
      }
    })();
    return this.flushing;
  }

  /** Flushes every `flushIntervalMs` until {@link stop}; a tick during a flush is skipped. */
  start(): void {
    if (this.flusher) return;
    this.flusher = startJobs(
      [
        {
          name: "usage_flush",
          everyMs: this.options.flushIntervalMs,
          run: async () => {
            if (!this.flushing) await this.flush();
          },
        },
      ],
      // An exact cadence: the api promises counts are written within the flush interval.
      { logger: this.options.logger, metrics: this.options.metrics, jitter: 0 },
    );
  }

  /** Stops the flushes, waits for one in progress, and writes what is left (the SIGTERM path). */
  async stop(): Promise<void> {
    const flusher = this.flusher;
    this.flusher = null;
    await flusher?.stop();
    await this.flush();
  }
}
