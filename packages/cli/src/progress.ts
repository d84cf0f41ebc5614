import { Transform } from "node:stream";
import { formatBytes } from "@atlas/client/units";

/** Transfers at least this large get a progress bar (when stderr is a terminal). */
export const PROGRESS_MIN_BYTES = 1024 * 1024;

/** Sizes as the web-app writes them: binary units (KiB, MiB, GiB), one formatter for both. */
export { formatBytes };

/**
 * A pass-through stream that draws `label [#####.....] 45% 4.5 MiB/10.0 MiB` on stderr as bytes
 * flow, at most ten times a second. Inactive (a plain pass-through) unless `enabled`.
 */
export function progressStream(
  label: string,
  total: number | null,
  options: { enabled: boolean; stream?: NodeJS.WriteStream },
): Transform {
  const out = options.stream ?? process.stderr;
  let done = 0;
  let lastDraw = 0;
  const draw = (final: boolean) => {
    const width = 30;
    const ratio = total ? Math.min(1, done / total) : 0;
    const bar = total
      ? `[${"#".repeat(Math.round(ratio * width)).padEnd(width, ".")}] ${Math.floor(ratio * 100)}% `
      : "";
    out.write(`\r${label} ${bar}${formatBytes(done)}${total ? `/${formatBytes(total)}` : ""}${final ? "\n" : ""}`);
  };
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      done += chunk.length;
      const now = Date.now();
      if (options.enabled && now - lastDraw > 100) {
        lastDraw = now;
        draw(false);
      }
      cb(null, chunk);
    },
    flush(cb) {
      if (options.enabled) draw(true);
      cb();
    },
  });
}
