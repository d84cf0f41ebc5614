// The one way Atlas writes sizes, for the web-app and the CLI alike (issue 22, path 6): binary
// (IEC 80000-13) units, 1 KiB = 1,024 bytes, as the plans are defined (1 GiB of transfer, 50 GiB
// of storage). Plain functions only, so the CLI bundles it without React.

/** The units, smallest first: each is 1,024 of the one before. */
export const BYTE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"] as const;

/** Said once wherever sizes are shown, so nobody has to guess. */
export const UNITS_NOTE = "Sizes in binary units: 1 KiB = 1,024 bytes, 1 MiB = 1,024 KiB, 1 GiB = 1,024 MiB.";

const number = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** The largest unit a value reaches (B for anything under 1 KiB). */
export function byteUnit(n: number): number {
  let unit = 0;
  while (unit < BYTE_UNITS.length - 1 && Math.abs(n) >= 1024 ** (unit + 1)) unit++;
  return unit;
}

/** A size in its largest unit with at most one decimal: 65536 → "64 KiB", 1536 → "1.5 KiB". */
export function formatBytes(n: number, unit = byteUnit(n)): string {
  if (unit === 0) return `${whole.format(n)} B`;
  return `${number.format(n / 1024 ** unit)} ${BYTE_UNITS[unit]}`;
}

/** A count with thousands separators: 1200000 → "1,200,000". */
export const formatCount = (n: number): string => whole.format(n);

/** 1, 2 or 5 times a power of ten, at least `raw`. */
function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power;
}

/**
 * Axis ticks from 0 to the first round value at or above `max`, about `count` steps, round in the
 * unit the values are shown in (bytes: 0, 20, 40, 60, 80 KiB for 64 KiB; counts: whole numbers).
 */
export function niceTicks(max: number, kind: "bytes" | "count", count = 4): number[] {
  const scale = kind === "bytes" ? 1024 ** byteUnit(max) : 1;
  const top = Math.max(max / scale, kind === "count" ? 1 : 0);
  if (top <= 0) return [0, scale];
  const step = Math.max(niceStep(top / count), kind === "count" ? 1 : 0);
  const steps = Math.max(1, Math.ceil(top / step - 1e-9));
  return Array.from({ length: steps + 1 }, (_, i) => i * step * scale);
}
