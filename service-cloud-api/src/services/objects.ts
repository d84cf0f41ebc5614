/**
 * Objects: the caller's bytes under a key. Metadata in Postgres (cloud_objects), bytes in a
 * {@link BlobStore}: PostgreSQL chunks by default (the service stays stateless and one backup
 * holds everything), or S3-compatible storage for data that outgrows one database.
 *
 * An upload writes its bytes under a new blob id outside any transaction — a slow client holds no
 * pool connection while it trickles — then swaps the object's metadata in one short transaction:
 * the quota check under the customer's storage lock, the metadata, the storage total and usage,
 * and the old blob marked as garbage. Until that swap the new blob is leased in
 * `cloud_blob_garbage` (renewed while bytes arrive): an upload that dies midway (crash, lost
 * client) leaves a lease that expires, and the garbage collector removes its bytes.
 */
import { randomUUID } from "node:crypto";
import type { DatabaseConnection, SqlQueryable } from "@atlas/db";
import { AppError } from "@atlas/errors";
import { decodeCursor, encodeCursor } from "@atlas/service-kit";
import type { BlobStore, StoredBlob } from "./blobs/store.ts";
import type { Entitlement } from "./entitlements.ts";
import { lockStorage, type Owner, setStorage } from "./storage.ts";

export { CHUNK_BYTES } from "./blobs/postgres.ts";

/** An upload renews its garbage-collection lease at most this often while bytes arrive. */
const LEASE_RENEW_MS = 10_000;

export interface ObjectMeta {
  key: string;
  sizeBytes: number;
  contentType: string;
  sha256: string;
  createdAt: string;
  updatedAt: string;
}

interface ObjectRow {
  key: string;
  sizeBytes: string;
  contentType: string;
  sha256: string;
  blobId: string;
  createdAt: Date;
  updatedAt: Date;
}

const toMeta = (r: ObjectRow): ObjectMeta => ({
  key: r.key,
  sizeBytes: Number(r.sizeBytes),
  contentType: r.contentType,
  sha256: r.sha256,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

const COLUMNS = `"key", "sizeBytes", "contentType", "sha256", "blobId", "createdAt", "updatedAt"`;

const tooLarge = (max: number) =>
  new AppError("PAYLOAD_TOO_LARGE", {
    detail: `Objects are limited to ${max} bytes on this plan`,
    extensions: { maxObjectBytes: max },
  });

const storageFull = (ent: Entitlement, used: number, needed: number) =>
  new AppError("QUOTA_EXCEEDED", {
    detail: `The ${ent.pricing.name} plan's storage limit would be exceeded`,
    extensions: { metric: "storage_bytes", limit: ent.limits.maxStorageBytes, used, needed },
  });

export interface PutObjectInput {
  key: string;
  contentType: string;
  /** Content-Length when the client sent one. */
  declaredLength: number | null;
  body: ReadableStream<Uint8Array> | null;
}

/**
 * Stores (or replaces) an object. Checks, in order: the declared length against the plan's
 * object size limit (413 before reading a byte), the storage limit against the current total
 * (402), then while streaming the actual length (413); at the end, under the customer's storage
 * lock, the storage limit again with the real size. The bytes are written first, outside any
 * transaction; the metadata and the new total then commit together. A refusal at any step
 * removes the new bytes (or leaves them to garbage collection). Resolves with the metadata and
 * the number of bytes received.
 */
export async function putObject(
  db: DatabaseConnection,
  blobs: BlobStore,
  ent: Entitlement,
  input: PutObjectInput,
  now: () => Date,
): Promise<{ meta: ObjectMeta; received: number }> {
  const { maxObjectBytes, maxStorageBytes } = ent.limits;
  if (input.declaredLength !== null && input.declaredLength > maxObjectBytes) throw tooLarge(maxObjectBytes);
  if (input.declaredLength !== null) {
    const [usage] = await db.query<{ bytes: string }>(
      `SELECT "bytes" FROM "cloud"."cloud_storage_usage" WHERE "tenantId" = $1 AND "userId" = $2`,
      [ent.tenantId, ent.userId],
    );
    const [existing] = await db.query<{ sizeBytes: string }>(
      `SELECT "sizeBytes" FROM "cloud"."cloud_objects" WHERE "tenantId" = $1 AND "userId" = $2 AND "key" = $3`,
      [ent.tenantId, ent.userId, input.key],
    );
    const used = Number(usage?.bytes ?? 0) - Number(existing?.sizeBytes ?? 0);
    if (used + input.declaredLength > maxStorageBytes) throw storageFull(ent, used, input.declaredLength);
  }
  const blobId = randomUUID();
  await lease(db, blobId, now());
  let renewedAt = now().getTime();
  let stored: StoredBlob;
  try {
    stored = await blobs.put(blobId, input.body, {
      maxBytes: maxObjectBytes,
      tooLarge: () => tooLarge(maxObjectBytes),
      onProgress: () => {
        const at = now();
        if (at.getTime() - renewedAt < LEASE_RENEW_MS) return;
        renewedAt = at.getTime();
        // A failed renewal only shortens the lease; the swap below notices a lost one.
        renewLease(db, blobId, at).catch(() => {});
      },
    });
  } catch (error) {
    await discardBlob(db, blobs, blobId);
    throw error;
  }
  try {
    return await db.transaction(async (tx) => swapObject(tx, ent, input, stored, now()));
  } catch (error) {
    await discardBlob(db, blobs, blobId);
    throw error;
  }
}

/** The short transaction of an upload: quota check, metadata, storage total, old blob released. */
async function swapObject(
  tx: SqlQueryable,
  ent: Entitlement,
  input: PutObjectInput,
  blob: StoredBlob,
  at: Date,
): Promise<{ meta: ObjectMeta; received: number }> {
  const storage = await lockStorage(tx, ent, at);
  // The new blob's lease ends: it is referenced from here on (or the transaction rolls back).
  const claimed = await tx.query(`DELETE FROM "cloud"."cloud_blob_garbage" WHERE "blobId" = $1 RETURNING "blobId"`, [
    blob.id,
  ]);
  if (claimed.length === 0) {
    throw new AppError("CONFLICT", { detail: "The upload stalled longer than the blob grace period; send it again" });
  }
  const [old] = await tx.query<ObjectRow>(
    `SELECT ${COLUMNS} FROM "cloud"."cloud_objects" WHERE "tenantId" = $1 AND "userId" = $2 AND "key" = $3`,
    [ent.tenantId, ent.userId, input.key],
  );
  const oldSize = old ? Number(old.sizeBytes) : 0;
  const newTotal = storage.bytes - oldSize + blob.size;
  if (newTotal > ent.limits.maxStorageBytes) throw storageFull(ent, storage.bytes - oldSize, blob.size);
  const [row] = await tx.query<ObjectRow>(
    `INSERT INTO "cloud"."cloud_objects" ("id", "tenantId", "userId", "key", "sizeBytes", "contentType", "sha256",
       "blobId", "createdAt", "updatedAt")
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
     ON CONFLICT ("tenantId", "userId", "key") DO UPDATE SET "sizeBytes" = EXCLUDED."sizeBytes",
       "contentType" = EXCLUDED."contentType", "sha256" = EXCLUDED."sha256", "blobId" = EXCLUDED."blobId",
       "updatedAt" = EXCLUDED."updatedAt"
     RETURNING ${COLUMNS}`,
    [randomUUID(), ent.tenantId, ent.userId, input.key, blob.size, input.contentType, blob.sha256, blob.id, at],
  );
  if (old) await releaseBlob(tx, old.blobId, at);
  await setStorage(tx, ent, storage, { bytes: newTotal, objects: storage.objects + (old ? 0 : 1) }, at);
  return { meta: toMeta(row as ObjectRow), received: blob.size };
}

/**
 * Leases a blob about to be written: listed as garbage released at `at`, so if the upload dies
 * the collector removes its bytes once the grace period has passed.
 */
async function lease(db: SqlQueryable, blobId: string, at: Date): Promise<void> {
  await db.query(`INSERT INTO "cloud"."cloud_blob_garbage" ("blobId", "releasedAt") VALUES ($1, $2)`, [blobId, at]);
}

/**
 * Moves a live upload's lease to `at`. Never re-creates a lease the collector took: that blob's
 * early bytes are gone, and the swap must refuse it.
 */
async function renewLease(db: SqlQueryable, blobId: string, at: Date): Promise<void> {
  await db.query(
    `UPDATE "cloud"."cloud_blob_garbage" SET "releasedAt" = GREATEST("releasedAt", $2) WHERE "blobId" = $1`,
    [blobId, at],
  );
}

/** A refused or failed upload's bytes go now; if that fails, its lease lets the collector do it. */
async function discardBlob(db: SqlQueryable, blobs: BlobStore, blobId: string): Promise<void> {
  try {
    await blobs.delete([blobId]);
    await db.query(`DELETE FROM "cloud"."cloud_blob_garbage" WHERE "blobId" = $1`, [blobId]);
  } catch {
    // Left to garbage collection.
  }
}

/** Marks a blob unreferenced; its chunks go after the grace period (see {@link collectGarbage}). */
async function releaseBlob(tx: SqlQueryable, blobId: string, at: Date): Promise<void> {
  await tx.query(
    `INSERT INTO "cloud"."cloud_blob_garbage" ("blobId", "releasedAt") VALUES ($1, $2) ON CONFLICT DO NOTHING`,
    [blobId, at],
  );
}

/** One of the caller's objects, or 404 (another customer's key answers exactly the same). */
export async function findObject(db: SqlQueryable, owner: Owner, key: string): Promise<ObjectRow> {
  const [row] = await db.query<ObjectRow>(
    `SELECT ${COLUMNS} FROM "cloud"."cloud_objects" WHERE "tenantId" = $1 AND "userId" = $2 AND "key" = $3`,
    [owner.tenantId, owner.userId, key],
  );
  if (!row) throw new AppError("NOT_FOUND", { detail: "No such object" });
  return row;
}

export async function headObject(db: SqlQueryable, owner: Owner, key: string): Promise<ObjectMeta> {
  return toMeta(await findObject(db, owner, key));
}

/**
 * The object's bytes as a stream from the blob store. A replaced or deleted object's blob stays
 * for the garbage grace period, so a download in progress reads the version it started with.
 */
export async function readObject(
  db: SqlQueryable,
  blobs: BlobStore,
  owner: Owner,
  key: string,
): Promise<{ meta: ObjectMeta; body: ReadableStream<Uint8Array> }> {
  const row = await findObject(db, owner, key);
  return { meta: toMeta(row), body: blobs.get(row.blobId, Number(row.sizeBytes)) };
}

/** Deletes one of the caller's objects (404 when it is not theirs or does not exist). */
export async function deleteObject(db: DatabaseConnection, owner: Owner, key: string, now: () => Date): Promise<void> {
  await db.transaction(async (tx) => {
    const at = now();
    const storage = await lockStorage(tx, owner, at);
    const [row] = await tx.query<ObjectRow>(
      `DELETE FROM "cloud"."cloud_objects" WHERE "tenantId" = $1 AND "userId" = $2 AND "key" = $3 RETURNING ${COLUMNS}`,
      [owner.tenantId, owner.userId, key],
    );
    if (!row) throw new AppError("NOT_FOUND", { detail: "No such object" });
    await releaseBlob(tx, row.blobId, at);
    const size = Number(row.sizeBytes);
    await setStorage(tx, owner, storage, { bytes: storage.bytes - size, objects: storage.objects - 1 }, at);
  });
}

export interface ObjectPage {
  items: ObjectMeta[];
  nextCursor: string | null;
}

/** The caller's objects by key, `limit` per page; the cursor is the last key (base64url). */
export async function listObjects(
  db: SqlQueryable,
  owner: Owner,
  options: { limit: number; cursor?: string; prefix?: string },
): Promise<ObjectPage> {
  let after = "";
  if (options.cursor) after = decodeCursor(options.cursor);
  const prefix = options.prefix ?? "";
  const rows = await db.query<ObjectRow>(
    `SELECT ${COLUMNS} FROM "cloud"."cloud_objects"
      WHERE "tenantId" = $1 AND "userId" = $2 AND "key" COLLATE "C" > $3 AND left("key", length($4)) = $4
      ORDER BY "key" COLLATE "C" LIMIT $5`,
    [owner.tenantId, owner.userId, after, prefix, options.limit + 1],
  );
  const page = rows.slice(0, options.limit);
  const last = page.at(-1);
  return {
    items: page.map(toMeta),
    nextCursor: rows.length > options.limit && last ? encodeCursor(last.key) : null,
  };
}

/**
 * Removes the bytes of blobs released more than `graceMs` ago: replaced or deleted objects' old
 * blobs, and uploads whose lease ran out (they died midway). Each batch is claimed (its rows
 * deleted, SKIP LOCKED: several instances may run this) before the store deletes the bytes; if
 * the store fails, the batch is listed again for the next run. Resolves with how many blobs were
 * collected.
 */
export async function collectGarbage(
  db: DatabaseConnection,
  blobs: BlobStore,
  now: Date,
  graceMs: number,
): Promise<number> {
  let total = 0;
  for (;;) {
    const released = new Date(now.getTime() - graceMs);
    const rows = await db.transaction((tx) =>
      tx.query<{ blobId: string; releasedAt: Date }>(
        `DELETE FROM "cloud"."cloud_blob_garbage" WHERE "blobId" IN (
           SELECT "blobId" FROM "cloud"."cloud_blob_garbage" WHERE "releasedAt" <= $1
            ORDER BY "releasedAt" LIMIT 1000 FOR UPDATE SKIP LOCKED)
         RETURNING "blobId", "releasedAt"`,
        [released],
      ),
    );
    if (rows.length === 0) return total;
    try {
      await blobs.delete(rows.map((r) => r.blobId));
    } catch (error) {
      await db.query(
        `INSERT INTO "cloud"."cloud_blob_garbage" ("blobId", "releasedAt")
         SELECT unnest($1::text[]), unnest($2::timestamptz[]) ON CONFLICT DO NOTHING`,
        [rows.map((r) => r.blobId), rows.map((r) => r.releasedAt.toISOString())],
      );
      throw error;
    }
    total += rows.length;
    if (rows.length < 1000) return total;
  }
}
