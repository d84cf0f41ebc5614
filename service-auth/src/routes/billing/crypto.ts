import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Hex } from "viem";
import type { AuthEnv, Deps } from "../../ports.ts";
import { confirmCryptoPayment, quoteCryptoPayment } from "../../services/billing/crypto/crypto-payments.ts";
import * as EX from "../examples/billing.ts";
import { bearerSecurity, problem } from "../schemas.ts";
import { billingMiddleware, MutatingHeaders } from "./common.ts";

const invoiceId = z.string().min(1).max(200);
const chainId = z
  .number()
  .int()
  .positive()
  .max(2 ** 53 - 1);

const errors = {
  400: problem("Invalid request, unaccepted chain/currency, or missing Idempotency-Key"),
  401: problem("Not authenticated"),
  404: problem("No such invoice, no open payment request, or crypto not configured"),
  409: problem(
    "Already paid (also from credit), transfer already used, a card payment of the invoice is processing, or a request with this key is in progress",
  ),
  422: problem("Idempotency-Key reused with another request"),
  503: problem("The chain's price feed is stale or unreadable (reason stale_rate), Stripe or Relay unreachable"),
};

export function registerCryptoRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps) {
  const mw = billingMiddleware(deps);

  app.openapi(
    createRoute({
      method: "post",
      path: "/billing/crypto/quote",
      tags: ["billing"],
      summary:
        "A crypto payment request for an invoice: a deposit address of its own, the amount at a fresh feed price less customer credit (via Relay where configured)",
      description:
        "Send exactly amount (in the token's base units) of currency on chainId to address before expiresAt, then call POST /billing/crypto/confirm with the transaction hash. The price comes from the chain's price feed and must be fresh (else 503 stale_rate).",
      security: bearerSecurity,
      middleware: mw.mutate,
      request: {
        headers: MutatingHeaders,
        body: {
          content: {
            "application/json": {
              schema: z.strictObject({ invoiceId, chainId, currency: z.string().regex(/^[A-Za-z0-9]{1,12}$/) }),
              example: EX.CRYPTO_QUOTE_REQUEST,
            },
          },
          required: true,
        },
      },
      responses: {
        201: {
          description: "Payment request",
          content: {
            "application/json": {
              schema: z
                .object({
                  paymentId: z.string(),
                  invoiceId: z.string(),
                  chainId: z.number().int(),
                  currency: z.string(),
                  tokenAddress: z.string().nullable(),
                  decimals: z.number().int(),
                  address: z.string(),
                  amount: z.string().openapi({ description: "Base units (wei, 10^-decimals) to send" }),
                  expiresAt: z.string(),
                  relay: z
                    .object({ requestId: z.string().nullable(), amountIn: z.string(), steps: z.array(z.unknown()) })
                    .nullable(),
                })
                .openapi("CryptoPaymentRequest"),
              example: EX.CRYPTO_QUOTE,
            },
          },
        },
        ...errors,
      },
    }),
    async (c) => {
      const { payment, relay } = await quoteCryptoPayment(deps, c.var.principal.userId, c.req.valid("json"));
      return c.json(
        {
          paymentId: payment.id,
          invoiceId: payment.invoiceId,
          chainId: payment.chainId,
          currency: payment.currency,
          tokenAddress: payment.tokenAddress,
          decimals: payment.decimals,
          address: payment.recipient,
          amount: payment.amountBaseUnits,
          expiresAt: payment.expiresAt.toISOString(),
          relay,
        },
        201,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/billing/crypto/confirm",
      tags: ["billing"],
      summary: "Verifies the transfer on chain and settles the invoice; emits payment.succeeded",
      description:
        "Reads the transaction from the chain: it must pay the quoted address, in the quoted token, at least the quoted amount, with enough confirmations. More than due becomes credit; less is credited toward the invoice (402 amount_too_low). A transaction pays one invoice only.",
      security: bearerSecurity,
      middleware: mw.mutate,
      request: {
        headers: MutatingHeaders,
        body: {
          content: {
            "application/json": {
              schema: z.strictObject({ invoiceId, chainId, txHash: z.string().regex(/^0x[0-9a-fA-F]{64}$/) }),
              example: EX.CRYPTO_CONFIRM_REQUEST,
            },
          },
          required: true,
        },
      },
      responses: {
        200: {
          description: "Paid",
          content: {
            "application/json": {
              schema: z.object({
                invoiceId: z.string(),
                chainId: z.number().int(),
                txHash: z.string(),
                logIndex: z.number().int(),
                status: z.enum(["confirmed", "credited"]).openapi({
                  description:
                    "confirmed: the transfer paid the invoice; credited: the invoice was already paid (by card), the transfer became credit",
                }),
                creditedMinor: z
                  .number()
                  .int()
                  .openapi({ description: "Minor units credited to the customer (overpayment or second payment)" }),
              }),
              example: EX.CRYPTO_CONFIRMED,
            },
          },
        },
        402: problem(
          "The transfer does not pay the invoice (reason: wrong_recipient, wrong_token, unconfirmed, reverted, not_found, before_quote, reorged, internal_transfer; amount_too_low: a partial payment, credited toward the invoice, with creditedMinor and remainingMinor)",
        ),
        ...errors,
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const result = await confirmCryptoPayment(deps, c.var.principal.userId, {
        ...body,
        txHash: body.txHash as Hex,
      });
      return c.json(result, 200);
    },
  );
}
