import { Readable } from "node:stream";
import type { S3Client } from "@aws-sdk/client-s3";
import { type BlobLimit, type BlobStore, measured, type StoredBlob } from "./store.ts";

export interface S3BlobStoreOptions {
  bucket: string;
  region: string;
  /** An S3-compatible endpoint (path-style requests); unset: AWS. */
  endpoint?: string;
  /** Unset: the SDK's default credential chain (environment, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** Bodies up to this size go in one PutObject; larger ones as a multipart upload of such parts. */
export const S3_PART_BYTES = 8 * 1024 * 1024;

/**
 * Blobs as S3 objects `blobs/<id>` through the official SDK: one PutObject per small blob, a
 * multipart upload (8 MiB parts, one in flight: bounded memory) for larger ones, aborted by the
 * SDK when the body fails. Incomplete multipart uploads of a crashed process are the bucket's to
 * expire (lifecycle rule AbortIncompleteMultipartUpload). The SDK is loaded on first use, so a
 * service on the PostgreSQL store never loads it.
 */
export class S3BlobStore implements BlobStore {
  readonly kind = "s3";
  private readonly bucket: string;
  private sdk: Promise<{
    client: S3Client;
    s3: typeof import("@aws-sdk/client-s3");
    storage: typeof import("@aws-sdk/lib-storage");
  }> | null = null;

  constructor(private readonly options: S3BlobStoreOptions) {
    this.bucket = options.bucket;
  }

  private load() {
    this.sdk ??= Promise.all([import("@aws-sdk/client-s3"), import("@aws-sdk/lib-storage")]).then(([s3, storage]) => {
      const { endpoint, credentials, region } = this.options;
      const client = new s3.S3Client({
        region,
        ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
        ...(credentials ? { credentials } : {}),
        // Integrity is ours (SHA-256 of every body) and S3 checks each signed payload hash; no
        // extra CRC trailers, which some S3-compatible servers do not speak.
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_REQUIRED",
      });
      return { client, s3, storage };
    });
    return this.sdk;
  }

  private key(id: string) {
    return `blobs/${id}`;
  }

  async put(id: string, body: ReadableStream<Uint8Array> | null, limit: BlobLimit): Promise<StoredBlob> {
    const { stream, result } = measured(body, id, limit);
    const { client, storage } = await this.load();
    const upload = new storage.Upload({
      client,
      params: { Bucket: this.bucket, Key: this.key(id), Body: Readable.fromWeb(stream as never) },
      partSize: S3_PART_BYTES,
      queueSize: 1,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      await this.delete([id]).catch(() => {});
      throw error;
    }
    return result();
  }

  get(id: string, size: number): ReadableStream<Uint8Array> {
    let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
    const open = async () => {
      const { client, s3 } = await this.load();
      const res = await client.send(new s3.GetObjectCommand({ Bucket: this.bucket, Key: this.key(id) }));
      if (!res.Body) throw new Error(`blob ${id} has no body`);
      if (res.ContentLength !== undefined && res.ContentLength !== size) {
        throw new Error(`blob ${id} holds ${res.ContentLength} bytes, its object ${size}`);
      }
      return res.Body.transformToWebStream().getReader() as ReadableStreamDefaultReader<Uint8Array>;
    };
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        reader ??= await open();
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      async cancel(reason) {
        await reader?.cancel(reason);
      },
    });
  }

  async delete(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const { client, s3 } = await this.load();
    // DeleteObject per id, a few at a time (DeleteObjects needs a Content-MD5 some peers lack).
    for (let i = 0; i < ids.length; i += 8) {
      await Promise.all(
        ids
          .slice(i, i + 8)
          .map((id) => client.send(new s3.DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(id) }))),
      );
    }
  }

  close(): void {
    this.sdk?.then(({ client }) => client.destroy()).catch(() => {});
  }
}
