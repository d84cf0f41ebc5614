// Real consumer processes on one queue: exactly once across processes, and across SIGKILLs.
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { workerDatabaseUrl } from "@atlas/db/testing";
import type pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { OutboxConsumer } from "../src/index.ts";
import { type NodeProcess, spawnNodeTs } from "./fixtures/process.ts";
import { clearQueue, EFFECTS_TABLE, effectCounts, enqueueMany, openQueue } from "./fixtures/queue.ts";

const ENTRY = fileURLToPath(new URL("./fixtures/consumer-process.ts", import.meta.url));
const CWD = fileURLToPath(new URL("..", import.meta.url));

let pool: pg.Pool;
let url: string;

beforeAll(async () => {
  url = await workerDatabaseUrl();
  pool = await openQueue(url);
});
beforeEach(() => clearQueue(pool));
afterAll(() => pool.end());

function startConsumer(name: string, env: Record<string, string> = {}): NodeProcess {
  return spawnNodeTs(ENTRY, { cwd: CWD, env: { DATABASE_URL: url, CONSUMER_NAME: name, ...env } });
}

async function waitForOutput(proc: NodeProcess, text: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!proc.output().includes(text)) {
    if (Date.now() > deadline || proc.child.exitCode !== null) {
      throw new Error(`no "${text}" from the consumer process:\n${proc.output().slice(-2000)}`);
    }
    await delay(10);
  }
}

async function processedCount(): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM "billing"."billing_events" WHERE "processed"`,
  );
  return Number(rows[0]?.n);
}

describe("outbox consumer processes", () => {
  it("two consumer processes on one queue apply every event exactly once", async () => {
    const ids = await enqueueMany(pool, 200);
    const a = startConsumer("a", { HANDLER_DELAY_MS: "2", BATCH_SIZE: "5" });
    const b = startConsumer("b", { HANDLER_DELAY_MS: "2", BATCH_SIZE: "5" });
    try {
      const deadline = Date.now() + 60_000;
      while ((await processedCount()) < ids.length) {
        if (Date.now() > deadline) throw new Error(`stuck:\n${a.output().slice(-1000)}\n${b.output().slice(-1000)}`);
        await delay(50);
      }
    } finally {
      a.child.kill("SIGTERM");
      b.child.kill("SIGTERM");
    }
    expect(await a.exited).toBe(0);
    expect(await b.exited).toBe(0);
    const counts = await effectCounts(pool);
    expect(counts.size).toBe(ids.length);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    const { rows } = await pool.query<{ consumer: string; n: string }>(
      `SELECT "consumer", count(*) AS n FROM ${EFFECTS_TABLE} GROUP BY "consumer"`,
    );
    // Both processes took part.
    expect(rows.map((r) => r.consumer).sort()).toEqual(["a", "b"]);
  });

  it("a consumer killed with SIGKILL mid-batch 20 times in a row loses nothing and applies nothing twice", async () => {
    const ids = await enqueueMany(pool, 400);
    let killedMidBatch = 0;
    for (let round = 0; round < 20; round += 1) {
      const proc = startConsumer(`k${round}`, { HANDLER_DELAY_MS: "3", BATCH_SIZE: "20" });
      // Wait until it is inside a batch (a handler ran, its transaction is open), then kill it.
      await waitForOutput(proc, "applied ");
      await delay(round % 5);
      proc.child.kill("SIGKILL");
      await proc.exited;
      killedMidBatch += 1;
    }
    expect(killedMidBatch).toBe(20);
    // Some batches may have committed before a kill; none is applied twice, none is lost.
    const before = await effectCounts(pool);
    expect([...before.values()].every((n) => n === 1)).toBe(true);
    expect(before.size).toBe(await processedCount());
    const survivor = new OutboxConsumer({
      pool,
      handlers: {
        "test.happened": async (event, tx) => {
          await tx.query(`INSERT INTO ${EFFECTS_TABLE} ("eventId", "consumer") VALUES ($1, 'survivor')`, [event.id]);
        },
      },
    });
    await survivor.drain();
    const after = await effectCounts(pool);
    expect(after.size).toBe(ids.length);
    expect([...after.values()].every((n) => n === 1)).toBe(true);
    expect(await processedCount()).toBe(ids.length);
  });
});
