import type { SqlQueryable } from "@atlas/db";
import { HOUR_MS } from "./metering.ts";
import type { Owner } from "./storage.ts";

export type Granularity = "hour" | "day";
export const SERIES_METRICS = ["requests", "storage_bytes", "storage_byte_hours", "transfer_bytes"] as const;
export type SeriesMetric = (typeof SERIES_METRICS)[number];

export interface UsageSeries {
  from: string;
  to: string;
  granularity: Granularity;
  series: { metric: SeriesMetric; points: { t: string; value: number }[] }[];
}

/** Which series a usage record adds to (`storage_bytes` is a level: it comes from {@link storageLevels}). */
const SERIES_OF: Record<string, SeriesMetric> = {
  requests: "requests",
  transfer_in_bytes: "transfer_bytes",
  transfer_out_bytes: "transfer_bytes",
  storage_byte_hours: "storage_byte_hours",
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
 * The level of bytes stored per bucket: the highest level the bucket saw. A bucket without a
 * change holds the level the last change before it left (an object stored yesterday still shows
 * today); a day's level is the highest of its hours.
 */
async function storageLevels(db: SqlQueryable, owner: Owner, from: number, to: number, size: number) {
  const [before] = await db.query<{ endBytes: string }>(
    `SELECT "endBytes" FROM "cloud"."cloud_storage_levels"
      WHERE "tenantId" = $1 AND "userId" = $2 AND "hourStart" < $3 ORDER BY "hourStart" DESC LIMIT 1`,
    [owner.tenantId, owner.userId, new Date(from)],
  );
  const rows = await db.query<{ hourStart: Date; peakBytes: string; endBytes: string }>(
    `SELECT "hourStart", "peakBytes", "endBytes" FROM "cloud"."cloud_storage_levels"
      WHERE "tenantId" = $1 AND "userId" = $2 AND "hourStart" >= $3 AND "hourStart" < $4 ORDER BY "hourStart"`,
    [owner.tenantId, owner.userId, new Date(from), new Date(to)],
  );
  let carried = Number(before?.endBytes ?? 0);
  const levels: number[] = [];
  let next = 0;
  for (let start = from; start < to; start += size) {
    // The level the bucket starts with, raised by the peak of each change inside it.
    let level = carried;
    for (let r = rows[next]; r && r.hourStart.getTime() < start + size; r = rows[++next]) {
      level = Math.max(level, Number(r.peakBytes));
      carried = Number(r.endBytes);
    }
    levels.push(level);
  }
  return levels;
}

/**
 * The caller's usage per bucket: `requests` (count), `transfer_bytes` (in + out),
 * `storage_bytes` — the level of bytes stored in the bucket (its highest value, see
 * {@link storageLevels}) — and `storage_byte_hours`, what storage billing counts. Buckets are UTC hours or days; `from` is aligned down and `to` up to them,
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
    storage_bytes: await storageLevels(db, owner, from, to, size),
    storage_byte_hours: new Array(buckets).fill(0),
    transfer_bytes: new Array(buckets).fill(0),
  };
  for (const r of rows) {
    const i = Math.round((new Date(r.t).getTime() - from) / size);
    const into = SERIES_OF[r.metric];
    if (into) values[into][i] = (values[into][i] ?? 0) + Number(r.total);
  }
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
