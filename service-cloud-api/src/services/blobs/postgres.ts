import type { SqlQueryable } from "@atlas/db";
import { type BlobLimit, type BlobStore, measured, type StoredBlob } from "./store.ts";

export const CHUNK_BYTES = 1024 * 1024;

/**
 * Blobs as 1 MiB `bytea` rows in `cloud_object_chunks`: memory stays bounded and the 1 GB `bytea`
 * cap does not limit object size. Each chunk is one autocommitted INSERT, so an upload holds a
 * pool connection only while a chunk is written, never while it waits for the client.
 */
export class PostgresBlobStore implements BlobStore {
  readonly kind = "postgres";
  constructor(private readonly db: SqlQueryable) {}

  async put(id: string, body: ReadableStream<Uint8Array> | null, limit: BlobLimit): Promise<StoredBlob> {
    const { stream, result } = measured(body, id, limit);
    let seq = 0;
    let buffered: Buffer[] = [];
    let bufferedBytes = 0;
    const writeChunk = async (data: Buffer) => {
      await this.db.query(`INSERT INTO "cloud"."cloud_object_chunks" ("blobId", "seq", "data") VALUES ($1, $2, $3)`, [
        id,
        seq,
        data,
      ]);
      seq += 1;
    };
    const reader = stream.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
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
      if (bufferedBytes > 0) await writeChunk(Buffer.concat(buffered, bufferedBytes));
    } catch (error) {
      await reader.cancel(error).catch(() => {});
      await this.delete([id]).catch(() => {});
      throw error;
    } finally {
      reader.releaseLock();
    }
    return result();
  }

  get(id: string, size: number): ReadableStream<Uint8Array> {
    const chunks = Math.ceil(size / CHUNK_BYTES);
    let seq = 0;
    const db = this.db;
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (seq >= chunks) {
          controller.close();
          return;
        }
        const [chunk] = await db.query<{ data: Buffer }>(
          `SELECT "data" FROM "cloud"."cloud_object_chunks" WHERE "blobId" = $1 AND "seq" = $2`,
          [id, seq],
        );
        if (!chunk) {
          controller.error(new Error(`chunk ${seq} of blob ${id} is missing`));
          return;
        }
        seq += 1;
        controller.enqueue(new Uint8Array(chunk.data.buffer, chunk.data.byteOffset, chunk.data.byteLength));
      },
    });
  }

  async delete(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.query(`DELETE FROM "cloud"."cloud_object_chunks" WHERE "blobId" = ANY($1::text[])`, [ids]);
  }
}
