import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AuthEnv, Deps } from "../../ports.ts";
import { payInvoiceNow } from "../../services/billing/invoices/pay-invoice.ts";
import * as EX from "../examples/billing.ts";
import { bearerSecurity, problem } from "../schemas.ts";
import { billingMiddleware, MutatingHeaders } from "./common.ts";

const InvoiceParam = z.object({
  id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,100}$/)
    .openapi({ param: { name: "id", in: "path" }, description: "The invoice id (GET /v1/invoices at cloud-api)" }),
});

const PayNowSchema = z
  .object({
    clientSecret: z
      .string()
      .openapi({ description: "Confirm it with Stripe.js (on-session: 3-D Secure, another card)" }),
    paymentIntentId: z.string(),
    status: z.string().openapi({ description: "The PaymentIntent's status before the customer confirms it" }),
  })
  .openapi("PayNow");

/** `POST /billing/invoices/:id/pay` (api.md "Paying an invoice now"). */
export function registerInvoicePaymentRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps) {
  const mw = billingMiddleware(deps);

  app.openapi(
    createRoute({
      method: "post",
      path: "/billing/invoices/{id}/pay",
      tags: ["billing"],
      summary: "Pay now: the client secret of the invoice's one PaymentIntent (for SCA or a failed charge)",
      description:
        "For an open invoice whose automatic charge needs the customer (3-D Secure) or failed: answers the client secret of the invoice's PaymentIntent, to confirm with Stripe.js on the page (another card may be used). The same PaymentIntent every time, so an invoice is never paid twice.",
      security: bearerSecurity,
      middleware: mw.mutate,
      request: { headers: MutatingHeaders, params: InvoiceParam },
      responses: {
        200: {
          description: "The PaymentIntent to confirm",
          content: { "application/json": { schema: PayNowSchema, example: EX.PAY_NOW } },
        },
        400: problem("Invalid invoice id or missing Idempotency-Key"),
        401: problem("Not authenticated"),
        404: problem("No such invoice (or another user's), or Stripe is not configured"),
        409: problem(
          "The invoice is paid, void, or being paid by another rail; or a request with this key is in progress",
        ),
        422: problem("Idempotency-Key reused with another request"),
      },
    }),
    async (c) => {
      c.header("Cache-Control", "no-store");
      return c.json(await payInvoiceNow(deps, c.var.principal.userId, c.req.valid("param").id), 200);
    },
  );
}
