import { formatBytes, formatCount, UNITS_NOTE } from "@atlas/client/units";
import { useEffect, useId, useMemo, useRef, useState } from "react";
import type { AccountApi, Entitlements, UsageSeries } from "../account-api.ts";
import { type Bucket, UsageChart } from "./UsageChart.tsx";
import { Loaded, Panel, useLoad } from "./ui.tsx";

type Granularity = "hour" | "day";
const BUCKET_MS: Record<Granularity, number> = { hour: 3_600_000, day: 86_400_000 };
/** cloud-api answers at most 800 buckets: a long period is shown by the hour for its last 31 days. */
const MAX_HOURLY_MS = 31 * 86_400_000;
/** Until this much of the period has passed, usage is first shown by the hour. */
const HOURLY_FIRST_MS = 3 * 86_400_000;
/** The plans' storage allowance is byte-hours for a month of 730 hours (service-cloud-api plans.ts). */
const HOURS_PER_MONTH = 730;

interface MetricView {
  metric: "requests" | "transfer_bytes" | "storage_bytes";
  title: string;
  valueLabel: string;
  kind: "bytes" | "count";
  format: (n: number) => string;
}

/** Storage is a level (api.md "Usage levels": the bucket's highest bytes stored); the others add up per bucket. */
const METRICS: MetricView[] = [
  { metric: "storage_bytes", title: "Storage", valueLabel: "Stored (highest)", kind: "bytes", format: formatBytes },
  { metric: "requests", title: "Requests", valueLabel: "Requests", kind: "count", format: formatCount },
  { metric: "transfer_bytes", title: "Transfer", valueLabel: "In + out", kind: "bytes", format: formatBytes },
];

const day = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", year: "numeric", timeZone: "UTC" });

/**
 * This billing period's usage as cloud-api counts it (`GET /v1/entitlements`: the plan in force,
 * its period, its allowances, the bytes stored now): "x of y included" bars, then a chart per
 * metric by hour or day, from the period's start to its end.
 */
export function UsagePanel({ api }: { api: AccountApi }) {
  const ent = useLoad(api.entitlements);
  return (
    <Panel title="Usage this billing period">
      <Loaded state={ent.state} retry={ent.reload}>
        {(e) => <UsageView api={api} entitlements={e} />}
      </Loaded>
    </Panel>
  );
}

function UsageBar({
  label,
  used,
  included,
  format,
}: {
  label: string;
  used: number;
  included: number;
  format: (n: number) => string;
}) {
  const id = useId();
  const over = used > included;
  const text = `${format(used)} of ${format(included)} included${over ? ` (${format(used - included)} over)` : ""}`;
  const max = included > 0 ? included : Math.max(used, 1);
  return (
    <li className={`usage-bar${over ? " over" : ""}`}>
      <p className="row-text">
        <b id={id}>{label}</b> <span>{text}</span>
      </p>
      <div
        className="track"
        role="progressbar"
        aria-labelledby={id}
        aria-valuemin={0}
        aria-valuemax={max}
        aria-valuenow={Math.min(used, max)}
        aria-valuetext={text}
      >
        <div className="fill" style={{ width: `${Math.min(100, (used / max) * 100)}%` }} />
      </div>
    </li>
  );
}

function UsageView({ api, entitlements: e }: { api: AccountApi; entitlements: Entitlements }) {
  const [now] = useState(() => Date.now());
  const range = useMemo(
    () => ({ start: Date.parse(e.currentPeriod.start), end: Date.parse(e.currentPeriod.end) }),
    [e.currentPeriod.start, e.currentPeriod.end],
  );
  // A period's first days read better by the hour (a day view would be one or two points).
  const [granularity, setGranularity] = useState<Granularity>(() =>
    now - range.start < HOURLY_FIRST_MS ? "hour" : "day",
  );
  // Up to now only: hours not yet reached have no value (and are never averaged in).
  const to = Math.max(range.start + 1, Math.min(now, range.end));
  const from = granularity === "hour" ? Math.max(range.start, to - MAX_HOURLY_MS) : range.start;
  const series = useLoad(() => api.usage(new Date(from), new Date(to), granularity));
  const shown = useRef(granularity);
  useEffect(() => {
    if (shown.current === granularity) return;
    shown.current = granularity;
    series.reload();
  }, [granularity, series.reload]);
  const view = useMemo(() => ({ start: Math.min(from, range.start), end: range.end }), [from, range]);
  const bars = [
    { label: "Requests", used: e.usage.requests, included: e.includedUsage.requests, format: formatCount },
    { label: "Transfer", used: e.usage.transfer_bytes, included: e.includedUsage.transfer_bytes, format: formatBytes },
    {
      label: "Storage now",
      used: e.storage.bytes,
      included: e.includedUsage.storage_byte_hours / HOURS_PER_MONTH,
      format: formatBytes,
    },
  ];
  return (
    <>
      <p className="hint">
        {e.planName} · {day.format(range.start)} – {day.format(range.end)} (UTC). {UNITS_NOTE}
      </p>
      <p className="usage-now">
        <b>Stored now:</b> {formatBytes(e.storage.bytes)} in {formatCount(e.storage.objects)}{" "}
        {e.storage.objects === 1 ? "object" : "objects"}
      </p>
      <ul className="usage-bars" aria-label="Included in your plan">
        {bars.map((b) => (
          <UsageBar key={b.label} {...b} />
        ))}
      </ul>
      <fieldset className="usage-view">
        <legend className="hint">Show usage per</legend>
        {(["hour", "day"] as const).map((g) => (
          <label key={g}>
            <input
              type="radio"
              name="usage-granularity"
              value={g}
              checked={granularity === g}
              onChange={() => setGranularity(g)}
            />{" "}
            {g === "hour" ? "Hour" : "Day"}
          </label>
        ))}
      </fieldset>
      <Loaded state={series.state} retry={series.reload}>
        {(usage: UsageSeries) => <Charts usage={usage} range={view} now={to} />}
      </Loaded>
    </>
  );
}

function Charts({ usage, range, now }: { usage: UsageSeries; range: { start: number; end: number }; now: number }) {
  const size = BUCKET_MS[usage.granularity];
  const buckets = useMemo(
    () =>
      new Map(
        METRICS.map((m) => [
          m.metric,
          (usage.series.find((s) => s.metric === m.metric)?.points ?? []).map((p): Bucket => {
            const start = Date.parse(p.t);
            return { start, end: start + size, value: p.value };
          }),
        ]),
      ),
    [usage, size],
  );
  if (METRICS.every((m) => buckets.get(m.metric)?.every((b) => b.value === 0))) {
    return <p className="notice">No usage yet in this billing period.</p>;
  }
  return (
    <div className="charts">
      {METRICS.map((m) => (
        <UsageChart
          key={`${m.metric}-${usage.granularity}`}
          title={m.title}
          valueLabel={m.valueLabel}
          kind={m.kind}
          format={m.format}
          buckets={buckets.get(m.metric) ?? []}
          range={range}
          now={now}
          granularity={usage.granularity}
        />
      ))}
    </div>
  );
}
