// The limiter that keeps argon2id hashing to (cores − 1) at a time (password-hash.ts).
import { describe, expect, it } from "vitest";
import { createLimiter } from "../src/services/platform/limiter.ts";

/** A task that finishes when the test says so, recording when it started. */
function gate(started: number[], id: number) {
  let open: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    open = resolve;
  });
  return {
    open: () => open(),
    task: async () => {
      started.push(id);
      await done;
      return id;
    },
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("createLimiter", () => {
  it("runs at most `max` tasks at once and starts the waiting ones in arrival order", async () => {
    const limit = createLimiter(2);
    const started: number[] = [];
    const gates = [1, 2, 3, 4, 5].map((id) => gate(started, id));
    const results = gates.map((g) => limit(g.task));
    await tick();
    expect(started).toEqual([1, 2]);
    gates[1]?.open();
    await tick();
    expect(started).toEqual([1, 2, 3]);
    gates[0]?.open();
    gates[2]?.open();
    await tick();
    expect(started).toEqual([1, 2, 3, 4, 5]);
    gates[3]?.open();
    gates[4]?.open();
    expect(await Promise.all(results)).toEqual([1, 2, 3, 4, 5]);
  });

  it("a task that throws gives its slot to the next one", async () => {
    const limit = createLimiter(1);
    const failing = limit(async () => {
      throw new Error("boom");
    });
    const next = limit(async () => "ran");
    await expect(failing).rejects.toThrow("boom");
    expect(await next).toBe("ran");
  });

  it("refuses a limit that is not a positive integer", () => {
    expect(() => createLimiter(0)).toThrow(RangeError);
    expect(() => createLimiter(1.5)).toThrow(RangeError);
  });
});
