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
  private readonly windows = new Map<string, { start: number; count: number }>();
  private lastPrune = 0;

  async hit(key: string, limit: number, windowMs: number, nowMs: number): Promise<RateLimitResult> {
    this.prune(nowMs, windowMs);
    let w = this.windows.get(key);
    if (!w || nowMs - w.start >= windowMs) {
      w = { start: nowMs, count: 0 };
      this.windows.set(key, w);
    }
    w.count += 1;
    const retryAfterSec = Math.max(1, Math.ceil((w.start + windowMs - nowMs) / 1000));
    return { allowed: w.count <= limit, remaining: Math.max(0, limit - w.count), retryAfterSec };
  }

  private prune(nowMs: number, windowMs: number): void {
    if (nowMs - this.lastPrune < windowMs) return;
    this.lastPrune = nowMs;
    for (const [k, w] of this.windows) if (nowMs - w.start >= windowMs) this.windows.delete(k);
  }
}
