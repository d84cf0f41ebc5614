// Issue 21 §3: an upload must not hold a database connection while its client trickles bytes.
// With a pool of 2 and ten uploads at 1 KiB/s in flight, /v1/me and /ready still answer fast.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bodyOf, type CloudTestApp, createCloudTestApp } from "./harness.ts";

let t: CloudTestApp;
beforeAll(async () => {
  t = await createCloudTestApp({ DATABASE_POOL_MAX: "2" });
});
afterAll(async () => {
  await t.close();
});

const PIECE = 1024;
const PIECES = 16;
const UPLOADS = 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `PIECES` pieces of 1 KiB, one per second (no Content-Length: the server reads as they come). */
function trickle(seed: number): { stream: ReadableStream<Uint8Array>; bytes: Buffer } {
  const bytes = Buffer.alloc(PIECE * PIECES, seed);
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent > 0) await sleep(1_000);
      if (sent >= PIECES) return controller.close();
      controller.enqueue(new Uint8Array(bytes.subarray(sent * PIECE, (sent + 1) * PIECE)));
      sent += 1;
    },
  });
  return { stream, bytes };
}

/** How long a request takes, in ms (capped: a stuck request counts as `cap`, it is not awaited further). */
async function timed(
  request: () => Response | Promise<Response>,
  cap = 10_000,
): Promise<{ ms: number; status: number }> {
  const start = performance.now();
  const res = await Promise.race([request(), sleep(cap).then(() => null)]);
  return { ms: performance.now() - start, status: res?.status ?? 0 };
}

describe("slow uploads and the connection pool (pool of 2)", () => {
  it("keeps /v1/me and /ready fast while ten uploads trickle at 1 KiB/s, and stores all ten", async () => {
    const headers = await t.as("alice");
    const me = async () => t.app.request("/v1/me", { headers });
    const ready = async () => t.app.request("/ready");
    // Baseline on the idle service (warm-up first).
    await me();
    await ready();
    const baseline = Math.max((await timed(me)).ms, (await timed(ready)).ms);

    let finished = 0;
    const uploads = Array.from({ length: UPLOADS }, (_, i) => {
      const { stream, bytes } = trickle(i + 1);
      const done = Promise.resolve(
        t.app.request(`/v1/objects/slow-${i}`, {
          method: "PUT",
          headers: { ...headers, "content-type": "application/octet-stream" },
          body: stream,
          duplex: "half",
        } as RequestInit),
      ).finally(() => {
        finished += 1;
      });
      return { done, bytes };
    });

    // While every upload is still receiving its bytes (about 16 s each), probe the service.
    await sleep(1_500);
    const probes: { ms: number; status: number }[] = [];
    for (let i = 0; i < 3; i++) {
      probes.push(await timed(me), await timed(ready));
      await sleep(500);
    }
    for (const p of probes) {
      expect(p.status, JSON.stringify({ probes, baseline })).toBe(200);
      // Generous: 2 s, or 20× the idle baseline on a loaded machine.
      expect(p.ms, JSON.stringify({ probes, baseline })).toBeLessThan(Math.max(2_000, baseline * 20));
    }
    expect(finished, "the uploads were still in flight during the probes").toBe(0);

    const results = await Promise.all(uploads.map((u) => u.done));
    for (const [i, res] of results.entries()) {
      expect(res.status).toBe(200);
      expect(await bodyOf(res)).toMatchObject({
        key: `slow-${i}`,
        sizeBytes: PIECE * PIECES,
        sha256: createHash("sha256")
          .update(uploads[i]?.bytes ?? "")
          .digest("hex"),
      });
    }
    const [storage] = await t.deps.database.query<{ bytes: string; objects: number }>(
      `SELECT "bytes", "objects" FROM "cloud"."cloud_storage_usage" WHERE "userId" = 'alice'`,
    );
    expect(storage).toEqual({ bytes: String(UPLOADS * PIECE * PIECES), objects: UPLOADS });
    // Every upload's lease ended with its swap: nothing is queued for collection.
    const leases = await t.deps.database.query(`SELECT 1 FROM "cloud"."cloud_blob_garbage"`);
    expect(leases).toHaveLength(0);
  }, 90_000);
});
