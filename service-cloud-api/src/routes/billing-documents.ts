// The three read routes every billing document has (invoices, credit notes): a page of the
// caller's documents, one of them, and one as a PDF — all scoped to the caller and `billing:read`.
// Registers nothing by itself: the document's route file mounts them.
import { requireScope } from "@atlas/auth-verify";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { CloudEnv } from "../ports.ts";
import type { Owner } from "../services/storage.ts";
import { bearer, ownerOf, PageQuery, problem } from "./common.ts";

const IdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    // Printable ASCII (ids are UUIDs): a NUL byte would otherwise reach PostgreSQL as text.
    .regex(/^[\x21-\x7e]+$/, "printable ASCII only")
    .openapi({ param: { name: "id", in: "path" } }),
});
const common = {
  401: problem("Missing or invalid token (INVALID_TOKEN, EXPIRED_TOKEN)"),
  403: problem("The token lacks billing:read (FORBIDDEN)"),
};

export interface BillingDocumentRoutes<Doc> {
  /** `/v1/invoices`: the list's path; one document is `<path>/{id}`, its PDF `<path>/{id}/pdf`. */
  path: string;
  /** "invoice", "credit note": in summaries and the 404's description. */
  noun: string;
  schema: z.ZodType<Doc>;
  /** The OpenAPI name of the page schema (`InvoiceList`). */
  listName: string;
  listSummary: string;
  /** A document as the API answers it, for the OpenAPI document's examples. */
  example: Doc;
  list(owner: Owner, query: { limit: number; cursor?: string }): Promise<{ items: Doc[]; nextCursor: string | null }>;
  get(owner: Owner, id: string): Promise<Doc>;
  pdf(doc: Doc, owner: Owner): Promise<Buffer | Uint8Array>;
  filename(doc: Doc): string;
}

export function mountBillingDocumentRoutes<Doc>(app: OpenAPIHono<CloudEnv>, spec: BillingDocumentRoutes<Doc>) {
  const notFound = problem(`Not the caller's ${spec.noun}, or no such ${spec.noun} (NOT_FOUND)`);
  const listRoute = createRoute({
    method: "get",
    path: spec.path,
    tags: ["billing"],
    summary: spec.listSummary,
    description: `Needs scope \`billing:read\`. Pages of up to 100 (limit); pass nextCursor as cursor for the next page. Amounts are integer minor units of the ${spec.noun}'s currency.`,
    security: bearer,
    middleware: [requireScope("billing:read")] as const,
    request: { query: PageQuery },
    responses: {
      200: {
        description: `A page of ${spec.noun}s`,
        content: {
          "application/json": {
            schema: z.object({ items: z.array(spec.schema), nextCursor: z.string().nullable() }).openapi(spec.listName),
            example: { items: [spec.example], nextCursor: null },
          },
        },
      },
      400: problem("Invalid limit or cursor (VALIDATION_FAILED)"),
      ...common,
    },
  });
  const getRoute = createRoute({
    method: "get",
    path: `${spec.path}/{id}`,
    tags: ["billing"],
    summary: `One of the caller's ${spec.noun}s`,
    description: `Needs scope \`billing:read\`. Another user's ${spec.noun} answers 404, as one that does not exist.`,
    security: bearer,
    middleware: [requireScope("billing:read")] as const,
    request: { params: IdParams },
    responses: {
      200: {
        description: `The ${spec.noun}`,
        content: { "application/json": { schema: spec.schema, example: spec.example } },
      },
      ...common,
      404: notFound,
    },
  });
  const pdfRoute = createRoute({
    method: "get",
    path: `${spec.path}/{id}/pdf`,
    tags: ["billing"],
    summary: `One of the caller's ${spec.noun}s as a PDF`,
    description: `Needs scope \`billing:read\`. The ${spec.noun} as a printable PDF document (shown inline, with a file name for saving).`,
    security: bearer,
    middleware: [requireScope("billing:read")] as const,
    request: { params: IdParams },
    responses: {
      200: {
        description: "The PDF",
        content: { "application/pdf": { schema: z.string().openapi({ format: "binary" }) } },
      },
      ...common,
      404: notFound,
    },
  });

  app.openapi(listRoute, async (c) =>
    c.json((await spec.list(ownerOf(c.var.auth), c.req.valid("query"))) as never, 200),
  );
  app.openapi(getRoute, async (c) =>
    c.json((await spec.get(ownerOf(c.var.auth), c.req.valid("param").id)) as never, 200),
  );
  app.openapi(pdfRoute, async (c) => {
    const owner = ownerOf(c.var.auth);
    const doc = await spec.get(owner, c.req.valid("param").id);
    const pdf = await spec.pdf(doc, owner);
    return new Response(new Uint8Array(pdf), {
      status: 200,
      headers: {
        "content-type": "application/pdf",
        "content-length": String(pdf.length),
        "content-disposition": `inline; filename="${spec.filename(doc)}"`,
        "cache-control": "private, no-store",
      },
    }) as never;
  });
}
