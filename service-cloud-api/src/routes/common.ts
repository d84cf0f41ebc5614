import { z } from "@hono/zod-openapi";

export const Problem = z
  .object({ type: z.string(), title: z.string(), status: z.number(), detail: z.string(), code: z.string() })
  .openapi("Problem");

/** An error answer in the OpenAPI document (RFC 9457 problem+json). */
export const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: Problem } },
});

/** `limit` and `cursor` of paginated lists (api.md "Lists"). */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50).openapi({ description: "Page size, 1..100" }),
  cursor: z.string().min(1).max(2_000).optional().openapi({ description: "`nextCursor` of the previous page" }),
});

export const bearer = [{ bearer: [] }];

/** The caller as the owner of objects, usage and invoices. */
export const ownerOf = (auth: { tid: string; sub: string }) => ({ tenantId: auth.tid, userId: auth.sub });
