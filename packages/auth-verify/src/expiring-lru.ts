/**
 * A bounded least-recently-used map whose entries also expire at a given instant (ms). Time is
 * passed in, so callers and tests control the clock.
 *
 * @example
 * const cache = new ExpiringLru<string>(100);
 * cache.set("k", "v", now + 1_000, now);
 * cache.get("k", now); // "v"
 */
export class ExpiringLru<V> {
  readonly #max: number;
  readonly #entries = new Map<string, { value: V; expiresAt: number }>();

  /** @param maxEntries Capacity; 0 disables the cache. */
  constructor(maxEntries: number) {
    this.#max = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string, now: number): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    if (entry.expiresAt <= now) return undefined;
    // Re-inserting moves the key to the most-recently-used end of the Map's order.
    this.#entries.set(key, entry);
    return entry.value;
  }

  /** Stores `value` until `expiresAt`; an entry that would already be expired is not stored. */
  set(key: string, value: V, expiresAt: number, now: number): void {
    if (this.#max === 0 || expiresAt <= now) return;
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt });
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }
}
