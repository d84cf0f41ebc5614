import { type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Deps } from "../deps.ts";
import type { CloudEnv } from "../ports.ts";
import { renderCreditNotePdf } from "../services/invoicing/credit-note-pdf.ts";
import { getCreditNote, listCreditNotes } from "../services/invoicing/credit-notes.ts";
import { mountBillingDocumentRoutes } from "./billing-documents.ts";
import * as EX from "./examples.ts";

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

/** `GET /v1/credit-notes`, `/v1/credit-notes/{id}` and `/v1/credit-notes/{id}/pdf`: the caller's credit notes. */
export function registerCreditNoteRoutes(app: OpenAPIHono<CloudEnv>, deps: Deps) {
  mountBillingDocumentRoutes(app, {
    path: "/v1/credit-notes",
    noun: "credit note",
    schema: CreditNote,
    listName: "CreditNoteList",
    listSummary: "The caller's credit notes (refunds and disputes of paid invoices), newest first",
    example: EX.CREDIT_NOTE as z.infer<typeof CreditNote>,
    list: (owner, query) => listCreditNotes(deps.database, owner, query),
    get: (owner, id) => getCreditNote(deps.database, owner, id),
    pdf: renderCreditNotePdf,
    filename: (note) => `credit-note-${note.number}.pdf`,
  });
}
