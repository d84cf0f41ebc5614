import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AuthEnv, Deps } from "../../ports.ts";
import { registerStripeWebhookRoutes } from "../webhooks/stripe.ts";
import { registerConnectRoutes } from "./connect.ts";
import { registerCreditRoutes } from "./credits.ts";
import { registerCryptoRoutes } from "./crypto.ts";
import { registerBillingCustomerRoutes } from "./customers.ts";
import { registerInvoicePaymentRoutes } from "./invoices.ts";
import { registerPaymentMethodRoutes } from "./payment-methods.ts";
import { registerRefundRoutes } from "./refunds.ts";
import { registerSubscriptionRoutes } from "./subscriptions.ts";

/** The payment side of billing: /billing/* and the Stripe webhook. */
export function registerBillingRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps) {
  registerBillingCustomerRoutes(app, deps);
  registerPaymentMethodRoutes(app, deps);
  registerSubscriptionRoutes(app, deps);
  registerConnectRoutes(app, deps);
  registerCryptoRoutes(app, deps);
  registerRefundRoutes(app, deps);
  registerInvoicePaymentRoutes(app, deps);
  registerCreditRoutes(app, deps);
  registerStripeWebhookRoutes(app, deps);
}
