import type { SqlQueryable } from "@atlas/db";
import { HOUR_MS } from "./metering.ts";
import type { Owner } from "./storage.ts";

export type Granularity = "hour" | "day";
export const SERIES_METRICS = ["requests", "storage_bytes", "transfer_bytes"] as const;
export type SeriesMetric = (typeof SERIES_METRICS)[number];

export interface UsageSeries {
  from: string;
  to: string;
  granularity: Granularity;
  series: { metric: SeriesMetric; points: { t: string; value: number }[] }[];
}

/** Which series a stored metric adds to (storage byte-hours become average bytes below). */
const SERIES_OF: Record<string, SeriesMetric> = {
  requests: "requests",
  transfer_in_bytes: "transfer_bytes",
  transfer_out_bytes: "transfer_bytes",
  storage_byte_hours: "storage_bytes",
};

const BUCKET_MS: Record<Granularity, number> = { hour: HOUR_MS, day: 24 * HOUR_MS };
/** Most buckets one answer holds (31 days of hours, about 13 months of days). */
export const MAX_BUCKETS = 800;

export const alignDown = (ms: number, size: number) => Math.floor(ms / size) * size;
export const alignUp = (ms: number, size: number) => Math.ceil(ms / size) * size;

/** How many buckets [from, to) spans at this granularity once aligned to bucket boundaries (UTC). */
export function bucketCount(from: Date, to: Date, granularity: Granularity): number {
  const size = BUCKET_MS[granularity];
  return (alignUp(to.getTime(), size) - alignDown(from.getTime(), size)) / size;
}

/**
 * The caller's usage per bucket: `requests` (count), `transfer_bytes` (in + out) and
 * `storage_bytes` — the average bytes stored over the bucket (its storage byte-hours divided by
 * the bucket's hours). Buckets are UTC hours or days; `from` is aligned down and `to` up to them,
 * and every bucket has a point (zero when nothing was used). Counts still in a process's memory
 * (at most one flush interval) are not in yet.
 */
export async function usageSeries(
  db: SqlQueryable,
  owner: Owner,
  fromDate: Date,
  toDate: Date,
  granularity: Granularity,
): Promise<UsageSeries> {
  const size = BUCKET_MS[granularity];
  const from = alignDown(fromDate.getTime(), size);
  const to = alignUp(toDate.getTime(), size);
  const rows = await db.query<{ metric: string; t: Date; total: string }>(
    `SELECT "metric", date_bin($5::interval, "hourStart", $3::timestamptz) AS t, sum("value")::text AS total
       FROM "cloud"."cloud_usage_records"
      WHERE "tenantId" = $1 AND "userId" = $2 AND "hourStart" >= $3 AND "hourStart" < $4
      GROUP BY 1, 2`,
    [owner.tenantId, owner.userId, new Date(from), new Date(to), granularity === "hour" ? "1 hour" : "1 day"],
  );
  const buckets = (to - from) / size;
  const values: Record<SeriesMetric, number[]> = {
    requests: new Array(buckets).fill(0),
    storage_bytes: new Array(buckets).fill(0),
    transfer_bytes: new Array(buckets).fill(0),
  };
  for (const r of rows) {
    const i = Math.round((new Date(r.t).getTime() - from) / size);
    const into = SERIES_OF[r.metric];
    if (into) values[into][i] = (values[into][i] ?? 0) + Number(r.total);
  }
  const hoursPerBucket = size / HOUR_MS;
  values.storage_bytes = values.storage_bytes.map((byteHours) => Math.floor(byteHours / hoursPerBucket));
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    granularity,
    series: SERIES_METRICS.map((metric) => ({
      metric,
      points: values[metric].map((value, i) => ({ t: new Date(from + i * size).toISOString(), value })),
    })),
  };
}
