import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AuthEnv, Deps } from "../../ports.ts";
import { listCredits } from "../../services/billing/invoices/credits.ts";
import * as EX from "../examples/billing.ts";
import { bearerSecurity, problem, TenantHeader } from "../schemas.ts";
import { billingMiddleware } from "./common.ts";

const CreditEntrySchema = z
  .object({
    id: z.string(),
    amountMinor: z.number().int().openapi({ description: "Positive: credit received; negative: applied to a charge" }),
    currency: z.string(),
    reason: z.enum(["overpayment", "underpayment", "duplicate_payment", "applied"]),
    source: z.string().openapi({ description: "eip155:chain:tx:log, stripe:pi_…, or applied:invoice:n" }),
    invoiceId: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi("CustomerCreditEntry");

/** GET /billing/credits: the caller's customer credit (over-, under- and double payments). */
export function registerCreditRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps) {
  const mw = billingMiddleware(deps);
  app.openapi(
    createRoute({
      method: "get",
      path: "/billing/credits",
      tags: ["billing"],
      summary: "The caller's credit balance per currency and its ledger (applied to the next charges)",
      description:
        "Credit comes from overpaid or duplicate payments (on chain or by card) and is taken off the next invoices before they are charged. Amounts are integer minor units; the ledger lists the latest 200 entries, newest first. Needs `billing:read`.",
      security: bearerSecurity,
      middleware: mw.read,
      request: { headers: TenantHeader },
      responses: {
        200: {
          description: "Credit balance and ledger entries, newest first (at most 200)",
          content: {
            "application/json": {
              schema: z
                .object({
                  balances: z.array(z.object({ currency: z.string(), amountMinor: z.number().int() })),
                  entries: z.array(CreditEntrySchema),
                })
                .openapi("CustomerCredits"),
              example: EX.CREDITS,
            },
          },
        },
        401: problem("Not authenticated"),
        403: problem("Token lacks billing:read"),
      },
    }),
    async (c) => {
      const credits = await listCredits(deps, c.var.principal.userId);
      return c.json(
        {
          balances: credits.balances,
          entries: credits.entries.map((e) => ({
            ...e,
            reason: e.reason as z.infer<typeof CreditEntrySchema>["reason"],
          })),
        },
        200,
      );
    },
  );
}
