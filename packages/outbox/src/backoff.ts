/** Retry schedule of a failed event: exponential, capped. */
export interface BackoffPolicy {
  /** Delay after the first failure. */
  baseMs: number;
  /** Longest delay between two attempts. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 60 * 60_000 };

/**
 * Delay before the next attempt after `attempts` failures (1 → baseMs, 2 → 2·baseMs, ...).
 * Deterministic on purpose: events of many aggregates fail at different moments anyway, and a
 * fixed schedule is what an operator can reason about.
 *
 * @example
 * backoffDelayMs(3, { baseMs: 1000, maxMs: 60000 }) // 4000
 */
export function backoffDelayMs(attempts: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError("attempts must be a positive integer");
  // 2^(attempts-1) overflows to Infinity long after maxMs is reached; min() keeps it bounded.
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempts - 1, 52));
}
