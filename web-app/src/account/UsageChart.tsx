import { niceTicks } from "@atlas/client/units";
import { useEffect, useId, useMemo, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

/** One bucket of a usage series: its start and end (epoch ms) and its value. */
export interface Bucket {
  start: number;
  end: number;
  value: number;
}

export interface ChartProps {
  /** "Storage", "Requests"… */
  title: string;
  /** What a bucket's value is, for the table header and the summary ("Stored (highest)"). */
  valueLabel: string;
  kind: "bytes" | "count";
  format: (n: number) => string;
  /** The buckets up to now only: hours not yet reached are not drawn (nor averaged in). */
  buckets: Bucket[];
  /** The x-axis runs from the period's start to its end, whatever part of it has passed. */
  range: { start: number; end: number };
  /** Now: the last bucket is drawn up to here, not to its end. */
  now: number;
  granularity: "hour" | "day";
}

const dateFmt = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
const hourFmt = new Intl.DateTimeFormat("en-US", {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
  timeZone: "UTC",
});
/** A bucket in words: "Dec 7, 14:00–15:00 UTC" or "Dec 7 (UTC)". */
export function bucketLabel(b: Bucket, granularity: "hour" | "day"): string {
  if (granularity === "day") return `${dateFmt.format(b.start)} (UTC)`;
  const to = new Date(b.end).toISOString().slice(11, 16);
  return `${hourFmt.format(b.start)}–${to} UTC`;
}
/** An x-axis tick: the date, with the time when the period is short. */
const tickLabel = (ms: number, short: boolean) => (short ? hourFmt.format(ms) : dateFmt.format(ms));

/** Evenly spaced x ticks whose last one is the period's end. */
export function xTicks(range: { start: number; end: number }, count: number): number[] {
  return Array.from({ length: count + 1 }, (_, i) => range.start + ((range.end - range.start) * i) / count);
}

const css = (name: string, fallback: string) =>
  getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;

/**
 * A usage series as a uPlot chart (canvas, bundled): a stepped line per bucket, the y-axis scaled
 * to the data (round ticks from 0), the x-axis from the period's start to its end, and the
 * hovered bucket's value in a tooltip. Screen readers get the summary and the table instead.
 */
export function UsageChart(props: ChartProps) {
  const { title, valueLabel, kind, format, buckets, range, now, granularity } = props;
  const id = useId();
  const host = useRef<HTMLDivElement>(null);
  const peak = Math.max(0, ...buckets.map((b) => b.value));
  const yTicks = useMemo(() => niceTicks(peak, kind), [peak, kind]);
  const short = range.end - range.start <= 2 * 86_400_000;
  const peakBucket = buckets.find((b) => b.value === peak);
  const summary = `${title} per ${granularity}, ${dateFmt.format(range.start)} to ${dateFmt.format(range.end)} (end of period): ${
    peak > 0 && peakBucket ? `highest ${format(peak)} (${bucketLabel(peakBucket, granularity)})` : "none yet"
  }. Vertical axis ${format(0)} to ${format(yTicks.at(-1) ?? 0)}.`;

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    // The last bucket's level runs to now (a stepped line needs a point where it ends).
    const last = buckets.at(-1);
    const xs = buckets.map((b) => b.start / 1000);
    const ys = buckets.map((b) => b.value);
    if (last) {
      xs.push(Math.min(now, last.end) / 1000);
      ys.push(last.value);
    }
    const tip = document.createElement("div");
    tip.className = "chart-tip";
    tip.dataset.testid = "chart-tooltip";
    tip.hidden = true;
    const accent = css("--accent", "#2457c5");
    const muted = css("--muted", "#555");
    const border = css("--border", "#ccc");
    const phone = () => el.clientWidth < 480;
    const axisFont = "12px system-ui, sans-serif";
    const plot = new uPlot(
      {
        width: Math.max(200, el.clientWidth),
        height: 170,
        legend: { show: false },
        padding: [10, 24, 0, 0],
        cursor: { drag: { x: false, y: false }, points: { size: 8, fill: accent } },
        scales: {
          x: { time: true, auto: false, range: () => [range.start / 1000, range.end / 1000] },
          y: { auto: false, range: () => [0, yTicks.at(-1) ?? 1] },
        },
        axes: [
          {
            stroke: muted,
            font: axisFont,
            grid: { show: false },
            ticks: { stroke: border },
            splits: () => xTicks(range, phone() ? 2 : 4).map((ms) => ms / 1000),
            values: (_u, splits) => splits.map((s) => tickLabel(s * 1000, short)),
          },
          {
            stroke: muted,
            font: axisFont,
            size: 64,
            grid: { stroke: border, width: 1 },
            ticks: { stroke: border },
            splits: () => yTicks,
            values: (_u, splits) => splits.map((v) => format(v)),
          },
        ],
        series: [
          {},
          {
            label: title,
            stroke: accent,
            width: 2,
            fill: `${accent}22`,
            paths: uPlot.paths.stepped?.({ align: 1 }),
            points: { show: buckets.length <= 2, size: 6, fill: accent },
          },
        ],
        hooks: {
          setCursor: [
            (u) => {
              const i = u.cursor.idx;
              const left = u.cursor.left ?? -1;
              if (i === null || i === undefined || left < 0 || buckets.length === 0) {
                tip.hidden = true;
                return;
              }
              // The point at "now" closes the last bucket's step: it belongs to that bucket.
              const b = buckets[Math.min(i, buckets.length - 1)];
              if (!b) return;
              tip.textContent = `${bucketLabel(b, granularity)}: ${format(b.value)}`;
              tip.hidden = false;
              const width = u.over.clientWidth;
              tip.style.left = `${Math.min(Math.max(0, left - tip.offsetWidth / 2), Math.max(0, width - tip.offsetWidth))}px`;
              tip.style.top = `${Math.max(0, (u.cursor.top ?? 0) - 40)}px`;
            },
          ],
        },
      },
      [xs, ys],
      el,
    );
    plot.over.append(tip);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(200, el.clientWidth), height: 170 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [buckets, range, now, granularity, format, title, yTicks, short]);

  return (
    <figure className="chart" aria-labelledby={`${id}-cap`}>
      <figcaption id={`${id}-cap`}>
        <b>{title}</b> <span className="hint">per {granularity} (UTC)</span>
      </figcaption>
      <div
        ref={host}
        className="chart-plot"
        role="img"
        aria-label={summary}
        data-y-ticks={yTicks.map((v) => format(v)).join("|")}
        data-x-ticks={xTicks(range, 4)
          .map((ms) => tickLabel(ms, short))
          .join("|")}
      />
      <details>
        <summary>Show as a table</summary>
        <div className="table-scroll">
          <table>
            <caption className="sr">
              {title} per {granularity}
            </caption>
            <thead>
              <tr>
                <th scope="col">{granularity === "hour" ? "Hour" : "Day"}</th>
                <th scope="col">{valueLabel}</th>
              </tr>
            </thead>
            <tbody>
              {buckets.map((b) => (
                <tr key={b.start}>
                  <td>{bucketLabel(b, granularity)}</td>
                  <td>{format(b.value)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
