/** Outcome of counting one hit against a limit. */
export interface RateLimitResult {
  allowed: boolean;
  remaining: number;
  /** Seconds until the window resets (for Retry-After). */
  retryAfterSec: number;
}

/**
 * Where rate-limit counters live. The in-memory store fits one instance; a Redis store (shared
 * by every instance) implements the same interface.
 */
export interface RateLimitStore {
  hit(key: string, limit: number, windowMs: number, nowMs: number): Promise<RateLimitResult>;
}

/** Fixed-window counters in process memory, pruned as windows expire. */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly windows = new Map<string, { start: number; count: number; windowMs: number }>();
  private lastPrune = 0;

  async hit(key: string, limit: number, windowMs: number, nowMs: number): Promise<RateLimitResult> {
    this.prune(nowMs, windowMs);
    let w = this.windows.get(key);
    if (!w || nowMs - w.start >= windowMs) {
      w = { start: nowMs, count: 0, windowMs };
      this.windows.set(key, w);
    }
    w.count += 1;
    const retryAfterSec = Math.max(1, Math.ceil((w.start + windowMs - nowMs) / 1000));
    return { allowed: w.count <= limit, remaining: Math.max(0, limit - w.count), retryAfterSec };
  }

  private prune(nowMs: number, windowMs: number): void {
    if (nowMs - this.lastPrune < windowMs) return;
    this.lastPrune = nowMs;
    // Each counter by its own window: a per-minute rule's prune must not drop a per-hour count.
    for (const [k, w] of this.windows) if (nowMs - w.start >= w.windowMs) this.windows.delete(k);
  }
}

// One atomic step per hit: count, and start the window's expiry on its first hit.
const HIT_SCRIPT = `local c = redis.call('INCR', KEYS[1])
if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return c`;

/** The slice of a Redis client the store uses (node-redis), so tests can count calls. */
export interface RedisLike {
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/**
 * Fixed-window counters in Redis, shared by every instance: the window is `floor(now / window)`,
 * the counter expires with it. When Redis fails (down, slow beyond `timeoutMs`) the store falls
 * back to this instance's own in-memory counters — degraded (limits are per instance until Redis
 * is back) but never unlimited — and says so in the log (throttled) and in `degradedSince`.
 */
export class RedisRateLimitStore implements RateLimitStore {
  private readonly fallback = new MemoryRateLimitStore();
  /** When the store started answering from memory; null while Redis answers. */
  degradedSince: number | null = null;
  private lastWarning = 0;

  constructor(
    private readonly redis: RedisLike,
    private readonly options: {
      prefix?: string;
      timeoutMs?: number;
      onDegraded?: (error: unknown) => void;
      /** Called on each hit answered from memory (the `rate_limit_local_fallback_total` counter). */
      onFallbackHit?: () => void;
    } = {},
  ) {}

  async hit(key: string, limit: number, windowMs: number, nowMs: number): Promise<RateLimitResult> {
    const window = Math.floor(nowMs / windowMs);
    const redisKey = `${this.options.prefix ?? "atlas:rl"}:${key}:${window}`;
    let count: number;
    try {
      const reply = await withTimeout(
        this.redis.eval(HIT_SCRIPT, { keys: [redisKey], arguments: [String(windowMs)] }),
        this.options.timeoutMs ?? 500,
      );
      count = Number(reply);
      if (!Number.isFinite(count)) throw new Error("unexpected reply from Redis");
      this.degradedSince = null;
    } catch (error) {
      this.degradedSince ??= nowMs;
      if (nowMs - this.lastWarning > 60_000 || this.lastWarning === 0) {
        this.lastWarning = nowMs;
        this.options.onDegraded?.(error);
      }
      this.options.onFallbackHit?.();
      return this.fallback.hit(key, limit, windowMs, nowMs);
    }
    const retryAfterSec = Math.max(1, Math.ceil(((window + 1) * windowMs - nowMs) / 1000));
    return { allowed: count <= limit, remaining: Math.max(0, limit - count), retryAfterSec };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
