import { createLogger } from "@atlas/service-kit";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { quotaClassOf } from "../src/middleware/metering.ts";
import { byteHoursByHour, HOUR_MS, hourStartOf, UsageMeter } from "../src/services/metering.ts";
import { accrueStorage } from "../src/services/storage.ts";
import { bodyOf, type CloudTestApp, createCloudTestApp } from "./harness.ts";

let t: CloudTestApp;
beforeAll(async () => {
  t = await createCloudTestApp();
});
beforeEach(async () => {
  await t.reset();
});
afterAll(async () => {
  await t.close();
});

interface Row {
  tenantId: string;
  userId: string;
  metric: string;
  hourStart: Date;
  value: string;
}
const rows = async (userId?: string) =>
  t.deps.database.query<Row>(
    `SELECT "tenantId", "userId", "metric", "hourStart", "value" FROM "cloud"."cloud_usage_records"
      WHERE $1::text IS NULL OR "userId" = $1 ORDER BY "userId", "metric", "hourStart"`,
    [userId ?? null],
  );
const usageValue = async (userId: string, metric: string) =>
  (await rows(userId)).filter((r) => r.metric === metric).reduce((s, r) => s + Number(r.value), 0);
const later = (ms: number) => {
  t.clock.now = new Date(t.clock.now.getTime() + ms);
};

describe("usage metering", () => {
  it("counts every authenticated request per (user, tenant, hour): requests, bytes in and out", async () => {
    const headers = await t.as("alice");
    let out = 0;
    for (let i = 0; i < 5; i++) {
      const res = await t.app.request("/v1/me", { headers });
      out += (await res.arrayBuffer()).byteLength;
    }
    await t.app.request("/v1/objects/k", {
      method: "PUT",
      headers: { ...headers, "content-type": "text/plain" },
      body: "0123456789",
    });
    const forbidden = await t.app.request("/v1/me", { headers: await t.as("alice", { scope: "objects:read" }) });
    expect(forbidden.status).toBe(403);
    // Not authenticated: not metered (nobody to bill).
    await t.app.request("/v1/me");
    expect(await rows()).toEqual([]);
    expect(t.deps.meter.pendingKeys).toBe(3);
    expect(await t.deps.meter.flush()).toBe(3);
    expect(await usageValue("alice", "requests")).toBe(7);
    expect(await usageValue("alice", "transfer_in_bytes")).toBe(10);
    expect(await usageValue("alice", "transfer_out_bytes")).toBeGreaterThan(out);
    const hour = hourStartOf(t.clock.now.getTime());
    expect((await rows("alice")).every((r) => r.hourStart.getTime() === hour && r.tenantId === "tenant_a")).toBe(true);
  });

  it("adds to the same hour's row on later flushes and opens a new row in the next hour", async () => {
    const headers = await t.as("bob");
    await t.app.request("/v1/me", { headers });
    await t.deps.meter.flush();
    await t.app.request("/v1/me", { headers });
    await t.deps.meter.flush();
    later(HOUR_MS);
    await t.app.request("/v1/me", { headers: await t.as("bob") });
    await t.deps.meter.flush();
    const requests = (await rows("bob")).filter((r) => r.metric === "requests");
    expect(requests.map((r) => Number(r.value))).toEqual([2, 1]);
    expect(requests[1]?.hourStart.getTime()).toBe((requests[0]?.hourStart.getTime() as number) + HOUR_MS);
  });

  it("two meters (two instances) flushing the same keys concurrently lose nothing", async () => {
    const logger = createLogger({ name: "t", level: "silent" });
    const meters = [0, 1].map(
      () => new UsageMeter({ db: t.deps.database, logger, now: () => t.clock.now, flushIntervalMs: 1000 }),
    );
    for (let round = 0; round < 20; round++) {
      for (const m of meters) {
        for (let u = 0; u < 50; u++) m.record("tenant_a", `u${u}`, "requests", 1);
      }
      await Promise.all(meters.map((m) => m.flush()));
    }
    const [sum] = await t.deps.database.query<{ total: string; n: string }>(
      `SELECT sum("value")::text AS total, count(*)::text AS n FROM "cloud"."cloud_usage_records"`,
    );
    expect(sum).toEqual({ total: "2000", n: "50" });
  });

  it("keeps counts whose flush failed and writes them on the next flush", async () => {
    let fail = true;
    const db = {
      query: async <R extends object>(text: string, values?: unknown[]) => {
        if (fail) {
          fail = false;
          throw new Error("connection lost");
        }
        return t.deps.database.query<R>(text, values);
      },
    };
    const meter = new UsageMeter({
      db,
      logger: createLogger({ name: "t", level: "silent" }),
      now: () => t.clock.now,
      flushIntervalMs: 1000,
    });
    meter.record("tenant_a", "carol", "requests", 3);
    await expect(meter.flush()).rejects.toThrow("connection lost");
    meter.record("tenant_a", "carol", "requests", 2);
    expect(meter.pendingValue("tenant_a", "carol", "requests", t.clock.now)).toBe(5);
    await meter.flush();
    expect(await usageValue("carol", "requests")).toBe(5);
    // Flushes never overlap: a flush asked for during one runs after it.
    meter.record("tenant_a", "carol", "requests", 1);
    const first = meter.flush();
    meter.record("tenant_a", "carol", "requests", 1);
    await Promise.all([first, meter.flush()]);
    expect(await usageValue("carol", "requests")).toBe(7);
    await meter.stop();
  });

  it("flushes on its interval once started, and on stop()", async () => {
    const meter = new UsageMeter({
      db: t.deps.database,
      logger: createLogger({ name: "t", level: "silent" }),
      now: () => t.clock.now,
      flushIntervalMs: 50,
    });
    meter.start();
    meter.start();
    meter.record("tenant_a", "dave", "requests", 1);
    await expect.poll(() => usageValue("dave", "requests"), { timeout: 5_000, interval: 20 }).toBe(1);
    meter.record("tenant_a", "dave", "requests", 1);
    await meter.stop();
    expect(await usageValue("dave", "requests")).toBe(2);
    meter.record("tenant_a", "dave", "requests", 0);
    expect(meter.pendingKeys).toBe(0);
  });
});

describe("storage byte-hours", () => {
  it("splits bytes held over time into hourly byte-hours", () => {
    const h = Date.UTC(2026, 2, 10, 12);
    expect(byteHoursByHour(1000, h, h + 2.5 * HOUR_MS)).toEqual([
      { hourStart: h, value: 1000 },
      { hourStart: h + HOUR_MS, value: 1000 },
      { hourStart: h + 2 * HOUR_MS, value: 500 },
    ]);
    expect(byteHoursByHour(0, h, h + HOUR_MS)).toEqual([]);
    expect(byteHoursByHour(10, h + HOUR_MS, h)).toEqual([]);
    // 5 TiB for a month stays exact (BigInt inside).
    const big = 5 * 1024 ** 4;
    expect(byteHoursByHour(big, h, h + HOUR_MS)).toEqual([{ hourStart: h, value: big }]);
  });

  it("accrues stored bytes on every change and in the periodic job, per hour", async () => {
    const headers = await t.as("erin");
    const put = (body: string) =>
      t.app.request("/v1/objects/k", { method: "PUT", headers: { ...headers, "content-type": "text/plain" }, body });
    await put("x".repeat(1000));
    later(2.5 * HOUR_MS); // 12:00 → 14:30
    expect(await accrueStorage(t.deps.database, t.clock.now)).toBe(1);
    expect(await accrueStorage(t.deps.database, t.clock.now)).toBe(0);
    later(0.5 * HOUR_MS); // 15:00: replaced by 100 bytes
    await t.app.request("/v1/objects/k", {
      method: "PUT",
      headers: { ...(await t.as("erin")), "content-type": "text/plain" },
      body: "y".repeat(100),
    });
    later(HOUR_MS); // 16:00: deleted
    await t.app.request("/v1/objects/k", { method: "DELETE", headers: await t.as("erin") });
    later(HOUR_MS);
    expect(await accrueStorage(t.deps.database, t.clock.now)).toBe(0);
    const storage = (await rows("erin")).filter((r) => r.metric === "storage_byte_hours");
    expect(storage.map((r) => [r.hourStart.toISOString().slice(11, 16), Number(r.value)])).toEqual([
      ["12:00", 1000],
      ["13:00", 1000],
      ["14:00", 1000],
      ["15:00", 100],
    ]);
  });
});

describe("GET /v1/usage", () => {
  const usage = async (query: string, sub = "alice", scope?: string) =>
    t.app.request(`/v1/usage${query}`, { headers: await t.as(sub, { scope }) });

  it("answers api.md's shape: hourly buckets with zero points, metrics requests, storage_bytes, storage_byte_hours, transfer_bytes", async () => {
    const headers = await t.as("alice");
    await t.app.request("/v1/objects/k", {
      method: "PUT",
      headers: { ...headers, "content-type": "text/plain" },
      body: "x".repeat(3600),
    });
    later(HOUR_MS);
    await t.app.request("/v1/me", { headers: await t.as("alice") });
    await accrueStorage(t.deps.database, t.clock.now);
    await t.deps.meter.flush();
    const res = await usage("?from=2026-03-10T11:30:00Z&to=2026-03-10T14:00:00Z&granularity=hour");
    expect(res.status).toBe(200);
    const body = await bodyOf(res);
    expect(Object.keys(body)).toEqual(["from", "to", "granularity", "series"]);
    expect(body).toMatchObject({
      from: "2026-03-10T11:00:00.000Z",
      to: "2026-03-10T14:00:00.000Z",
      granularity: "hour",
    });
    expect(body.series.map((s: { metric: string }) => s.metric)).toEqual([
      "requests",
      "storage_bytes",
      "storage_byte_hours",
      "transfer_bytes",
    ]);
    const [requests, storage, byteHours, transfer] = body.series;
    expect(requests.points).toEqual([
      { t: "2026-03-10T11:00:00.000Z", value: 0 },
      { t: "2026-03-10T12:00:00.000Z", value: 1 },
      { t: "2026-03-10T13:00:00.000Z", value: 1 },
    ]);
    // The level carries into 13:00 (still stored); the byte-hours accrued so far are 12:00's.
    expect(storage.points.map((p: { value: number }) => p.value)).toEqual([0, 3600, 3600]);
    expect(byteHours.points.map((p: { value: number }) => p.value)).toEqual([0, 3600, 0]);
    expect(transfer.points[1].value).toBeGreaterThan(3600);
  });

  it("sums days; storage_bytes is the day's level, storage_byte_hours its byte-hours", async () => {
    await t.app.request("/v1/objects/k", {
      method: "PUT",
      headers: { ...(await t.as("alice")), "content-type": "text/plain" },
      body: "x".repeat(2400),
    });
    later(12 * HOUR_MS); // held from 12:00 to 24:00: half a day
    await accrueStorage(t.deps.database, t.clock.now);
    await t.deps.meter.flush();
    const body = await bodyOf(await usage("?from=2026-03-09T00:00:00Z&to=2026-03-11T00:00:00Z&granularity=day"));
    expect(body.series[0].points).toEqual([
      { t: "2026-03-09T00:00:00.000Z", value: 0 },
      { t: "2026-03-10T00:00:00.000Z", value: 1 },
    ]);
    expect(body.series[1].points.map((p: { value: number }) => p.value)).toEqual([0, 2400]);
    expect(body.series[2].points.map((p: { value: number }) => p.value)).toEqual([0, 2400 * 12]);
  });

  it("shows a 64 KiB object as 65536 in its hour, the hour's peak after a delete, and carries the level over days", async () => {
    const put = async (key: string, bytes: number) =>
      t.app.request(`/v1/objects/${key}`, {
        method: "PUT",
        headers: { ...(await t.as("alice")), "content-type": "application/octet-stream" },
        body: new Uint8Array(bytes),
      });
    expect((await put("a", 64 * 1024)).status).toBe(200); // 12:00
    later(60_000);
    await accrueStorage(t.deps.database, t.clock.now);
    const hours = async (from: string, to: string) =>
      (await bodyOf(await usage(`?from=${from}&to=${to}&granularity=hour`))).series[1].points.map(
        (p: { value: number }) => p.value,
      );
    expect(await hours("2026-03-10T11:00:00Z", "2026-03-10T13:00:00Z")).toEqual([0, 65536]);
    later(HOUR_MS); // 13:01: a second object, then the first one deleted
    expect((await put("b", 1000)).status).toBe(200);
    await t.app.request("/v1/objects/a", { method: "DELETE", headers: await t.as("alice") });
    later(HOUR_MS); // 14:01
    expect(await hours("2026-03-10T12:00:00Z", "2026-03-10T15:00:00Z")).toEqual([65536, 65536 + 1000, 1000]);
    later(2 * 24 * HOUR_MS); // two days on, nothing changed: the object is still stored
    const days = await bodyOf(await usage("?from=2026-03-09T00:00:00Z&to=2026-03-13T00:00:00Z&granularity=day"));
    expect(days.series[1].points.map((p: { value: number }) => p.value)).toEqual([0, 65536 + 1000, 1000, 1000]);
  });

  it("never shows another user's or another tenant's usage", async () => {
    await t.app.request("/v1/me", { headers: await t.as("alice") });
    await t.deps.meter.flush();
    const q = "?from=2026-03-10T00:00:00Z&to=2026-03-11T00:00:00Z&granularity=day";
    for (const res of [
      await usage(q, "mallory"),
      await t.app.request(`/v1/usage${q}`, { headers: await t.as("alice", { tid: "tenant_b" }) }),
    ]) {
      const body = await bodyOf(res);
      for (const s of body.series) expect(s.points.every((p: { value: number }) => p.value === 0)).toBe(true);
    }
  });

  it("validates: dates, order, granularity, range; needs usage:read", async () => {
    for (const q of [
      "?from=yesterday&to=2026-03-11T00:00:00Z",
      "?from=2026-03-11T00:00:00Z&to=2026-03-10T00:00:00Z",
      "?from=2026-03-10T00:00:00Z&to=2026-03-11T00:00:00Z&granularity=week",
      "?from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z&granularity=hour",
      "?to=2026-03-11T00:00:00Z",
    ]) {
      const res = await usage(q);
      expect(res.status, q).toBe(400);
      expect(await bodyOf(res)).toMatchObject({ code: "VALIDATION_FAILED" });
    }
    const res = await usage("?from=2026-03-10T00:00:00Z&to=2026-03-11T00:00:00Z", "alice", "profile:read");
    expect(res.status).toBe(403);
  });
});

describe("allowance classes", () => {
  it("leaves billing information reachable, checks transfer on downloads and storage on uploads", () => {
    expect(quotaClassOf("GET", "/v1/usage")).toBe("exempt");
    expect(quotaClassOf("GET", "/v1/invoices/x/pdf")).toBe("exempt");
    expect(quotaClassOf("GET", "/v1/entitlements")).toBe("exempt");
    expect(quotaClassOf("GET", "/v1/objects/k")).toBe("download");
    expect(quotaClassOf("PUT", "/v1/objects/k")).toBe("upload");
    expect(quotaClassOf("DELETE", "/v1/objects/k")).toBe("request");
    expect(quotaClassOf("GET", "/v1/me")).toBe("request");
  });
});
