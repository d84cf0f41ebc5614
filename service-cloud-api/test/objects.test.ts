import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CHUNK_BYTES, collectGarbage } from "../src/services/objects.ts";
import { type S3Peer, startS3Peer } from "./fakes/s3-peer.ts";
import { bodyOf, type CloudTestApp, createCloudTestApp, s3Env } from "./harness.ts";

// Every test runs against both blob stores: PostgreSQL chunks and S3 (the local S3 peer).
describe.each(["postgres", "s3"] as const)("objects on the %s blob store", (store) => {
  let t: CloudTestApp;
  let peer: S3Peer;
  beforeAll(async () => {
    peer = await startS3Peer();
    t = await createCloudTestApp(store === "s3" ? s3Env(peer) : {});
  });
  beforeEach(async () => {
    await t.reset();
    peer.objects.clear();
  });
  afterAll(async () => {
    await t.close();
    await peer.stop();
  });

  const put = async (
    sub: string,
    key: string,
    body: string | Uint8Array | ReadableStream<Uint8Array> | null,
    headers: Record<string, string> = {},
    tid?: string,
  ) =>
    t.app.request(`/v1/objects/${encodeURIComponent(key)}`, {
      method: "PUT",
      headers: { ...(await t.as(sub, { tid })), "content-type": "application/octet-stream", ...headers },
      body,
      ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
    } as RequestInit);
  const get = async (sub: string, key: string, tid?: string) =>
    t.app.request(`/v1/objects/${encodeURIComponent(key)}`, { headers: await t.as(sub, { tid }) });
  const del = async (sub: string, key: string, tid?: string) =>
    t.app.request(`/v1/objects/${encodeURIComponent(key)}`, { method: "DELETE", headers: await t.as(sub, { tid }) });
  const list = async (sub: string, query = "", tid?: string) =>
    t.app.request(`/v1/objects${query}`, { headers: await t.as(sub, { tid }) });

  /** A body without Content-Length, in pieces of `piece` bytes. */
  function streamOf(bytes: Buffer, piece = 64 * 1024): ReadableStream<Uint8Array> {
    let offset = 0;
    return new ReadableStream({
      pull(controller) {
        if (offset >= bytes.length) return controller.close();
        controller.enqueue(new Uint8Array(bytes.subarray(offset, offset + piece)));
        offset += piece;
      },
    });
  }

  const storageOf = async (tenantId: string, userId: string) =>
    (
      await t.deps.database.query<{ bytes: string; objects: number }>(
        `SELECT "bytes", "objects" FROM "cloud"."cloud_storage_usage" WHERE "tenantId" = $1 AND "userId" = $2`,
        [tenantId, userId],
      )
    )[0];
  /** Blobs holding bytes in the store under test. */
  const blobCount = async () =>
    store === "s3"
      ? peer.objects.size
      : Number(
          (
            await t.deps.database.query<{ n: string }>(
              `SELECT count(DISTINCT "blobId") AS n FROM "cloud"."cloud_object_chunks"`,
            )
          )[0]?.n,
        );

  async function setLimits(userId: string, limits: { maxObjectBytes: number; maxStorageBytes: number }) {
    await t.deps.database.query(
      `INSERT INTO "cloud"."cloud_entitlements" ("id", "tenantId", "userId", "planId", "status", "limits",
       "currentPeriodStart", "currentPeriodEnd", "collection", "sourceEventAt", "sourceEventId", "updatedAt")
     VALUES ($1, 'tenant_a', $2, 'pro', 'active', $3::jsonb, '2026-03-01', '2026-04-01', 'invoice', now(), 'e', now())`,
      [`ent_${userId}`, userId, JSON.stringify(limits)],
    );
  }

  describe("objects API", () => {
    it("stores, reads, lists, replaces and deletes the caller's objects", async () => {
      const res = await put("alice", "notes.txt", "hello world", { "content-type": "text/plain" });
      expect(res.status).toBe(200);
      const meta = await bodyOf(res);
      expect(meta).toEqual({
        key: "notes.txt",
        sizeBytes: 11,
        contentType: "text/plain",
        sha256: createHash("sha256").update("hello world").digest("hex"),
        createdAt: t.clock.now.toISOString(),
        updatedAt: t.clock.now.toISOString(),
      });
      const got = await get("alice", "notes.txt");
      expect(got.status).toBe(200);
      expect(got.headers.get("content-type")).toBe("text/plain");
      expect(got.headers.get("content-length")).toBe("11");
      expect(got.headers.get("etag")).toBe(`"${meta.sha256}"`);
      expect(await got.text()).toBe("hello world");

      await put("alice", "a/b c.bin", new Uint8Array([1, 2, 3]));
      const listed = await bodyOf(await list("alice"));
      expect(listed.items.map((o: { key: string }) => o.key)).toEqual(["a/b c.bin", "notes.txt"]);
      expect(listed.nextCursor).toBeNull();
      expect(await storageOf("tenant_a", "alice")).toEqual({ bytes: "14", objects: 2 });

      t.clock.now = new Date(t.clock.now.getTime() + 1_000);
      const replaced = await put("alice", "notes.txt", "bye");
      expect(await bodyOf(replaced)).toMatchObject({
        sizeBytes: 3,
        createdAt: meta.createdAt,
        updatedAt: t.clock.now.toISOString(),
      });
      expect(await (await get("alice", "notes.txt")).text()).toBe("bye");
      expect(await storageOf("tenant_a", "alice")).toEqual({ bytes: "6", objects: 2 });

      expect((await del("alice", "notes.txt")).status).toBe(204);
      expect((await get("alice", "notes.txt")).status).toBe(404);
      expect((await del("alice", "notes.txt")).status).toBe(404);
      expect(await storageOf("tenant_a", "alice")).toEqual({ bytes: "3", objects: 1 });
    });

    it("streams objects larger than a chunk in and out, byte for byte", async () => {
      const bytes = randomBytes(CHUNK_BYTES * 3 + 12_345);
      const res = await put("alice", "big", streamOf(bytes, 100_000));
      expect(res.status).toBe(200);
      expect(await bodyOf(res)).toMatchObject({
        sizeBytes: bytes.length,
        sha256: createHash("sha256").update(bytes).digest("hex"),
      });
      if (store === "postgres") {
        const [chunks] = await t.deps.database.query<{ n: string }>(
          `SELECT count(*) AS n FROM "cloud"."cloud_object_chunks"`,
        );
        expect(Number(chunks?.n)).toBe(4);
      } else expect(peer.log).toContain("PutObject");
      const got = await get("alice", "big");
      expect(got.headers.get("content-length")).toBe(String(bytes.length));
      expect(Buffer.from(await got.arrayBuffer()).equals(bytes)).toBe(true);
      // An empty object is fine too.
      expect(await bodyOf(await put("alice", "empty", ""))).toMatchObject({ sizeBytes: 0 });
      expect((await (await get("alice", "empty")).arrayBuffer()).byteLength).toBe(0);
    });

    it("paginates with limit and cursor, and filters by prefix", async () => {
      for (const k of ["k1", "k2", "k3", "x1", "k4"]) await put("alice", k, k);
      const first = await bodyOf(await list("alice", "?limit=2"));
      expect(first.items.map((o: { key: string }) => o.key)).toEqual(["k1", "k2"]);
      const second = await bodyOf(await list("alice", `?limit=2&cursor=${first.nextCursor}`));
      expect(second.items.map((o: { key: string }) => o.key)).toEqual(["k3", "k4"]);
      const third = await bodyOf(await list("alice", `?limit=2&cursor=${second.nextCursor}`));
      expect(third).toMatchObject({ items: [{ key: "x1" }], nextCursor: null });
      const prefixed = await bodyOf(await list("alice", "?prefix=k&limit=100"));
      expect(prefixed.items).toHaveLength(4);
    });

    it("keeps a replaced object's bytes for the grace period, then collects them", async () => {
      await put("alice", "k", randomBytes(10));
      await put("alice", "k", randomBytes(20));
      expect(await blobCount()).toBe(2);
      expect(await collectGarbage(t.deps.database, t.deps.blobs, t.clock.now, 3_600_000)).toBe(0);
      expect(
        await collectGarbage(t.deps.database, t.deps.blobs, new Date(t.clock.now.getTime() + 3_600_000), 3_600_000),
      ).toBe(1);
      expect(await blobCount()).toBe(1);
      expect((await (await get("alice", "k")).arrayBuffer()).byteLength).toBe(20);
    });
  });

  describe("objects API limits", () => {
    it("refuses an object above the plan's maxObjectBytes before reading it (declared length) — 413, nothing stored", async () => {
      await setLimits("alice", { maxObjectBytes: 1_000, maxStorageBytes: 1_500 });
      const res = await put("alice", "k", new Uint8Array(1_001));
      expect(res.status).toBe(413);
      expect(await bodyOf(res)).toMatchObject({ code: "PAYLOAD_TOO_LARGE", maxObjectBytes: 1_000 });
      // Without a Content-Length the stream is cut off at the limit.
      const streamed = await put("alice", "k", streamOf(Buffer.alloc(5_000), 300));
      expect(streamed.status).toBe(413);
      expect(await blobCount()).toBe(0);
      expect((await get("alice", "k")).status).toBe(404);
    });

    it("refuses what would exceed maxStorageBytes with 402 QUOTA_EXCEEDED, counting a replaced object once", async () => {
      await setLimits("alice", { maxObjectBytes: 1_000, maxStorageBytes: 1_500 });
      expect((await put("alice", "a", new Uint8Array(1_000))).status).toBe(200);
      const full = await put("alice", "b", new Uint8Array(600));
      expect(full.status).toBe(402);
      expect(await bodyOf(full)).toMatchObject({ code: "QUOTA_EXCEEDED", metric: "storage_bytes", limit: 1_500 });
      const streamedFull = await put("alice", "b", streamOf(Buffer.alloc(600), 100));
      expect(streamedFull.status).toBe(402);
      expect((await put("alice", "b", new Uint8Array(500))).status).toBe(200);
      // Replacing "a" with a smaller object frees room.
      expect((await put("alice", "a", new Uint8Array(400))).status).toBe(200);
      expect((await put("alice", "c", new Uint8Array(600))).status).toBe(200);
      expect(await storageOf("tenant_a", "alice")).toEqual({ bytes: "1500", objects: 3 });
    });

    it("applies the free plan's 10 MiB object limit to customers without a subscription", async () => {
      const res = await put("bob", "k", new Uint8Array(10 * 1024 * 1024 + 1));
      expect(res.status).toBe(413);
    });

    it("answers 400 VALIDATION_FAILED for bad keys, media types, limits and cursors, storing nothing", async () => {
      expect((await put("alice", "bad\u0001key", "x")).status).toBe(400);
      expect((await put("alice", "x".repeat(513), "x")).status).toBe(400);
      const badType = await put("alice", "k", "x", { "content-type": "not a type" });
      expect(badType.status).toBe(400);
      expect(await bodyOf(badType)).toMatchObject({ code: "VALIDATION_FAILED" });
      expect((await list("alice", "?limit=0")).status).toBe(400);
      expect((await list("alice", "?limit=101")).status).toBe(400);
      expect((await list("alice", `?cursor=${"%00"}`)).status).toBe(400);
      expect(await blobCount()).toBe(0);
      expect((await bodyOf(await list("alice"))).items).toEqual([]);
    });
  });
});
