import { requireScope } from "@atlas/auth-verify";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Deps } from "../deps.ts";
import type { CloudEnv } from "../ports.ts";
import { renderCreditNotePdf } from "../services/invoicing/credit-note-pdf.ts";
import { getCreditNote, listCreditNotes } from "../services/invoicing/credit-notes.ts";
import { bearer, ownerOf, PageQuery, problem } from "./common.ts";

const CreditNote = z
  .object({
    id: z.string(),
    number: z.number().int().openapi({ description: "Per tenant, gapless (apart from invoice numbers)" }),
    invoiceId: z.string(),
    invoiceNumber: z.number().int().nullable(),
    kind: z.enum(["refund", "dispute"]).openapi({ description: "A refund, or a dispute that withdrew the payment" }),
    status: z
      .enum(["issued", "reversed"])
      .openapi({ description: "`reversed`: a won dispute gave the money back to the merchant; it no longer credits" }),
    amountMinor: z.number().int(),
    currency: z.string(),
    reason: z.string().nullable(),
    reference: z.string().openapi({ description: "The Stripe refund (re_...) or dispute (du_...)" }),
    issuedAt: z.string(),
    reversedAt: z.string().nullable(),
  })
  .openapi("CreditNote");

const IdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    // Printable ASCII (ids are UUIDs): a NUL byte would otherwise reach PostgreSQL as text.
    .regex(/^[\x21-\x7e]+$/, "printable ASCII only")
    .openapi({ param: { name: "id", in: "path" } }),
});
const notFound = problem("Not the caller's credit note, or no such credit note (NOT_FOUND)");
const common = {
  401: problem("Missing or invalid token (INVALID_TOKEN, EXPIRED_TOKEN)"),
  403: problem("The token lacks billing:read (FORBIDDEN)"),
};

const listRoute = createRoute({
  method: "get",
  path: "/v1/credit-notes",
  tags: ["billing"],
  summary: "The caller's credit notes (refunds and disputes of paid invoices), newest first",
  description: "Needs scope `billing:read`.",
  security: bearer,
  middleware: [requireScope("billing:read")] as const,
  request: { query: PageQuery },
  responses: {
    200: {
      description: "A page of credit notes",
      content: {
        "application/json": {
          schema: z.object({ items: z.array(CreditNote), nextCursor: z.string().nullable() }).openapi("CreditNoteList"),
        },
      },
    },
    400: problem("Invalid limit or cursor (VALIDATION_FAILED)"),
    ...common,
  },
});

const getRoute = createRoute({
  method: "get",
  path: "/v1/credit-notes/{id}",
  tags: ["billing"],
  summary: "One of the caller's credit notes",
  description: "Needs scope `billing:read`.",
  security: bearer,
  middleware: [requireScope("billing:read")] as const,
  request: { params: IdParams },
  responses: {
    200: { description: "The credit note", content: { "application/json": { schema: CreditNote } } },
    ...common,
    404: notFound,
  },
});

const pdfRoute = createRoute({
  method: "get",
  path: "/v1/credit-notes/{id}/pdf",
  tags: ["billing"],
  summary: "One of the caller's credit notes as a PDF",
  description: "Needs scope `billing:read`.",
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

export function registerCreditNoteRoutes(app: OpenAPIHono<CloudEnv>, deps: Deps) {
  app.openapi(listRoute, async (c) =>
    c.json(await listCreditNotes(deps.database, ownerOf(c.var.auth), c.req.valid("query")), 200),
  );

  app.openapi(getRoute, async (c) =>
    c.json(await getCreditNote(deps.database, ownerOf(c.var.auth), c.req.valid("param").id), 200),
  );

  app.openapi(pdfRoute, async (c) => {
    const owner = ownerOf(c.var.auth);
    const note = await getCreditNote(deps.database, owner, c.req.valid("param").id);
    const pdf = await renderCreditNotePdf(note, owner);
    return new Response(new Uint8Array(pdf), {
      status: 200,
      headers: {
        "content-type": "application/pdf",
        "content-length": String(pdf.length),
        "content-disposition": `inline; filename="credit-note-${note.number}.pdf"`,
        "cache-control": "private, no-store",
      },
    }) as never;
  });
}
