/**
 * At most `max` tasks in flight; the others wait their turn, first come first served. A slot is
 * handed straight to the next waiter, so a task arriving later never overtakes one that waits.
 *
 * @example
 * const limit = createLimiter(1);
 * const [a, b] = await Promise.all([limit(() => work(1)), limit(() => work(2))]); // one at a time
 */
export function createLimiter(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`limiter: max must be a positive integer, got ${max}`);
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running < max) running += 1;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running -= 1;
    }
  };
}
