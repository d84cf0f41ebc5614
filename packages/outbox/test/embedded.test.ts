// The consumer on the embedded database (PGlite, one connection): batches hold the connection,
// the handlers' own queries (raw SQL, nested transactions) join the batch instead of waiting for
// it, failures roll back to the event's savepoint, and in-process NOTIFY wakes the consumer.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { type DatabaseConnection, SERVICE_MIGRATIONS } from "@atlas/db";
import { connectEmbedded, deployEmbeddedMigrations, openEmbeddedDatabase } from "@atlas/db/embedded";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueOutboxEvent, OutboxConsumer, outboxDatabaseOf } from "../src/index.ts";

const dir = mkdtempSync(join(tmpdir(), "atlas-outbox-pglite-"));
let db: Awaited<ReturnType<typeof openEmbeddedDatabase>>;
let conn: DatabaseConnection;

beforeAll(async () => {
  db = await openEmbeddedDatabase(dir);
  for (const svc of SERVICE_MIGRATIONS) await deployEmbeddedMigrations(db, svc.schema, svc);
  await db.exec(`CREATE TABLE public.effects ("eventId" text NOT NULL, "note" text NOT NULL)`);
  conn = connectEmbedded(db, "billing");
});
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function enqueue(eventType: string, payload: unknown = {}): Promise<string> {
  const dedupeKey = randomUUID();
  await conn.transaction((tx) =>
    enqueueOutboxEvent(tx, { eventType, sourceService: "test", payload, dedupeKey }, new Date()),
  );
  const [row] = await conn.query<{ id: string }>(`SELECT "id" FROM "billing"."billing_events" WHERE "dedupeKey" = $1`, [
    dedupeKey,
  ]);
  return (row as { id: string }).id;
}

async function eventRow(id: string) {
  const [row] = await conn.query<{ processed: boolean; attempts: number; lastError: string | null }>(
    `SELECT "processed", "attempts", "lastError" FROM "billing"."billing_events" WHERE "id" = $1`,
    [id],
  );
  return row;
}

const notes = async (id: string) =>
  (await conn.query<{ note: string }>(`SELECT "note" FROM public.effects WHERE "eventId" = $1 ORDER BY 1`, [id])).map(
    (r) => r.note,
  );

describe("OutboxConsumer on the embedded database", () => {
  it("applies events; a handler's own queries and nested transactions join the batch instead of deadlocking", async () => {
    const id = await enqueue("e.joined");
    const consumer = new OutboxConsumer({
      database: outboxDatabaseOf(conn),
      listen: false,
      handlers: {
        "e.joined": async (event, tx) => {
          await tx.query(`INSERT INTO public.effects VALUES ($1, 'tx')`, [event.id]);
          // What service-auth's charge does through Prisma: its own queries and transactions.
          await conn.query(`INSERT INTO public.effects VALUES ($1, 'outside')`, [event.id]);
          await conn.transaction((q) => q.query(`INSERT INTO public.effects VALUES ($1, 'nested')`, [event.id]));
          await expect(
            conn.transaction(async (q) => {
              await q.query(`INSERT INTO public.effects VALUES ($1, 'nested-rolled-back')`, [event.id]);
              throw new Error("inner failure");
            }),
          ).rejects.toThrow("inner failure");
          // The batch's view includes what the handler wrote outside `tx`: one transaction.
          const seen = await tx.query(`SELECT 1 FROM public.effects WHERE "eventId" = $1 AND "note" = 'outside'`, [
            event.id,
          ]);
          expect(seen).toHaveLength(1);
        },
      },
    });
    const result = await Promise.race([
      consumer.drain(),
      delay(30_000).then(() => {
        throw new Error("deadlock: the handler's queries waited for the batch");
      }),
    ]);
    expect(result).toMatchObject({ claimed: 1, processed: 1 });
    expect(await notes(id)).toEqual(["nested", "outside", "tx"]);
    expect(await eventRow(id)).toMatchObject({ processed: true, attempts: 0 });
  });

  it("rolls a failed event back to its savepoint (its outside writes too) and reschedules it; the rest commits", async () => {
    const bad = await enqueue("e.fails");
    const good = await enqueue("e.ok");
    const consumer = new OutboxConsumer({
      database: outboxDatabaseOf(conn),
      listen: false,
      handlers: {
        "e.fails": async (event) => {
          await conn.query(`INSERT INTO public.effects VALUES ($1, 'partial')`, [event.id]);
          throw new Error("provider down");
        },
        "e.ok": async (event, tx) => {
          await tx.query(`INSERT INTO public.effects VALUES ($1, 'done')`, [event.id]);
        },
      },
    });
    expect(await consumer.runOnce()).toMatchObject({ claimed: 2, processed: 1, retried: 1 });
    expect(await notes(bad)).toEqual([]);
    expect(await notes(good)).toEqual(["done"]);
    expect(await eventRow(bad)).toMatchObject({ processed: false, attempts: 1, lastError: "Error: provider down" });
  });

  it("optimistic batches fall back to per-event savepoints when one event fails", async () => {
    const ids = [await enqueue("e.opt", { ok: true }), await enqueue("e.opt", { ok: false })];
    const consumer = new OutboxConsumer({
      database: outboxDatabaseOf(conn),
      listen: false,
      optimisticBatches: true,
      handlers: {
        "e.opt": async (event, tx) => {
          await tx.query(`INSERT INTO public.effects VALUES ($1, 'opt')`, [event.id]);
          if (!(event.payload as { ok: boolean }).ok) throw new Error("bad one");
        },
      },
    });
    expect(await consumer.runOnce()).toMatchObject({ claimed: 2, processed: 1, retried: 1 });
    expect(await notes(ids[0] as string)).toEqual(["opt"]);
    expect(await notes(ids[1] as string)).toEqual([]);
  });

  it("is woken by the in-process NOTIFY of a committed event, long before its poll interval", async () => {
    const applied: string[] = [];
    const consumer = new OutboxConsumer({
      database: outboxDatabaseOf(conn),
      pollIntervalMs: 600_000,
      handlers: { "e.notified": async (event) => void applied.push(event.id) },
    });
    consumer.start();
    try {
      // The first (startup) wake-up runs an empty batch; then the consumer sleeps for 10 minutes.
      await delay(500);
      const id = await enqueue("e.notified");
      const deadline = Date.now() + 60_000;
      while (!applied.includes(id) && Date.now() < deadline) await delay(20);
      expect(applied).toEqual([id]);
    } finally {
      await consumer.stop();
    }
    expect(await conn.query(`SELECT 1`)).toHaveLength(1);
  });
});
