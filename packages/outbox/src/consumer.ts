import { setTimeout as delay } from "node:timers/promises";
import type pg from "pg";
import { type BackoffPolicy, backoffDelayMs, DEFAULT_BACKOFF } from "./backoff.ts";
import { type OutboxDatabase, type OutboxListener, poolOutboxDatabase } from "./database.ts";
import { errorText, PoisonEventError } from "./errors.ts";
import {
  CLAIM_SQL,
  MARK_BATCH_PROCESSED_SQL,
  MARK_PROCESSED_SQL,
  OUTBOX_CHANNEL,
  type OutboxEvent,
  type OutboxTransaction,
  PARK_SQL,
  RESCHEDULE_SQL,
} from "./sql.ts";

/** Thrown inside an optimistic batch's transaction to roll it back. */
class RollBackBatch extends Error {}

/**
 * Applies one event. `tx` is the transaction that marks the event processed: effects written
 * through it commit together with that mark, so an event takes effect exactly once. Effects
 * outside it (a provider call) must be idempotent by a key derived from the event.
 */
export type OutboxHandler = (event: OutboxEvent, tx: OutboxTransaction) => Promise<void>;

/**
 * Applies several events of one type at once (at most one per aggregate: a batch never holds two
 * pending events of the same aggregate), through the consumer's transaction. Used by optimistic
 * batches; when it throws, the batch is re-run event by event with the per-event handler.
 */
export type OutboxBatchHandler = (events: OutboxEvent[], tx: OutboxTransaction) => Promise<void>;

export interface OutboxConsumerOptions {
  /** The database: a node-postgres pool, or any {@link OutboxDatabase} (the embedded one). Exactly one. */
  pool?: pg.Pool;
  database?: OutboxDatabase;
  /** One handler per event type this consumer applies; other types are left for other services. */
  handlers: Record<string, OutboxHandler>;
  /** Name in logs (e.g. "service-auth"). */
  name?: string;
  /** Events claimed per transaction. */
  batchSize?: number;
  /** Polling interval when no notification arrives (a lost NOTIFY only delays this long). */
  pollIntervalMs?: number;
  /** LISTEN for the outbox trigger's notifications (default true). */
  listen?: boolean;
  /** Failures after which an event is parked (dead letter). */
  maxAttempts?: number;
  backoff?: BackoffPolicy;
  /** The clock: due dates, processedAt and parkedAt come from it. */
  now?: () => Date;
  /** Errors that can never succeed on retry: parked at once. Default: PoisonEventError. */
  isPoison?: (error: unknown) => boolean;
  /**
   * Apply a batch without a savepoint per event and mark it processed with one statement; if any
   * handler fails, the whole batch is rolled back and re-run one savepoint per event (the default
   * path). Saves three round trips per event. Only for handlers whose effects all go through `tx`:
   * an effect outside it (a provider call) would run again when a batch falls back. Default false.
   */
  optimisticBatches?: boolean;
  /** Per event type, a handler for all of a batch's events of that type (optimistic batches only). */
  batchHandlers?: Record<string, OutboxBatchHandler>;
  /** Called for each failed attempt and each consumer-level error (never with payloads). */
  onError?: (error: unknown, context: { eventId?: string; eventType?: string; parked?: boolean }) => void;
}

export interface BatchResult {
  claimed: number;
  processed: number;
  retried: number;
  parked: number;
}

/**
 * A consumer of the transactional outbox `billing.billing_events`.
 *
 * Each batch runs in one transaction: claim due events of the handled types with
 * `FOR UPDATE SKIP LOCKED` (so several processes share the queue, each event to one of them),
 * apply each under a savepoint through its handler, and mark it processed in that same
 * transaction. A failed event is rolled back to its savepoint and rescheduled with exponential
 * backoff (attempts, availableAt, lastError), or parked after `maxAttempts`; the rest of the batch
 * still commits. A process that dies mid-batch leaves nothing behind: its transaction aborts,
 * the locks go, and the events are claimed again.
 *
 * @example
 * const consumer = new OutboxConsumer({
 *   pool,
 *   handlers: { "invoice.finalized": (event, tx) => chargeInvoice(event, tx) },
 * });
 * consumer.start();
 * // on shutdown:
 * await consumer.stop();
 */
export class OutboxConsumer {
  private readonly database: OutboxDatabase;
  private readonly handlers: Map<string, OutboxHandler>;
  private readonly types: string[];
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly listen: boolean;
  private readonly maxAttempts: number;
  private readonly backoff: BackoffPolicy;
  private readonly now: () => Date;
  private readonly isPoison: (error: unknown) => boolean;
  private readonly onError: NonNullable<OutboxConsumerOptions["onError"]>;
  private readonly optimistic: boolean;
  private readonly batchHandlers: Map<string, OutboxBatchHandler>;
  private running = false;
  private loop: Promise<void> | null = null;
  private listener: OutboxListener | null = null;
  private wake: (() => void) | null = null;
  private pendingWake = false;

  constructor(options: OutboxConsumerOptions) {
    this.handlers = new Map(Object.entries(options.handlers));
    if (this.handlers.size === 0) throw new Error("an outbox consumer needs at least one handler");
    if (!options.pool === !options.database) throw new Error("an outbox consumer needs a pool or a database (one)");
    this.database = options.database ?? poolOutboxDatabase(options.pool as pg.Pool);
    this.types = [...this.handlers.keys()];
    this.batchSize = options.batchSize ?? 50;
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.listen = options.listen ?? true;
    this.maxAttempts = options.maxAttempts ?? 10;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.now = options.now ?? (() => new Date());
    this.isPoison = options.isPoison ?? ((e) => e instanceof PoisonEventError);
    this.onError = options.onError ?? (() => {});
    this.optimistic = options.optimisticBatches ?? false;
    this.batchHandlers = new Map(Object.entries(options.batchHandlers ?? {}));
    for (const type of this.batchHandlers.keys()) {
      if (!this.handlers.has(type)) throw new Error(`batch handler for ${type} without a per-event handler`);
    }
    if (this.batchSize < 1 || this.pollIntervalMs < 1 || this.maxAttempts < 1) {
      throw new RangeError("batchSize, pollIntervalMs and maxAttempts must be positive");
    }
  }

  /** Claims and applies one batch; resolves with what happened to it. */
  async runOnce(): Promise<BatchResult> {
    if (this.optimistic) {
      const fast = await this.runOptimistic();
      if (fast) return fast;
    }
    return this.runCareful();
  }

  /**
   * One batch without savepoints. Resolves null when a handler failed: the transaction was
   * rolled back (no effect and no mark remain) and the caller re-runs the batch carefully.
   */
  private async runOptimistic(): Promise<BatchResult | null> {
    try {
      return await this.database.transaction(async (tx) => {
        const now = this.now();
        const claimed = await tx.query<OutboxEvent>(CLAIM_SQL, [this.types, now, this.batchSize]);
        try {
          const byType = new Map<string, OutboxEvent[]>();
          for (const event of claimed) {
            const list = byType.get(event.eventType) ?? [];
            list.push(event);
            byType.set(event.eventType, list);
          }
          for (const [type, events] of byType) {
            const batch = this.batchHandlers.get(type);
            if (batch) await batch(events, tx);
            else for (const event of events) await (this.handlers.get(type) as OutboxHandler)(event, tx);
          }
        } catch {
          throw new RollBackBatch();
        }
        if (claimed.length > 0) await tx.query(MARK_BATCH_PROCESSED_SQL, [claimed.map((e) => e.id), now]);
        const n = claimed.length;
        return { claimed: n, processed: n, retried: 0, parked: 0 };
      });
    } catch (error) {
      if (error instanceof RollBackBatch) return null;
      throw error;
    }
  }

  private async runCareful(): Promise<BatchResult> {
    return this.database.transaction(async (tx) => {
      const result: BatchResult = { claimed: 0, processed: 0, retried: 0, parked: 0 };
      const now = this.now();
      const claimed = await tx.query<OutboxEvent>(CLAIM_SQL, [this.types, now, this.batchSize]);
      result.claimed = claimed.length;
      for (const event of claimed) {
        const outcome = await this.applyOne(tx, event, now);
        result[outcome] += 1;
      }
      return result;
    });
  }

  /** Applies batches until none is full: everything due now has been handled once. */
  async drain(): Promise<BatchResult> {
    const total: BatchResult = { claimed: 0, processed: 0, retried: 0, parked: 0 };
    for (;;) {
      const r = await this.runOnce();
      for (const k of Object.keys(total) as (keyof BatchResult)[]) total[k] += r[k];
      if (r.claimed < this.batchSize) return total;
    }
  }

  private async applyOne(
    tx: OutboxTransaction,
    event: OutboxEvent,
    now: Date,
  ): Promise<"processed" | "retried" | "parked"> {
    const handler = this.handlers.get(event.eventType) as OutboxHandler;
    await tx.query("SAVEPOINT outbox_event");
    try {
      await handler(event, tx);
      await tx.query(MARK_PROCESSED_SQL, [event.id, now]);
      await tx.query("RELEASE SAVEPOINT outbox_event");
      return "processed";
    } catch (error) {
      await tx.query("ROLLBACK TO SAVEPOINT outbox_event");
      const attempts = event.attempts + 1;
      const park = this.isPoison(error) || attempts >= this.maxAttempts;
      if (park) {
        await tx.query(PARK_SQL, [event.id, errorText(error), now]);
      } else {
        const due = new Date(now.getTime() + backoffDelayMs(attempts, this.backoff));
        await tx.query(RESCHEDULE_SQL, [event.id, errorText(error), due]);
      }
      await tx.query("RELEASE SAVEPOINT outbox_event");
      this.onError(error, { eventId: event.id, eventType: event.eventType, parked: park });
      return park ? "parked" : "retried";
    }
  }

  /** Starts consuming in the background until {@link stop}. */
  start(): void {
    if (this.running) return;
    this.running = true;
    if (this.listen) void this.keepListening();
    this.loop = this.run();
  }

  /** Finishes the batch in flight, stops listening and polling. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wakeUp();
    await this.loop;
    const listener = this.listener;
    this.listener = null;
    await listener?.close();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let full = false;
      try {
        full = (await this.runOnce()).claimed === this.batchSize;
      } catch (error) {
        // The database went away or a claim failed: log, wait a poll interval, try again.
        this.onError(error, {});
      }
      if (!full && this.running) await this.sleep();
    }
  }

  /** Waits for a notification about a handled type, or the poll interval. */
  private async sleep(): Promise<void> {
    if (this.pendingWake) {
      this.pendingWake = false;
      return;
    }
    const ac = new AbortController();
    const woken = new Promise<void>((resolve) => {
      this.wake = resolve;
    });
    await Promise.race([woken, delay(this.pollIntervalMs, undefined, { signal: ac.signal }).catch(() => {})]);
    ac.abort();
    this.wake = null;
    this.pendingWake = false;
  }

  private wakeUp(): void {
    if (this.wake) this.wake();
    else this.pendingWake = true;
  }

  /** Holds a LISTEN, listening again after a lost connection while the consumer runs. */
  private async keepListening(): Promise<void> {
    while (this.running) {
      let listener: OutboxListener | null = null;
      try {
        listener = await this.database.listen(OUTBOX_CHANNEL, (payload) => {
          if (payload === undefined || this.handlers.has(payload)) this.wakeUp();
        });
        this.listener = listener;
        // Events committed while the listener was down are picked up by this wake-up.
        this.wakeUp();
        if (this.running) {
          const error = await listener.lost;
          if (error) this.onError(error, {});
        }
      } catch (error) {
        this.onError(error, {});
      }
      await listener?.close();
      if (this.listener === listener) this.listener = null;
      if (this.running) await delay(Math.min(this.pollIntervalMs, 1_000));
    }
  }
}
