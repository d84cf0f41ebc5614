import { requireScope } from "@atlas/auth-verify";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Deps } from "../deps.ts";
import type { CloudEnv } from "../ports.ts";
import { getInvoice, listInvoices } from "../services/invoicing/invoices.ts";
import { renderInvoicePdf } from "../services/invoicing/pdf.ts";
import { bearer, ownerOf, PageQuery, problem } from "./common.ts";

const Line = z.object({
  position: z.number().int(),
  kind: z.string().openapi({ description: "`subscription` or `overage:<metric>`" }),
  description: z.string(),
  quantity: z.number().int().openapi({ description: "1 for the plan fee; started overage blocks" }),
  unitPriceMinor: z.number().int(),
  amountMinor: z.number().int(),
  prepaid: z.boolean().openapi({ description: "Collected by the Stripe subscription: listed, not charged again" }),
  usedQuantity: z.number().nullable().openapi({ description: "Overage lines: usage measured in the period" }),
  includedQuantity: z.number().nullable().openapi({ description: "Overage lines: usage included in the plan" }),
});

const Invoice = z
  .object({
    id: z.string(),
    number: z.number().int().nullable().openapi({ description: "Per tenant, gapless" }),
    status: z.enum(["finalized", "paid", "failed", "void"]),
    planId: z.string(),
    currency: z.string(),
    periodStart: z.string(),
    periodEnd: z.string(),
    subtotalMinor: z.number().int(),
    totalMinor: z.number().int().openapi({ description: "Plan price + overage, integer minor units" }),
    prepaidMinor: z.number().int(),
    amountDueMinor: z.number().int().openapi({ description: "What is charged: total less prepaid lines" }),
    paidAmountMinor: z.number().int().nullable(),
    finalizedAt: z.string().nullable(),
    dueAt: z.string().nullable().openapi({ description: "Still unpaid after this, the customer is past due" }),
    paidAt: z.string().nullable(),
    failedAt: z.string().nullable(),
    failureCode: z.string().nullable(),
    voidedAt: z.string().nullable().openapi({ description: "When an operator voided it (status `void`)" }),
    refundedMinor: z.number().int().openapi({
      description: "Given back by credit notes (refunds, disputes); a won dispute's reversed note does not count",
    }),
    refundStatus: z
      .enum(["refunded", "partially_refunded"])
      .nullable()
      .openapi({ description: "Set when money went back; `status` stays `paid`" }),
    lines: z.array(Line),
  })
  .openapi("Invoice");

const IdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    // Printable ASCII (ids are UUIDs): a NUL byte would otherwise reach PostgreSQL as text.
    .regex(/^[\x21-\x7e]+$/, "printable ASCII only")
    .openapi({ param: { name: "id", in: "path" } }),
});
const notFound = problem("Not the caller's invoice, or no such invoice (NOT_FOUND)");
const common = {
  401: problem("Missing or invalid token (INVALID_TOKEN, EXPIRED_TOKEN)"),
  403: problem("The token lacks billing:read (FORBIDDEN)"),
};

const listRoute = createRoute({
  method: "get",
  path: "/v1/invoices",
  tags: ["billing"],
  summary: "The caller's invoices with line items, newest period first",
  description: "Needs scope `billing:read`.",
  security: bearer,
  middleware: [requireScope("billing:read")] as const,
  request: { query: PageQuery },
  responses: {
    200: {
      description: "A page of invoices",
      content: {
        "application/json": {
          schema: z.object({ items: z.array(Invoice), nextCursor: z.string().nullable() }).openapi("InvoiceList"),
        },
      },
    },
    400: problem("Invalid limit or cursor (VALIDATION_FAILED)"),
    ...common,
  },
});

const getRoute = createRoute({
  method: "get",
  path: "/v1/invoices/{id}",
  tags: ["billing"],
  summary: "One of the caller's invoices",
  description: "Needs scope `billing:read`.",
  security: bearer,
  middleware: [requireScope("billing:read")] as const,
  request: { params: IdParams },
  responses: {
    200: { description: "The invoice", content: { "application/json": { schema: Invoice } } },
    ...common,
    404: notFound,
  },
});

const pdfRoute = createRoute({
  method: "get",
  path: "/v1/invoices/{id}/pdf",
  tags: ["billing"],
  summary: "One of the caller's invoices as a PDF",
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

export function registerInvoiceRoutes(app: OpenAPIHono<CloudEnv>, deps: Deps) {
  app.openapi(listRoute, async (c) =>
    c.json(await listInvoices(deps.database, ownerOf(c.var.auth), c.req.valid("query")), 200),
  );

  app.openapi(getRoute, async (c) =>
    c.json(await getInvoice(deps.database, ownerOf(c.var.auth), c.req.valid("param").id), 200),
  );

  app.openapi(pdfRoute, async (c) => {
    const owner = ownerOf(c.var.auth);
    const invoice = await getInvoice(deps.database, owner, c.req.valid("param").id);
    const pdf = await renderInvoicePdf(invoice, owner);
    return new Response(new Uint8Array(pdf), {
      status: 200,
      headers: {
        "content-type": "application/pdf",
        "content-length": String(pdf.length),
        "content-disposition": `inline; filename="invoice-${invoice.number ?? invoice.id}.pdf"`,
        "cache-control": "private, no-store",
      },
    }) as never;
  });
}
