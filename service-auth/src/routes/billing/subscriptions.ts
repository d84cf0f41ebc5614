import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AuthEnv, Deps } from "../../ports.ts";
import { setCancelAtPeriodEnd, subscribe } from "../../services/billing/stripe/subscribe.ts";
import type { SubscriptionWithPlan } from "../../services/billing/stripe/subscriptions.ts";
import * as EX from "../examples/billing.ts";
import { bearerSecurity, problem } from "../schemas.ts";
import { billingMiddleware, iso, MutatingHeaders, SubscriptionSchema } from "./common.ts";

const errors = {
  400: problem("Invalid request or missing Idempotency-Key"),
  401: problem("Not authenticated"),
  404: problem("No such plan or subscription"),
  409: problem("The free plan (no subscription), or a request with this key is in progress"),
  422: problem("Idempotency-Key reused with another request"),
};

const ok = (example: object) => ({
  description: "The subscription",
  content: { "application/json": { schema: SubscriptionSchema, example } },
});
const started = {
  description:
    "The subscription; while its first payment needs the customer (`incomplete`), also that payment's `clientSecret`",
  content: {
    "application/json": {
      schema: SubscriptionSchema.extend({
        clientSecret: z
          .string()
          .optional()
          .openapi({ description: "Client secret of the first invoice's PaymentIntent, for Stripe.js to confirm" }),
      }),
      example: EX.SUBSCRIBED,
    },
  },
};

function subscriptionView(s: SubscriptionWithPlan) {
  return {
    id: s.id,
    planId: s.planId,
    status: s.status,
    currentPeriodStart: s.currentPeriodStart.toISOString(),
    currentPeriodEnd: s.currentPeriodEnd.toISOString(),
    cancelAtPeriodEnd: s.cancelAtPeriodEnd,
    canceledAt: iso(s.canceledAt),
  };
}

export function registerSubscriptionRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps) {
  const mw = billingMiddleware(deps);

  app.openapi(
    createRoute({
      method: "post",
      path: "/billing/subscriptions",
      tags: ["billing"],
      summary:
        "Subscribes to a plan, or upgrades/downgrades the current subscription (prorated); emits subscription.updated",
      description:
        "A plan change takes effect at once and is prorated on the next invoice. A first subscription whose payment needs the customer (3-D Secure, no card yet) is incomplete and answers the payment's clientSecret for Stripe.js. Users with MFA need a recent verification.",
      security: bearerSecurity,
      middleware: mw.change,
      request: {
        headers: MutatingHeaders,
        body: {
          content: {
            "application/json": {
              schema: z.strictObject({ planId: z.string().min(1).max(64) }),
              example: EX.SUBSCRIBE,
            },
          },
          required: true,
        },
      },
      responses: { 200: started, ...errors },
    }),
    async (c) => {
      const { subscription, clientSecret } = await subscribe(
        deps,
        c.var.principal.userId,
        c.req.valid("json").planId,
        c.req.valid("header")["idempotency-key"],
      );
      return c.json({ ...subscriptionView(subscription), ...(clientSecret && { clientSecret }) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/billing/subscriptions/current",
      tags: ["billing"],
      summary: "Cancels the current subscription at the end of its period",
      description:
        "The plan stays in force until currentPeriodEnd, then the account returns to the free plan. POST /billing/subscriptions/current/resume undoes it until then.",
      security: bearerSecurity,
      middleware: mw.change,
      request: { headers: MutatingHeaders },
      responses: { 200: ok(EX.CANCELING), ...errors },
    }),
    async (c) => {
      const sub = await setCancelAtPeriodEnd(
        deps,
        c.var.principal.userId,
        true,
        c.req.valid("header")["idempotency-key"],
      );
      return c.json(subscriptionView(sub), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/billing/subscriptions/current/resume",
      tags: ["billing"],
      summary: "Resumes a subscription set to cancel at period end",
      description: "Undoes a cancellation before the period ends: the subscription renews as before.",
      security: bearerSecurity,
      middleware: mw.change,
      request: { headers: MutatingHeaders },
      responses: { 200: ok(EX.ACTIVE_SUBSCRIPTION), ...errors },
    }),
    async (c) => {
      const sub = await setCancelAtPeriodEnd(
        deps,
        c.var.principal.userId,
        false,
        c.req.valid("header")["idempotency-key"],
      );
      return c.json(subscriptionView(sub), 200);
    },
  );
}
