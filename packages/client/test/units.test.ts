// The one size formatter of the web-app and the CLI (issue 22, path 6), and the round axis ticks
// the usage charts use.
import { describe, expect, it } from "vitest";
import { byteUnit, formatBytes, formatCount, niceTicks } from "../src/units.ts";

describe("sizes in binary units", () => {
  it("uses the largest unit reached, one decimal at most", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1023)).toBe("1,023 B");
    expect(formatBytes(1024)).toBe("1 KiB");
    expect(formatBytes(65_536)).toBe("64 KiB");
    expect(formatBytes(300 * 1024)).toBe("300 KiB");
    expect(formatBytes(10_000_000)).toBe("9.5 MiB");
    expect(formatBytes(50 * 1024 ** 3)).toBe("50 GiB");
    expect(formatBytes(1024 ** 4 * 2.25)).toBe("2.3 TiB");
    expect(byteUnit(1024 ** 2 - 1)).toBe(1);
    expect(formatCount(1_200_000)).toBe("1,200,000");
  });
});

describe("axis ticks scaled to the data", () => {
  it("starts at 0 and ends at the first round value at or above the peak, in the peak's unit", () => {
    expect(niceTicks(65_536, "bytes").map((t) => formatBytes(t))).toEqual([
      "0 B",
      "20 KiB",
      "40 KiB",
      "60 KiB",
      "80 KiB",
    ]);
    expect(niceTicks(300 * 1024, "bytes").at(-1)).toBe(300 * 1024);
    expect(niceTicks(310 * 1024, "bytes").at(-1)).toBe(400 * 1024);
    expect(niceTicks(3, "count")).toEqual([0, 1, 2, 3]);
    expect(niceTicks(0, "count")).toEqual([0, 1]);
    expect(niceTicks(0, "bytes")).toEqual([0, 1]);
    expect(niceTicks(1_000_000, "count")).toEqual([0, 500_000, 1_000_000]);
  });
});
