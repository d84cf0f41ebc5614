// The BlobStore contract on both implementations (PostgreSQL chunks; S3 through the official SDK
// against the local S3 peer, which checks every request's Signature V4), and the garbage
// collection of uploads that died midway.
import { createHash, randomBytes } from "node:crypto";
import { connectPostgres, type DatabaseConnection } from "@atlas/db";
import { workerDatabaseUrl } from "@atlas/db/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PostgresBlobStore } from "../src/services/blobs/postgres.ts";
import { S3_PART_BYTES, S3BlobStore } from "../src/services/blobs/s3.ts";
import type { BlobStore } from "../src/services/blobs/store.ts";
import { collectGarbage } from "../src/services/objects.ts";
import { type S3Peer, startS3Peer } from "./fakes/s3-peer.ts";
import { type CloudTestApp, createCloudTestApp, s3Env } from "./harness.ts";

let peer: S3Peer;
let db: DatabaseConnection;
beforeAll(async () => {
  peer = await startS3Peer();
  db = connectPostgres(await workerDatabaseUrl(), "cloud", { max: 2 });
});
afterAll(async () => {
  await db.close();
  await peer.stop();
});

const s3Store = (secret = peer.secretAccessKey) =>
  new S3BlobStore({
    bucket: peer.bucket,
    region: peer.region,
    endpoint: peer.url,
    credentials: { accessKeyId: peer.accessKeyId, secretAccessKey: secret },
  });

const streamOf = (bytes: Buffer, piece = 256 * 1024) => {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(new Uint8Array(bytes.subarray(offset, offset + piece)));
      offset += piece;
    },
  });
};
const failingAfter = (bytes: Buffer) => {
  let sent = false;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent) return controller.error(new Error("client went away"));
      controller.enqueue(new Uint8Array(bytes));
      sent = true;
    },
  });
};
const read = async (s: ReadableStream<Uint8Array>) => Buffer.from(await new Response(s).arrayBuffer());
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const limit = { maxBytes: 64 * 1024 * 1024, tooLarge: () => new Error("too large") };

describe.each(["postgres", "s3"] as const)("BlobStore contract: %s", (kind) => {
  let store: BlobStore;
  const stored = async () =>
    kind === "s3"
      ? peer.objects.size
      : Number(
          (await db.query<{ n: string }>(`SELECT count(DISTINCT "blobId") AS n FROM "cloud"."cloud_object_chunks"`))[0]
            ?.n,
        );
  beforeAll(() => {
    store = kind === "s3" ? s3Store() : new PostgresBlobStore(db);
  });
  beforeEach(async () => {
    peer.objects.clear();
    await db.query(`DELETE FROM "cloud"."cloud_object_chunks"`);
  });
  afterAll(() => store.close?.());

  it("puts a stream (id, size, sha256), gets it back byte for byte, deletes it idempotently", async () => {
    const bytes = randomBytes(3 * 1024 * 1024 + 17);
    expect(await store.put("b1", streamOf(bytes), limit)).toEqual({ id: "b1", size: bytes.length, sha256: sha(bytes) });
    expect(await store.put("b2", null, limit)).toEqual({ id: "b2", size: 0, sha256: sha(Buffer.alloc(0)) });
    expect((await read(store.get("b1", bytes.length))).equals(bytes)).toBe(true);
    expect((await read(store.get("b2", 0))).length).toBe(0);
    await store.delete(["b1", "b2", "never-written"]);
    expect(await stored()).toBe(0);
    await expect(read(store.get("b1", bytes.length))).rejects.toThrow();
  });

  it("refuses a body past maxBytes with the caller's error and keeps none of it", async () => {
    const bytes = randomBytes(2 * 1024 * 1024);
    await expect(
      store.put("big", streamOf(bytes), { maxBytes: 1024 * 1024, tooLarge: () => new Error("413 please") }),
    ).rejects.toThrow("413 please");
    expect(await stored()).toBe(0);
  });

  it("keeps nothing of a body that fails midway", async () => {
    await expect(store.put("dead", failingAfter(randomBytes(1024 * 1024 + 1)), limit)).rejects.toThrow();
    expect(await stored()).toBe(0);
  });
});

describe("S3 blob store against the S3 peer", () => {
  it("sends a body larger than a part as a multipart upload, and reads it back", async () => {
    const store = s3Store();
    peer.log.length = 0;
    const bytes = randomBytes(2 * S3_PART_BYTES + 1234);
    expect(await store.put("multi", streamOf(bytes, 1024 * 1024), limit)).toMatchObject({ size: bytes.length });
    expect(peer.log).toEqual([
      "CreateMultipartUpload",
      "UploadPart",
      "UploadPart",
      "UploadPart",
      "CompleteMultipartUpload",
    ]);
    expect(peer.objects.get("blobs/multi")?.etag).toMatch(/-3"$/);
    expect(sha(await read(store.get("multi", bytes.length)))).toBe(sha(bytes));
    store.close();
  });

  it("aborts the multipart upload of a body that fails after its first part", async () => {
    const store = s3Store();
    peer.log.length = 0;
    // 1 MiB pieces, a little apart; the client goes away after one and a half parts.
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await new Promise((r) => setTimeout(r, 20));
        if (sent >= S3_PART_BYTES * 1.5) return controller.error(new Error("client went away"));
        controller.enqueue(new Uint8Array(1024 * 1024));
        sent += 1024 * 1024;
      },
    });
    await expect(store.put("aborted", body, limit)).rejects.toThrow();
    expect(peer.log).toContain("AbortMultipartUpload");
    expect(peer.uploads.size).toBe(0);
    expect(peer.objects.has("blobs/aborted")).toBe(false);
    store.close();
  });

  it("is refused with 403 SignatureDoesNotMatch when the secret is wrong", async () => {
    const store = s3Store("not-the-secret");
    const error = await store.put("x", streamOf(Buffer.from("hi")), limit).then(
      () => null,
      (e: unknown) => e as { name: string; $metadata: { httpStatusCode: number } },
    );
    expect(error?.name).toBe("SignatureDoesNotMatch");
    expect(error?.$metadata.httpStatusCode).toBe(403);
    expect(peer.objects.has("blobs/x")).toBe(false);
    store.close();
  });
});

describe.each(["postgres", "s3"] as const)("an upload that dies midway (%s)", (kind) => {
  let t: CloudTestApp;
  beforeAll(async () => {
    t = await createCloudTestApp(kind === "s3" ? s3Env(peer) : {});
  });
  afterAll(async () => {
    await t.close();
  });

  it("is leased while it streams; once the lease expires the collector removes its bytes and the upload is refused", async () => {
    await t.reset();
    let resume: () => void = () => {};
    const stalled = new Promise<void>((r) => {
      resume = r;
    });
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent === 0) {
          // 1 MiB + 1: the PostgreSQL store has written a chunk before the client stalls.
          controller.enqueue(new Uint8Array(1024 * 1024 + 1));
          sent = 1;
          return;
        }
        if (sent === 1) {
          // The client wakes up and sends more: a renewal must not revive the collected lease.
          await stalled;
          controller.enqueue(new Uint8Array(1024));
          sent = 2;
          return;
        }
        controller.close();
      },
    });
    const upload = t.app.request("/v1/objects/stalled", {
      method: "PUT",
      headers: { ...(await t.as("alice")), "content-type": "application/octet-stream" },
      body,
      duplex: "half",
    } as RequestInit);
    const leased = async () =>
      t.deps.database.query<{ blobId: string }>(`SELECT "blobId" FROM "cloud"."cloud_blob_garbage"`);
    for (let i = 0; i < 100 && (await leased()).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    const [lease] = await leased();
    expect(lease).toBeDefined();
    // Not before the grace period: the upload may still be alive.
    expect(await collectGarbage(t.deps.database, t.deps.blobs, t.clock.now, 3_600_000)).toBe(0);
    const later = new Date(t.clock.now.getTime() + 3_600_001);
    expect(await collectGarbage(t.deps.database, t.deps.blobs, later, 3_600_000)).toBe(1);
    expect(await leased()).toEqual([]);
    t.clock.now = new Date(later.getTime() + 60_000);
    resume();
    const res = await upload;
    expect(res.status).toBe(409);
    expect(await leased()).toEqual([]);
    expect((await t.app.request("/v1/objects/stalled", { headers: await t.as("alice") })).status).toBe(404);
    const chunks = await t.deps.database.query(`SELECT 1 FROM "cloud"."cloud_object_chunks"`);
    expect(chunks).toEqual([]);
    expect(peer.objects.has(`blobs/${lease?.blobId}`)).toBe(false);
  });

  it("renews the lease while bytes keep arriving: a slow but live upload is not collected", async () => {
    await t.reset();
    const gates = [0, 1, 2].map(() => {
      let open: () => void = () => {};
      const opened = new Promise<void>((r) => {
        open = r;
      });
      return { open, opened };
    });
    let piece = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (piece > 0) await gates[piece - 1]?.opened;
        if (piece >= 3) return controller.close();
        controller.enqueue(new Uint8Array(1024).fill(piece));
        piece += 1;
      },
    });
    const upload = t.app.request("/v1/objects/slow", {
      method: "PUT",
      headers: { ...(await t.as("alice")), "content-type": "application/octet-stream" },
      body,
      duplex: "half",
    } as RequestInit);
    const leaseAt = async () =>
      (
        await t.deps.database.query<{ releasedAt: Date }>(`SELECT "releasedAt" FROM "cloud"."cloud_blob_garbage"`)
      )[0]?.releasedAt.getTime();
    const until = async (ok: () => Promise<boolean>) => {
      for (let i = 0; i < 200 && !(await ok()); i++) await new Promise((r) => setTimeout(r, 25));
    };
    await until(async () => (await leaseAt()) !== undefined);
    const start = t.clock.now.getTime();
    expect(await leaseAt()).toBe(start);
    // 50 minutes on, the next kilobyte arrives: the lease moves to then.
    t.clock.now = new Date(start + 50 * 60_000);
    gates[0]?.open();
    await until(async () => (await leaseAt()) === t.clock.now.getTime());
    expect(await leaseAt()).toBe(t.clock.now.getTime());
    // An hour after the upload began, it is still alive: nothing to collect.
    expect(await collectGarbage(t.deps.database, t.deps.blobs, new Date(start + 3_600_001), 3_600_000)).toBe(0);
    gates[1]?.open();
    gates[2]?.open();
    const res = await upload;
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ sizeBytes: 3 * 1024 });
  });
});
