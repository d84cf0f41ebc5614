import { createReadStream, createWriteStream } from "node:fs";
import { rename, rm, stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { CloudSchema } from "@atlas/client";
import { type Context, requireToken } from "../context.ts";
import { table } from "../format.ts";
import { cloudClient, must, problemOf } from "../http.ts";
import { formatBytes, PROGRESS_MIN_BYTES, progressStream } from "../progress.ts";

type ObjectMeta = CloudSchema<"ObjectMeta">;
type ObjectPage = CloudSchema<"ObjectList">;

/** service-cloud-api as the token in force (the key travels URL-encoded, as `{key}` of the path). */
const cloud = (ctx: Context) => cloudClient(ctx.apiUrl, { token: requireToken(ctx), tenant: ctx.tenant });
const showProgress = (ctx: Context, size: number | null) =>
  !ctx.json && process.stderr.isTTY === true && (size === null || size >= PROGRESS_MIN_BYTES);

/**
 * `atlas objects put <key> [file]`: streams a file (or stdin with `-`) to PUT /v1/objects/:key,
 * never holding it in memory.
 */
export async function objectsPut(
  ctx: Context,
  key: string,
  file: string,
  opts: { contentType?: string },
): Promise<void> {
  const api = cloud(ctx);
  const fromStdin = file === "-";
  const size = fromStdin ? null : (await stat(file)).size;
  const source = fromStdin ? process.stdin : createReadStream(file);
  const body = source.pipe(progressStream(`put ${key}`, size, { enabled: showProgress(ctx, size) }));
  const meta = await must(
    `Uploading ${key}`,
    api.PUT("/v1/objects/{key}", {
      params: { path: { key } },
      headers: { "content-type": opts.contentType ?? "application/octet-stream" },
      // The bytes stream through untouched (the contract calls them a binary string).
      body: Readable.toWeb(body) as unknown as string,
      bodySerializer: (bytes) => bytes,
      // Streaming request bodies need half-duplex in Node's fetch.
      duplex: "half",
    }),
  );
  ctx.print(`Stored ${meta.key} (${formatBytes(meta.sizeBytes)}, sha256 ${meta.sha256}).`, meta);
}

/**
 * `atlas objects get <key> [file]`: streams the object to a file (written under a temporary name
 * and renamed when complete, so a failed download never leaves a truncated file) or to stdout.
 */
export async function objectsGet(ctx: Context, key: string, file: string | undefined): Promise<void> {
  const { error, response: res } = await cloud(ctx).GET("/v1/objects/{key}", {
    params: { path: { key } },
    parseAs: "stream",
  });
  if (!res.ok) throw problemOf(res, error, `Downloading ${key}`);
  // The response's own body: openapi-fetch reads an empty object's as no data.
  if (!res.body) throw problemOf(res, undefined, `Downloading ${key}`);
  const length = Number(res.headers.get("content-length"));
  const size = Number.isFinite(length) && length > 0 ? length : null;
  const toStdout = file === undefined || file === "-";
  const progress = progressStream(`get ${key}`, size, { enabled: !toStdout && showProgress(ctx, size) });
  const input = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
  if (toStdout) {
    await pipeline(input, progress, process.stdout);
    return;
  }
  const partial = `${file}.part-${process.pid}`;
  try {
    await pipeline(input, progress, createWriteStream(partial));
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  const written = (await stat(file)).size;
  ctx.print(`Saved ${key} to ${file} (${formatBytes(written)}).`, {
    key,
    file,
    sizeBytes: written,
    etag: res.headers.get("etag"),
  });
}

/** `atlas objects ls [--prefix p]`: every page of the caller's objects. */
export async function objectsList(ctx: Context, opts: { prefix?: string }): Promise<void> {
  const api = cloud(ctx);
  const items: ObjectMeta[] = [];
  let cursor: string | null = null;
  do {
    const query = { limit: 100, ...(opts.prefix ? { prefix: opts.prefix } : {}), ...(cursor ? { cursor } : {}) };
    const page: ObjectPage = await must("Listing objects", api.GET("/v1/objects", { params: { query } }));
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  const rows = items.map((o) => [
    o.key,
    formatBytes(o.sizeBytes),
    o.contentType,
    o.updatedAt.slice(0, 19).replace("T", " "),
  ]);
  ctx.print(items.length === 0 ? "No objects." : table(["KEY", "SIZE", "TYPE", "UPDATED (UTC)"], rows), { items });
}

/** `atlas objects rm <key>`. */
export async function objectsRemove(ctx: Context, key: string): Promise<void> {
  await must(`Deleting ${key}`, cloud(ctx).DELETE("/v1/objects/{key}", { params: { path: { key } } }));
  ctx.print(`Deleted ${key}.`, { deleted: key });
}
