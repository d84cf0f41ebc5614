import { type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Deps } from "../deps.ts";
import type { CloudEnv } from "../ports.ts";
import { getInvoice, listInvoices } from "../services/invoicing/invoices.ts";
import { renderInvoicePdf } from "../services/invoicing/pdf.ts";
import { mountBillingDocumentRoutes } from "./billing-documents.ts";
import * as EX from "./examples.ts";

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

/** `GET /v1/invoices`, `/v1/invoices/{id}` and `/v1/invoices/{id}/pdf`: the caller's invoices. */
export function registerInvoiceRoutes(app: OpenAPIHono<CloudEnv>, deps: Deps) {
  mountBillingDocumentRoutes(app, {
    path: "/v1/invoices",
    noun: "invoice",
    schema: Invoice,
    listName: "InvoiceList",
    listSummary: "The caller's invoices with line items, newest period first",
    example: EX.INVOICE as z.infer<typeof Invoice>,
    list: (owner, query) => listInvoices(deps.database, owner, query),
    get: (owner, id) => getInvoice(deps.database, owner, id),
    pdf: renderInvoicePdf,
    filename: (invoice) => `invoice-${invoice.number ?? invoice.id}.pdf`,
  });
}
