/**
 * Objects: the caller's bytes under a key, metadata and bytes in Postgres.
 *
 * Why Postgres (chunked `bytea` rows) and not files under a data folder:
 * - The service stays stateless (architecture.md: "all state lives in Postgres"): any instance
 *   behind the load balancer serves any object, with no shared volume to provision.
 * - An upload, its metadata, the storage total, the quota check and the storage metering commit
 *   in one transaction: a crash mid-upload leaves nothing behind (no orphan files to sweep, no
 *   metadata pointing at a missing file), and backups of the one database are consistent.
 * - Bytes are split into 1 MiB chunks, streamed in and out: memory stays bounded and the 1 GB
 *   `bytea` cap does not limit object size (plans allow up to 5 GiB).
 * The cost is database size and WAL volume; beyond what one Postgres holds comfortably the
 * storage belongs in an object store behind this same module's functions.
 */
import { createHash, randomUUID } from "node:crypto";
import type { DatabaseConnection, SqlQueryable } from "@atlas/db";
import { AppError } from "@atlas/errors";
import { decodeCursor, encodeCursor } from "@atlas/service-kit";
import type { Entitlement } from "./entitlements.ts";
import { lockStorage, type Owner, setStorage } from "./storage.ts";

export const CHUNK_BYTES = 1024 * 1024;

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
 * lock, the storage limit again with the real size. The bytes, the metadata and the new total
 * commit together; a refusal at any step leaves no trace. Resolves with the metadata and the
 * number of bytes received.
 */
export async function putObject(
  db: DatabaseConnection,
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
  return db.transaction(async (tx) => {
    const blobId = randomUUID();
    const hash = createHash("sha256");
    let size = 0;
    let seq = 0;
    let buffered: Buffer[] = [];
    let bufferedBytes = 0;
    const writeChunk = async (data: Buffer) => {
      await tx.query(`INSERT INTO "cloud"."cloud_object_chunks" ("blobId", "seq", "data") VALUES ($1, $2, $3)`, [
        blobId,
        seq,
        data,
      ]);
      seq += 1;
    };
    if (input.body) {
      const reader = input.body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          size += value.byteLength;
          if (size > maxObjectBytes) throw tooLarge(maxObjectBytes);
          hash.update(value);
          buffered.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
          bufferedBytes += value.byteLength;
          while (bufferedBytes >= CHUNK_BYTES) {
            const all = Buffer.concat(buffered, bufferedBytes);
            await writeChunk(all.subarray(0, CHUNK_BYTES));
            const rest = all.subarray(CHUNK_BYTES);
            buffered = rest.length ? [rest] : [];
            bufferedBytes = rest.length;
          }
        }
      } finally {
        reader.releaseLock();
      }
      if (bufferedBytes > 0) await writeChunk(Buffer.concat(buffered, bufferedBytes));
    }
    const at = now();
    const storage = await lockStorage(tx, ent, at);
    const [old] = await tx.query<ObjectRow>(
      `SELECT ${COLUMNS} FROM "cloud"."cloud_objects" WHERE "tenantId" = $1 AND "userId" = $2 AND "key" = $3`,
      [ent.tenantId, ent.userId, input.key],
    );
    const oldSize = old ? Number(old.sizeBytes) : 0;
    const newTotal = storage.bytes - oldSize + size;
    if (newTotal > maxStorageBytes) throw storageFull(ent, storage.bytes - oldSize, size);
    const [row] = await tx.query<ObjectRow>(
      `INSERT INTO "cloud"."cloud_objects" ("id", "tenantId", "userId", "key", "sizeBytes", "contentType", "sha256",
         "blobId", "createdAt", "updatedAt")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
       ON CONFLICT ("tenantId", "userId", "key") DO UPDATE SET "sizeBytes" = EXCLUDED."sizeBytes",
         "contentType" = EXCLUDED."contentType", "sha256" = EXCLUDED."sha256", "blobId" = EXCLUDED."blobId",
         "updatedAt" = EXCLUDED."updatedAt"
       RETURNING ${COLUMNS}`,
      [randomUUID(), ent.tenantId, ent.userId, input.key, size, input.contentType, hash.digest("hex"), blobId, at],
    );
    if (old) await releaseBlob(tx, old.blobId, at);
    await setStorage(tx, ent, storage, { bytes: newTotal, objects: storage.objects + (old ? 0 : 1) }, at);
    return { meta: toMeta(row as ObjectRow), received: size };
  });
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
 * The object's bytes as a stream, one chunk per query. A replaced or deleted object's chunks stay
 * for the garbage grace period, so a download in progress reads the version it started with.
 */
export async function readObject(
  db: SqlQueryable,
  owner: Owner,
  key: string,
): Promise<{ meta: ObjectMeta; body: ReadableStream<Uint8Array> }> {
  const row = await findObject(db, owner, key);
  const size = Number(row.sizeBytes);
  const chunks = Math.ceil(size / CHUNK_BYTES);
  let seq = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (seq >= chunks) {
        controller.close();
        return;
      }
      const [chunk] = await db.query<{ data: Buffer }>(
        `SELECT "data" FROM "cloud"."cloud_object_chunks" WHERE "blobId" = $1 AND "seq" = $2`,
        [row.blobId, seq],
      );
      if (!chunk) {
        controller.error(new Error(`chunk ${seq} of blob ${row.blobId} is missing`));
        return;
      }
      seq += 1;
      controller.enqueue(new Uint8Array(chunk.data.buffer, chunk.data.byteOffset, chunk.data.byteLength));
    },
  });
  return { meta: toMeta(row), body };
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
 * Deletes the chunks of blobs released more than `graceMs` ago. Resolves with how many blobs
 * were collected.
 */
export async function collectGarbage(db: DatabaseConnection, now: Date, graceMs: number): Promise<number> {
  return db.transaction(async (tx) => {
    const rows = await tx.query<{ blobId: string }>(
      `DELETE FROM "cloud"."cloud_blob_garbage" WHERE "blobId" IN (
         SELECT "blobId" FROM "cloud"."cloud_blob_garbage" WHERE "releasedAt" <= $1
          ORDER BY "releasedAt" LIMIT 1000 FOR UPDATE SKIP LOCKED)
       RETURNING "blobId"`,
      [new Date(now.getTime() - graceMs)],
    );
    if (rows.length > 0) {
      await tx.query(`DELETE FROM "cloud"."cloud_object_chunks" WHERE "blobId" = ANY($1::text[])`, [
        rows.map((r) => r.blobId),
      ]);
    }
    return rows.length;
  });
}
