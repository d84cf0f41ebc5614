import { createReadStream, createWriteStream } from "node:fs";
import { rename, rm, stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { type Context, requireToken } from "../context.ts";
import { table } from "../format.ts";
import { problemError, request, requestJson } from "../http.ts";
import { formatBytes, PROGRESS_MIN_BYTES, progressStream } from "../progress.ts";

interface ObjectMeta {
  key: string;
  sizeBytes: number;
  contentType: string;
  sha256: string;
  createdAt: string;
  updatedAt: string;
}

const objectUrl = (ctx: Context, key: string) => `${ctx.apiUrl}/v1/objects/${encodeURIComponent(key)}`;
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
  const token = requireToken(ctx);
  const fromStdin = file === "-";
  const size = fromStdin ? null : (await stat(file)).size;
  const source = fromStdin ? process.stdin : createReadStream(file);
  const body = source.pipe(progressStream(`put ${key}`, size, { enabled: showProgress(ctx, size) }));
  const res = await request(objectUrl(ctx, key), {
    method: "PUT",
    headers: { "content-type": opts.contentType ?? "application/octet-stream" },
    body: Readable.toWeb(body) as ReadableStream<Uint8Array>,
    // Streaming request bodies need half-duplex in Node's fetch.
    duplex: "half",
    token,
    tenant: ctx.tenant,
  } as RequestInit & { duplex: "half"; token: string; tenant: string | undefined });
  if (!res.ok) throw await problemError(res, `Uploading ${key}`);
  const meta = (await res.json()) as ObjectMeta;
  ctx.print(`Stored ${meta.key} (${formatBytes(meta.sizeBytes)}, sha256 ${meta.sha256}).`, meta);
}

/**
 * `atlas objects get <key> [file]`: streams the object to a file (written under a temporary name
 * and renamed when complete, so a failed download never leaves a truncated file) or to stdout.
 */
export async function objectsGet(ctx: Context, key: string, file: string | undefined): Promise<void> {
  const res = await request(objectUrl(ctx, key), { token: requireToken(ctx), tenant: ctx.tenant });
  if (!res.ok) throw await problemError(res, `Downloading ${key}`);
  if (!res.body) throw await problemError(res, `Downloading ${key}`);
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
  const token = requireToken(ctx);
  const items: ObjectMeta[] = [];
  let cursor: string | null = null;
  do {
    const q = new URLSearchParams({ limit: "100" });
    if (opts.prefix) q.set("prefix", opts.prefix);
    if (cursor) q.set("cursor", cursor);
    const page: { items: ObjectMeta[]; nextCursor: string | null } = await requestJson(
      `${ctx.apiUrl}/v1/objects?${q}`,
      "Listing objects",
      { token, tenant: ctx.tenant },
    );
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
  await requestJson<void>(objectUrl(ctx, key), `Deleting ${key}`, {
    method: "DELETE",
    token: requireToken(ctx),
    tenant: ctx.tenant,
  });
  ctx.print(`Deleted ${key}.`, { deleted: key });
}
