import { AppError } from "@atlas/errors";
import type { MiddlewareHandler } from "hono";
import type { Prisma } from "../../generated/prisma/client.ts";
import type { Deps } from "../ports.ts";
import { sha256Hex } from "../services/platform/crypto.ts";

/** api.md: a stored answer is replayed for 24 h. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** A "running" record older than this belongs to a request that died; the key may be taken over. */
export const IDEMPOTENCY_STALE_MS = 5 * 60 * 1000;

interface StoredResponse {
  contentType: string | null;
  body: string;
}

/** Same JSON with keys in any order or other whitespace is the same request. */
function canonicalBody(raw: string): string {
  if (raw === "") return "";
  try {
    return JSON.stringify(JSON.parse(raw), (_k, v: unknown) =>
      v && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
        : v,
    );
  } catch {
    return raw;
  }
}

/**
 * Idempotency-Key for mutating billing endpoints (api.md). Place it after `requireAuth`: keys
 * are scoped per user and per method + path.
 *
 * - The key (1..255 characters) is reserved by inserting a unique row before the handler runs, so
 *   two concurrent requests with one key never both execute: the second gets 409 CONFLICT.
 * - Executed requests' 2xx and 4xx answers are stored and replayed for 24 h (header
 *   `Idempotent-Replayed: true`); 400 validation failures and 5xx answers are not stored, the key
 *   is released and may be retried.
 * - The same key with a different body (compared as canonical JSON) is 422 IDEMPOTENCY_KEY_REUSED.
 * `optional`: a request without the header runs unguarded (for naturally idempotent deletes).
 */
export function idempotency(deps: Deps, options: { optional?: boolean } = {}): MiddlewareHandler {
  return async function idempotencyMiddleware(c, next) {
    const key = c.req.header("idempotency-key");
    // Optional on naturally idempotent endpoints (DELETE of a payment method): honoured when sent.
    if (key === undefined && options.optional) return next();
    if (key === undefined || key.length < 1 || key.length > 255) {
      throw new AppError("VALIDATION_FAILED", {
        detail: "Header Idempotency-Key (1..255 characters) is required",
        extensions: { errors: [{ path: "headers.idempotency-key", message: "required, 1..255 characters" }] },
      });
    }
    const where = { scope: `user:${c.var.principal.userId}`, method: c.req.method, path: c.req.path, key };
    const requestHash = sha256Hex(`${where.method} ${where.path}\n${canonicalBody(await c.req.text())}`);
    const now = deps.now();
    const db = deps.prisma.idempotencyKey;
    // An expired record gives its key back.
    await db.deleteMany({ where: { ...where, expiresAt: { lte: now } } });
    const reserved = await db.createMany({
      data: [
        {
          ...where,
          requestHash,
          state: "running",
          createdAt: now,
          expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
        },
      ],
      skipDuplicates: true,
    });
    if (reserved.count === 0) {
      const existing = await db.findUnique({ where: { scope_method_path_key: where } });
      if (!existing) throw new AppError("CONFLICT", { detail: "The Idempotency-Key is being released; retry" });
      if (existing.requestHash !== requestHash) {
        throw new AppError("IDEMPOTENCY_KEY_REUSED", {
          detail: "This Idempotency-Key was used with a different request",
        });
      }
      if (existing.state === "completed" && existing.responseStatus !== null) {
        const stored = existing.responseBody as unknown as StoredResponse;
        const headers: Record<string, string> = { "Idempotent-Replayed": "true" };
        if (stored.contentType) headers["Content-Type"] = stored.contentType;
        return c.newResponse(stored.body === "" ? null : stored.body, existing.responseStatus as 200, headers);
      }
      // Running: another request holds the key, unless it died long ago (take over atomically).
      const stale = new Date(now.getTime() - IDEMPOTENCY_STALE_MS);
      const taken = await db.updateMany({
        where: { id: existing.id, state: "running", createdAt: { lte: stale } },
        data: { createdAt: now },
      });
      if (taken.count === 0) {
        throw new AppError("CONFLICT", { detail: "A request with this Idempotency-Key is in progress" });
      }
    }

    await next();

    const status = c.res.status;
    if (status === 400 || status >= 500) {
      await db.deleteMany({ where: { ...where, state: "running" } });
      return;
    }
    const body = await c.res.clone().text();
    const stored: StoredResponse = { contentType: c.res.headers.get("content-type"), body };
    await db.updateMany({
      where: { ...where, state: "running" },
      data: {
        state: "completed",
        responseStatus: status,
        responseBody: stored as unknown as Prisma.InputJsonValue,
        completedAt: deps.now(),
      },
    });
  };
}
