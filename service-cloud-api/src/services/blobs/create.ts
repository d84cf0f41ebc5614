import type { SqlQueryable } from "@atlas/db";
import type { CloudConfig } from "../../config.ts";
import { PostgresBlobStore } from "./postgres.ts";
import { S3BlobStore } from "./s3.ts";
import type { BlobStore } from "./store.ts";

/** The blob store BLOB_STORE names (the S3 settings were checked by loadCloudConfig). */
export function createBlobStore(config: CloudConfig, db: SqlQueryable): BlobStore {
  if (config.BLOB_STORE === "postgres") return new PostgresBlobStore(db);
  const { S3_BUCKET, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL } = config;
  if (!S3_BUCKET || !AWS_REGION) throw new Error("BLOB_STORE=s3 needs S3_BUCKET and AWS_REGION");
  return new S3BlobStore({
    bucket: S3_BUCKET,
    region: AWS_REGION,
    endpoint: AWS_ENDPOINT_URL,
    credentials:
      AWS_ACCESS_KEY_ID && AWS_SECRET_ACCESS_KEY
        ? { accessKeyId: AWS_ACCESS_KEY_ID, secretAccessKey: AWS_SECRET_ACCESS_KEY }
        : undefined,
  });
}
