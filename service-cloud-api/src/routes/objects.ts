import { requireScope } from "@atlas/auth-verify";
import { AppError } from "@atlas/errors";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Deps } from "../deps.ts";
import type { CloudEnv } from "../ports.ts";
import { deleteObject, listObjects, putObject, readObject } from "../services/objects.ts";
import { bearer, ownerOf, PageQuery, problem } from "./common.ts";
import * as EX from "./examples.ts";

const ObjectMeta = z
  .object({
    key: z.string(),
    sizeBytes: z.number().int().openapi({ description: "Size in bytes" }),
    contentType: z.string(),
    sha256: z.string().openapi({ description: "SHA-256 of the content (hex); also the ETag" }),
    createdAt: z.string().openapi({ format: "date-time" }),
    updatedAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("ObjectMeta");

// Keys are one path segment (encode "/" as %2F): printable, 1..512 characters.
const Key = z
  .string()
  .min(1)
  .max(512)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
  .regex(/^[^\u0000-\u001f\u007f]+$/, "control characters are not allowed")
  .openapi({ param: { name: "key", in: "path" }, description: "Object key (URL-encoded)" });
const KeyParams = z.object({ key: Key });

const ContentType = z
  .string()
  .max(255)
  .regex(/^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/, "a media type");

const notFound = problem("Not the caller's object, or no such object (NOT_FOUND)");
const auth401 = problem("Missing or invalid token (INVALID_TOKEN, EXPIRED_TOKEN)");

const putRoute = createRoute({
  method: "put",
  path: "/v1/objects/{key}",
  tags: ["objects"],
  summary: "Store bytes under a key (replaces an existing object)",
  description:
    "Needs scope `objects:write`. The raw body is stored; its size is limited by the plan (`maxObjectBytes`) and the caller's total by `maxStorageBytes`.",
  security: bearer,
  middleware: [requireScope("objects:write")] as const,
  request: {
    params: KeyParams,
    body: {
      required: true,
      content: { "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) } },
    },
  },
  responses: {
    200: {
      description: "Stored; the object's metadata",
      content: { "application/json": { schema: ObjectMeta, example: EX.OBJECT_META } },
    },
    400: problem("Invalid key or Content-Type (VALIDATION_FAILED)"),
    401: auth401,
    402: problem("The plan's storage limit or an allowance without overage is used up (QUOTA_EXCEEDED)"),
    403: problem("The token lacks objects:write (FORBIDDEN)"),
    409: problem(
      "The body stalled longer than the blob grace period and its bytes were collected (CONFLICT): send it again",
    ),
    413: problem("Larger than the plan's maxObjectBytes (PAYLOAD_TOO_LARGE)"),
  },
});

const getRoute = createRoute({
  method: "get",
  path: "/v1/objects/{key}",
  tags: ["objects"],
  summary: "Download an object's bytes",
  description: "Needs scope `objects:read`. Headers carry the metadata (Content-Type, Content-Length, ETag).",
  security: bearer,
  middleware: [requireScope("objects:read")] as const,
  request: { params: KeyParams },
  responses: {
    200: {
      description: "The bytes",
      content: { "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) } },
    },
    401: auth401,
    402: problem("An allowance without overage is used up (QUOTA_EXCEEDED)"),
    403: problem("The token lacks objects:read (FORBIDDEN)"),
    404: notFound,
  },
});

const deleteRoute = createRoute({
  method: "delete",
  path: "/v1/objects/{key}",
  tags: ["objects"],
  summary: "Delete an object",
  description:
    "Needs scope `objects:write`. The bytes are gone for good, and from then on they no longer accrue storage byte-hours.",
  security: bearer,
  middleware: [requireScope("objects:write")] as const,
  request: { params: KeyParams },
  responses: {
    204: { description: "Deleted" },
    401: auth401,
    403: problem("The token lacks objects:write (FORBIDDEN)"),
    404: notFound,
  },
});

const ObjectList = z.object({ items: z.array(ObjectMeta), nextCursor: z.string().nullable() }).openapi("ObjectList");

const listRoute = createRoute({
  method: "get",
  path: "/v1/objects",
  tags: ["objects"],
  summary: "The caller's objects, by key",
  description:
    "Needs scope `objects:read`. Keys in order, with size, content type and SHA-256; pass nextCursor as cursor for the next page and prefix to list one folder.",
  security: bearer,
  middleware: [requireScope("objects:read")] as const,
  request: {
    query: PageQuery.extend({
      prefix: z
        .string()
        .max(512)
        // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
        .regex(/^[^\u0000-\u001f\u007f]*$/, "control characters are not allowed")
        .optional()
        .openapi({ description: "Only keys starting with this" }),
    }),
  },
  responses: {
    200: {
      description: "A page of objects",
      content: { "application/json": { schema: ObjectList, example: EX.OBJECT_LIST } },
    },
    400: problem("Invalid limit or cursor (VALIDATION_FAILED)"),
    401: auth401,
    403: problem("The token lacks objects:read (FORBIDDEN)"),
  },
});

/** `/v1/objects`: the caller's objects only; another customer's key is indistinguishable from a missing one. */
export function registerObjectRoutes(app: OpenAPIHono<CloudEnv>, deps: Deps) {
  app.openapi(putRoute, async (c) => {
    const { key } = c.req.valid("param");
    const type = c.req.header("content-type") ?? "application/octet-stream";
    const contentType = ContentType.safeParse(type);
    if (!contentType.success) throw new AppError("VALIDATION_FAILED", { detail: "Content-Type must be a media type" });
    const declared = c.req.header("content-length");
    const ent = await deps.quota.state(ownerOf(c.var.auth));
    const { meta, received } = await putObject(
      deps.database,
      deps.blobs,
      ent.entitlement,
      {
        key,
        contentType: contentType.data,
        declaredLength: declared !== undefined && /^\d{1,15}$/.test(declared) ? Number(declared) : null,
        body: c.req.raw.body,
      },
      deps.now,
    );
    c.set("transferIn", received);
    deps.quota.forget(ownerOf(c.var.auth));
    return c.json(meta, 200);
  });

  app.openapi(getRoute, async (c) => {
    const { key } = c.req.valid("param");
    const { meta, body } = await readObject(deps.database, deps.blobs, ownerOf(c.var.auth), key);
    return new Response(body, {
      status: 200,
      headers: {
        "content-type": meta.contentType,
        "content-length": String(meta.sizeBytes),
        etag: `"${meta.sha256}"`,
        "last-modified": new Date(meta.updatedAt).toUTCString(),
        "cache-control": "private, no-store",
      },
    }) as never;
  });

  app.openapi(deleteRoute, async (c) => {
    const { key } = c.req.valid("param");
    await deleteObject(deps.database, ownerOf(c.var.auth), key, deps.now);
    deps.quota.forget(ownerOf(c.var.auth));
    return c.body(null, 204);
  });

  app.openapi(listRoute, async (c) => {
    const q = c.req.valid("query");
    return c.json(await listObjects(deps.database, ownerOf(c.var.auth), q), 200);
  });
}
