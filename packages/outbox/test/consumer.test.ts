import { setTimeout as delay } from "node:timers/promises";
import { workerDatabaseUrl } from "@atlas/db/testing";
import type pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  backoffDelayMs,
  errorText,
  listParkedEvents,
  OutboxConsumer,
  type OutboxEvent,
  type OutboxTransaction,
  PoisonEventError,
  unparkEvents,
} from "../src/index.ts";
import { clearQueue, EFFECTS_TABLE, effectCounts, enqueueMany, openQueue } from "./fixtures/queue.ts";

let pool: pg.Pool;

beforeAll(async () => {
  pool = await openQueue(await workerDatabaseUrl());
});
beforeEach(() => clearQueue(pool));
afterAll(() => pool.end());

const recordEffect = (consumer: string) => async (event: OutboxEvent, tx: OutboxTransaction) => {
  await tx.query(`INSERT INTO ${EFFECTS_TABLE} ("eventId", "consumer") VALUES ($1, $2)`, [event.id, consumer]);
};

async function eventRow(id: string) {
  const { rows } = await pool.query(`SELECT * FROM "billing"."billing_events" WHERE "id" = $1`, [id]);
  return rows[0] as {
    processed: boolean;
    processedAt: Date | null;
    attempts: number;
    availableAt: Date;
    lastError: string | null;
    parkedAt: Date | null;
  };
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await delay(20);
  }
}

describe("backoff", () => {
  it("doubles from the base delay up to the cap", () => {
    const policy = { baseMs: 1_000, maxMs: 10_000 };
    expect([1, 2, 3, 4, 5, 60].map((n) => backoffDelayMs(n, policy))).toEqual([
      1_000, 2_000, 4_000, 8_000, 10_000, 10_000,
    ]);
    expect(backoffDelayMs(2000)).toBe(3_600_000);
    expect(() => backoffDelayMs(0)).toThrow(RangeError);
  });

  it("keeps error text short and free of stacks", () => {
    expect(errorText(new Error("boom"))).toBe("Error: boom");
    expect(errorText("plain")).toBe("plain");
    expect(errorText(new Error("x".repeat(5_000))).length).toBeLessThan(1_010);
  });
});

describe("OutboxConsumer", () => {
  it("refuses a consumer without handlers or with nonsense limits", () => {
    expect(() => new OutboxConsumer({ pool, handlers: {} })).toThrow(/handler/);
    expect(() => new OutboxConsumer({ pool, handlers: { a: async () => {} }, batchSize: 0 })).toThrow(RangeError);
  });

  it("applies handled events once, in the handler's transaction, and leaves other types alone", async () => {
    const ours = await enqueueMany(pool, 5);
    await enqueueMany(pool, 3, { eventType: "other.service" });
    const consumer = new OutboxConsumer({ pool, handlers: { "test.happened": recordEffect("a") } });
    const first = await consumer.drain();
    expect(first).toEqual({ claimed: 5, processed: 5, retried: 0, parked: 0 });
    expect(await consumer.drain()).toEqual({ claimed: 0, processed: 0, retried: 0, parked: 0 });
    const counts = await effectCounts(pool);
    expect([...counts.keys()].sort()).toEqual([...ours].sort());
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    const { rows } = await pool.query(
      `SELECT "eventType", "processed" FROM "billing"."billing_events" WHERE "eventType" = 'other.service'`,
    );
    expect(rows.every((r) => r.processed === false)).toBe(true);
  });

  it("rolls back a failed event's effects, retries it with exponential backoff, then parks it", async () => {
    let now = new Date("2026-03-01T00:00:00Z");
    const [id] = await enqueueMany(pool, 1, { now });
    const errors: unknown[] = [];
    const consumer = new OutboxConsumer({
      pool,
      now: () => now,
      maxAttempts: 3,
      backoff: { baseMs: 1_000, maxMs: 60_000 },
      onError: (e, ctx) => errors.push([String(e), ctx.parked]),
      handlers: {
        "test.happened": async (event, tx) => {
          await recordEffect("a")(event, tx);
          throw new Error("provider down");
        },
      },
    });
    expect((await consumer.runOnce()).retried).toBe(1);
    let row = await eventRow(id as string);
    expect(row).toMatchObject({ processed: false, attempts: 1, lastError: "Error: provider down", parkedAt: null });
    expect(row.availableAt.toISOString()).toBe("2026-03-01T00:00:01.000Z");
    // Not due yet: nothing is claimed.
    expect((await consumer.runOnce()).claimed).toBe(0);
    now = new Date("2026-03-01T00:00:01Z");
    expect((await consumer.runOnce()).retried).toBe(1);
    row = await eventRow(id as string);
    expect(row.availableAt.toISOString()).toBe("2026-03-01T00:00:03.000Z");
    now = new Date("2026-03-01T00:00:03Z");
    expect((await consumer.runOnce()).parked).toBe(1);
    row = await eventRow(id as string);
    expect(row.attempts).toBe(3);
    expect(row.parkedAt?.toISOString()).toBe("2026-03-01T00:00:03.000Z");
    expect((await effectCounts(pool)).size).toBe(0);
    expect(errors).toEqual([
      ["Error: provider down", false],
      ["Error: provider down", false],
      ["Error: provider down", true],
    ]);
    now = new Date("2026-03-02T00:00:00Z");
    expect((await consumer.runOnce()).claimed).toBe(0);
  });

  it("parks a poison event at once while the rest of its batch flows", async () => {
    const ids = await enqueueMany(pool, 6);
    const poison = ids[2] as string;
    const consumer = new OutboxConsumer({
      pool,
      handlers: {
        "test.happened": async (event, tx) => {
          if (event.id === poison) throw new PoisonEventError("payload breaks its schema");
          await recordEffect("a")(event, tx);
        },
      },
    });
    expect(await consumer.drain()).toEqual({ claimed: 6, processed: 5, retried: 0, parked: 1 });
    expect((await effectCounts(pool)).size).toBe(5);
    const parked = await listParkedEvents(pool);
    expect(parked).toMatchObject([
      { id: poison, attempts: 1, lastError: "PoisonEventError: payload breaks its schema" },
    ]);
    // Once the cause is fixed, an operator puts it back and it is applied.
    const fixed = new OutboxConsumer({ pool, handlers: { "test.happened": recordEffect("b") } });
    expect(await unparkEvents(pool, new Date(), [poison])).toBe(1);
    expect((await fixed.drain()).processed).toBe(1);
    expect((await effectCounts(pool)).get(poison)).toBe(1);
    expect(await listParkedEvents(pool)).toEqual([]);
    expect(await unparkEvents(pool, new Date())).toBe(0);
  });

  it("optimistic batches: one mark per batch; a failing handler rolls the batch back and it re-runs event by event", async () => {
    const ids = await enqueueMany(pool, 6);
    const poison = ids[3] as string;
    let calls = 0;
    const consumer = new OutboxConsumer({
      pool,
      optimisticBatches: true,
      handlers: {
        "test.happened": async (event, tx) => {
          calls += 1;
          await recordEffect("a")(event, tx);
          if (event.id === poison) throw new PoisonEventError("payload breaks its schema");
        },
      },
    });
    expect(await consumer.drain()).toEqual({ claimed: 6, processed: 5, retried: 0, parked: 1 });
    // 4 calls in the rolled-back optimistic attempt, then 6 careful ones; effects once each.
    expect(calls).toBe(10);
    const counts = await effectCounts(pool);
    expect(counts.size).toBe(5);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(counts.has(poison)).toBe(false);
    expect(await listParkedEvents(pool)).toMatchObject([{ id: poison }]);
    // Without failures a batch takes the fast path.
    const more = await enqueueMany(pool, 4);
    calls = 0;
    expect(await consumer.drain()).toEqual({ claimed: 4, processed: 4, retried: 0, parked: 0 });
    expect(calls).toBe(4);
    expect((await eventRow(more[0] as string)).processed).toBe(true);
  });

  it("batch handlers get a batch's events of their type, one per aggregate; a failing batch falls back to event by event", async () => {
    const ids = await enqueueMany(pool, 5, { aggregateKey: (i) => (i < 2 ? "invoice:1" : null) });
    const batches: string[][] = [];
    let failNext = true;
    const consumer = new OutboxConsumer({
      pool,
      optimisticBatches: true,
      handlers: { "test.happened": recordEffect("single") },
      batchHandlers: {
        "test.happened": async (events, tx) => {
          batches.push(events.map((e) => e.id));
          if (failNext) {
            failNext = false;
            throw new Error("one bad row");
          }
          for (const e of events) await recordEffect("batch")(e, tx);
        },
      },
    });
    // First batch: the batch handler fails, the batch re-runs event by event (4 claimable: the
    // second event of invoice:1 waits for the first).
    expect(await consumer.runOnce()).toEqual({ claimed: 4, processed: 4, retried: 0, parked: 0 });
    expect(batches[0]).toHaveLength(4);
    expect(batches[0]).not.toContain(ids[1]);
    // Then the waiting event goes through the batch handler.
    expect(await consumer.runOnce()).toEqual({ claimed: 1, processed: 1, retried: 0, parked: 0 });
    expect(batches[1]).toEqual([ids[1]]);
    const counts = await effectCounts(pool);
    expect(counts.size).toBe(5);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(
      () => new OutboxConsumer({ pool, handlers: { a: async () => {} }, batchHandlers: { b: async () => {} } }),
    ).toThrow(/without a per-event handler/);
  });

  it("keeps per-aggregate order: a later event waits while an earlier one of its aggregate retries", async () => {
    const ids = await enqueueMany(pool, 4, { aggregateKey: (i) => (i < 3 ? "invoice:1" : null) });
    const [a1, a2, a3, free] = ids as [string, string, string, string];
    let now = new Date(Date.now() + 1_000);
    let failFirst = true;
    const consumer = new OutboxConsumer({
      pool,
      now: () => now,
      backoff: { baseMs: 60_000, maxMs: 60_000 },
      handlers: {
        "test.happened": async (event, tx) => {
          if (event.id === a1 && failFirst) throw new Error("not yet");
          await recordEffect("a")(event, tx);
        },
      },
    });
    // Only the head of the aggregate (and the unordered event) are claimed.
    expect(await consumer.drain()).toMatchObject({ claimed: 2, processed: 1, retried: 1 });
    expect([...(await effectCounts(pool)).keys()]).toEqual([free]);
    expect((await consumer.drain()).claimed).toBe(0);
    failFirst = false;
    now = new Date(now.getTime() + 60_000);
    await consumer.drain();
    await consumer.drain();
    await consumer.drain();
    const { rows } = await pool.query<{ eventId: string }>(`SELECT "eventId" FROM ${EFFECTS_TABLE} ORDER BY "seq"`);
    expect(rows.map((r) => r.eventId)).toEqual([free, a1, a2, a3]);
  });

  it("spreads one queue over concurrent consumers, each event applied exactly once", async () => {
    const ids = await enqueueMany(pool, 300);
    const consumers = ["a", "b", "c"].map(
      (name) =>
        new OutboxConsumer({
          pool,
          batchSize: 7,
          handlers: {
            "test.happened": async (event, tx) => {
              await recordEffect(name)(event, tx);
              await delay(1);
            },
          },
        }),
    );
    await Promise.all(consumers.map((c) => c.drain()));
    const counts = await effectCounts(pool);
    expect(counts.size).toBe(ids.length);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    const { rows } = await pool.query<{ consumer: string }>(`SELECT DISTINCT "consumer" FROM ${EFFECTS_TABLE}`);
    expect(rows.length).toBeGreaterThan(1);
  });

  it("wakes on NOTIFY without waiting for the poll interval", async () => {
    const consumer = new OutboxConsumer({
      pool,
      pollIntervalMs: 60_000,
      handlers: { "test.happened": recordEffect("a") },
    });
    consumer.start();
    consumer.start(); // idempotent
    try {
      // Let the first (empty) poll and the LISTEN happen, then commit an event.
      await delay(300);
      const started = Date.now();
      const [id] = await enqueueMany(pool, 1);
      await waitUntil(async () => (await effectCounts(pool)).has(id as string), 5_000);
      expect(Date.now() - started).toBeLessThan(5_000);
      // A notification about a type this consumer does not handle does not matter to it.
      await enqueueMany(pool, 1, { eventType: "other.service" });
    } finally {
      await consumer.stop();
    }
    await consumer.stop(); // idempotent
  });

  it("falls back to polling when no notification comes", async () => {
    const consumer = new OutboxConsumer({
      pool,
      listen: false,
      pollIntervalMs: 50,
      handlers: { "test.happened": recordEffect("a") },
    });
    consumer.start();
    try {
      await delay(100);
      const [id] = await enqueueMany(pool, 1);
      await waitUntil(async () => (await effectCounts(pool)).has(id as string), 5_000);
    } finally {
      await consumer.stop();
    }
  });

  it("keeps running when a batch fails at the database level, and reports it", async () => {
    const errors: unknown[] = [];
    let broken = true;
    const consumer = new OutboxConsumer({
      pool,
      listen: false,
      pollIntervalMs: 20,
      onError: (e) => errors.push(e),
      handlers: { "test.happened": recordEffect("a") },
      now: () => {
        if (broken) {
          broken = false;
          throw new Error("clock failure");
        }
        return new Date();
      },
    });
    const [id] = await enqueueMany(pool, 1);
    consumer.start();
    try {
      await waitUntil(async () => (await effectCounts(pool)).has(id as string), 5_000);
    } finally {
      await consumer.stop();
    }
    expect(String(errors[0])).toMatch(/clock failure/);
  });
});
