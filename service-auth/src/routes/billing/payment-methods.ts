import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AuthEnv, Deps } from "../../ports.ts";
import {
  createSetupIntent,
  detachPaymentMethod,
  listPaymentMethods,
  setDefaultPaymentMethod,
} from "../../services/billing/stripe/payment-methods.ts";
import * as EX from "../examples/billing.ts";
import { bearerSecurity, problem, TenantHeader } from "../schemas.ts";
import { billingMiddleware, MutatingHeaders } from "./common.ts";

const PaymentMethodSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    brand: z.string().nullable(),
    last4: z.string().nullable(),
    expMonth: z.number().int().nullable(),
    expYear: z.number().int().nullable(),
    isDefault: z.boolean(),
  })
  .openapi("PaymentMethod");

const PmParam = z.object({
  id: z
    .string()
    .regex(/^pm_[A-Za-z0-9]{1,250}$/)
    .openapi({ param: { name: "id", in: "path" } }),
});

const errors = {
  401: problem("Not authenticated"),
  404: problem("No such payment method, or Stripe is not configured"),
  409: problem("A request with this key is in progress"),
};

export function registerPaymentMethodRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps) {
  const mw = billingMiddleware(deps);

  app.openapi(
    createRoute({
      method: "post",
      path: "/billing/payment-methods/setup-intent",
      tags: ["billing"],
      summary: "A SetupIntent for Stripe Elements: returns its clientSecret",
      description:
        "The first step of adding a card: give clientSecret to Stripe Elements (stripe.confirmSetup), which collects the card in Stripe's own frame, so card numbers never reach Atlas. The card then shows in GET /billing/payment-methods. Users with MFA need a recent verification.",
      security: bearerSecurity,
      middleware: mw.change,
      request: { headers: MutatingHeaders },
      responses: {
        200: {
          description: "SetupIntent",
          content: {
            "application/json": {
              schema: z.object({ clientSecret: z.string(), setupIntentId: z.string() }),
              example: EX.SETUP_INTENT,
            },
          },
        },
        400: problem("Missing Idempotency-Key"),
        422: problem("Idempotency-Key reused with another request"),
        ...errors,
      },
    }),
    async (c) => {
      c.header("Cache-Control", "no-store");
      return c.json(
        await createSetupIntent(deps, c.var.principal.userId, c.req.valid("header")["idempotency-key"]),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/billing/payment-methods",
      tags: ["billing"],
      summary: "The caller's payment methods",
      description:
        "The caller's cards as Stripe holds them: brand, last 4 digits, expiry, and which one is the default. Needs `billing:read`.",
      security: bearerSecurity,
      middleware: mw.read,
      request: { headers: TenantHeader },
      responses: {
        200: {
          description: "Payment methods",
          content: {
            "application/json": {
              schema: z.object({ items: z.array(PaymentMethodSchema) }),
              example: EX.PAYMENT_METHODS,
            },
          },
        },
        403: problem("Token lacks billing:read"),
        ...errors,
      },
    }),
    async (c) => c.json({ items: await listPaymentMethods(deps, c.var.principal.userId) }, 200),
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/billing/payment-methods/{id}",
      tags: ["billing"],
      summary: "Detaches one of the caller's payment methods",
      description:
        "Removes the card from the caller's Stripe customer. Users with MFA need a recent verification; an Idempotency-Key is honoured when sent.",
      security: bearerSecurity,
      middleware: mw.removeChange,
      request: { headers: TenantHeader, params: PmParam },
      responses: { 204: { description: "Detached" }, ...errors },
    }),
    async (c) => {
      await detachPaymentMethod(deps, c.var.principal.userId, c.req.valid("param").id);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/billing/payment-methods/{id}/default",
      tags: ["billing"],
      summary: "Makes a payment method the default for subscriptions and invoices",
      description: "Later invoices are charged to this card. Users with MFA need a recent verification.",
      security: bearerSecurity,
      middleware: mw.change,
      request: { headers: MutatingHeaders, params: PmParam },
      responses: {
        200: {
          description: "Default set",
          content: { "application/json": { schema: PaymentMethodSchema, example: EX.PAYMENT_METHOD } },
        },
        400: problem("Missing Idempotency-Key"),
        ...errors,
      },
    }),
    async (c) => c.json(await setDefaultPaymentMethod(deps, c.var.principal.userId, c.req.valid("param").id), 200),
  );
}
