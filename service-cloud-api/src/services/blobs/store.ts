/**
 * Where object bytes live: a `BlobStore`. An object's metadata (cloud_objects) names its blob by
 * id; the bytes are written under a new id outside any database transaction, and only the swap of
 * the metadata is transactional (services/objects.ts). Two implementations: PostgreSQL (chunked
 * `bytea` rows, the default) and S3-compatible storage (`BLOB_STORE=s3`).
 *
 * Garbage: a blob no object points to (replaced, deleted, or an upload that never finished) is
 * listed in `cloud_blob_garbage`, and {@link BlobStore.delete} removes its bytes after the grace
 * period (services/objects.ts `collectGarbage`). That table is the store-independent list of
 * orphans: a store needs no listing of its own.
 */
import { createHash } from "node:crypto";

export interface StoredBlob {
  id: string;
  size: number;
  /** SHA-256 of the bytes (hex). */
  sha256: string;
}

export interface BlobStore {
  readonly kind: "postgres" | "s3";
  /**
   * Writes `body` as blob `id` (a new id: blobs are never overwritten). Rejects with
   * `tooLarge()` as soon as more than `maxBytes` arrived, and with the stream's error when the
   * body fails; what was written so far is then removed on a best-effort basis (else the
   * garbage collector's lease on `id` expires and collects it).
   */
  put(id: string, body: ReadableStream<Uint8Array> | null, limit: BlobLimit): Promise<StoredBlob>;
  /** The blob's bytes (`size` from its metadata). Errors the stream if they are missing. */
  get(id: string, size: number): ReadableStream<Uint8Array>;
  /** Removes the blobs' bytes; ids without bytes are ignored (idempotent). */
  delete(ids: string[]): Promise<void>;
  /** Releases the store's own connections (the PostgreSQL store shares the service's pool). */
  close?(): void;
}

export interface BlobLimit {
  maxBytes: number;
  tooLarge: () => Error;
  /** Called as bytes arrive (the caller renews its garbage-collection lease). */
  onProgress?: (received: number) => void;
}

/**
 * The body as it is read: counted, hashed and cut off past the limit. `result()` is the size and
 * hash once the stream has ended.
 */
export function measured(body: ReadableStream<Uint8Array> | null, id: string, limit: BlobLimit) {
  const hash = createHash("sha256");
  let size = 0;
  const source = body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() });
  const stream = source.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        size += chunk.byteLength;
        if (size > limit.maxBytes) throw limit.tooLarge();
        hash.update(chunk);
        limit.onProgress?.(size);
        controller.enqueue(chunk);
      },
    }),
  );
  return { stream, result: (): StoredBlob => ({ id, size, sha256: hash.digest("hex") }) };
}
