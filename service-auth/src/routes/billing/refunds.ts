import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { requireAuth } from "../../middleware/auth.ts";
import { idempotency } from "../../middleware/idempotency.ts";
import type { AuthEnv, Deps } from "../../ports.ts";
import { refundInvoice } from "../../services/billing/invoices/refunds.ts";
import { requestContext } from "../../services/login/request-context.ts";
import { requirePlatformAdmin } from "../admin/scope.ts";
import * as EX from "../examples/billing.ts";
import { bearerSecurity, problem } from "../schemas.ts";
import { MutatingHeaders } from "./common.ts";

const RefundSchema = z
  .object({
    id: z.string().openapi({ description: "The Stripe refund (re_...)" }),
    invoiceId: z.string(),
    amountMinor: z.number().int(),
    currency: z.string(),
    status: z.string().openapi({ description: "Stripe's refund status (succeeded, pending, ...)" }),
    reason: z.enum(["duplicate", "fraudulent", "requested_by_customer"]),
    reversedTransfer: z.boolean().openapi({ description: "Connect charge: transfer and application fee reversed" }),
  })
  .openapi("Refund");

/** Platform admins refund card payments of invoices (`POST /admin/billing/invoices/:id/refund`). */
export function registerRefundRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps) {
  app.openapi(
    createRoute({
      method: "post",
      path: "/admin/billing/invoices/{invoiceId}/refund",
      tags: ["admin", "billing"],
      summary: "Refunds (part of) an invoice's card payment through Stripe (platform admins)",
      description:
        "Idempotency-Key required: a retry never refunds twice. The refund is recorded once and " +
        "announced to cloud-api, which issues a credit note. Connect charges reverse the transfer " +
        "and the application fee pro rata. Crypto payments are refunded by hand (409).",
      security: bearerSecurity,
      middleware: [requireAuth(deps), requirePlatformAdmin, idempotency(deps)],
      request: {
        headers: MutatingHeaders,
        params: z.object({
          invoiceId: z
            .string()
            .min(1)
            .max(100)
            .regex(/^[\x21-\x7e]+$/, "printable ASCII only")
            .openapi({ param: { name: "invoiceId", in: "path" } }),
        }),
        body: {
          content: {
            "application/json": {
              schema: z.strictObject({
                amountMinor: z
                  .number()
                  .int()
                  .positive()
                  .max(100_000_000)
                  .optional()
                  .openapi({ description: "Absent: all that is left of the payment" }),
                reason: z.enum(["duplicate", "fraudulent", "requested_by_customer"]),
              }),
              example: EX.REFUND_REQUEST,
            },
          },
          required: true,
        },
      },
      responses: {
        201: { description: "Refunded", content: { "application/json": { schema: RefundSchema, example: EX.REFUND } } },
        400: problem("Invalid body or missing Idempotency-Key (VALIDATION_FAILED)"),
        401: problem("Not authenticated"),
        403: problem("Not a platform admin (FORBIDDEN)"),
        404: problem("No payment for this invoice (NOT_FOUND)"),
        409: problem("Crypto payment, not paid by card, nothing left to refund, or refused by Stripe (CONFLICT)"),
        503: problem("Stripe unreachable: retry with the same key (PROVIDER_UNAVAILABLE, Retry-After)"),
      },
    }),
    async (c) => {
      const p = c.var.principal;
      const body = c.req.valid("json");
      const refund = await refundInvoice(deps, {
        invoiceId: c.req.valid("param").invoiceId,
        ...(body.amountMinor !== undefined && { amountMinor: body.amountMinor }),
        reason: body.reason,
        requestKey: c.req.valid("header")["idempotency-key"],
        actor: { userId: p.userId, tenantId: p.tenantId, context: requestContext(c) },
      });
      return c.json(refund, 201);
    },
  );
}
