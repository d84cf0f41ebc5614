import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AuthEnv, Deps } from "../../ports.ts";
import { createCustomer, findBillingProfile, setPreferredProvider } from "../../services/billing/stripe/customers.ts";
import { freePlan, listPlans, publicPlan } from "../../services/billing/stripe/plans.ts";
import { currentSubscription } from "../../services/billing/stripe/subscriptions.ts";
import * as EX from "../examples/billing.ts";
import { bearerSecurity, problem, TenantHeader } from "../schemas.ts";
import { billingMiddleware, iso, MutatingHeaders, SubscriptionSchema } from "./common.ts";

const PlanSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    currency: z.string(),
    monthlyPriceMinor: z.number().int(),
    includedUsage: z.record(z.string(), z.number()),
    overagePrices: z.record(z.string(), z.object({ unitSize: z.number(), unitPriceMinor: z.number().int() })),
    limits: z.object({ maxObjectBytes: z.number(), maxStorageBytes: z.number() }),
    purchasable: z.boolean(),
    trialDays: z
      .number()
      .int()
      .openapi({ description: "Free trial days a first subscription to the plan starts with" }),
  })
  .openapi("Plan");

const ProfileSchema = z
  .object({
    id: z.string(),
    stripeCustomerId: z.string().nullable(),
    preferredProvider: z.string(),
    cryptoEnabled: z.boolean(),
    defaultPaymentMethodId: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi("BillingProfile");

export function registerBillingCustomerRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps) {
  const mw = billingMiddleware(deps);

  app.openapi(
    createRoute({
      method: "get",
      path: "/billing/plans",
      tags: ["billing"],
      summary: "The plan catalogue: prices, included usage, overage prices and limits",
      description:
        "Public: no token needed. Every plan with its monthly price, the usage it includes (requests, transfer bytes, storage byte-hours), the price of usage beyond that per unit, the largest object and total storage it allows, and whether it can be bought here. Prices are integer minor units (cents).",
      request: { headers: TenantHeader },
      responses: {
        200: {
          description: "Plans",
          content: { "application/json": { schema: z.object({ items: z.array(PlanSchema) }), example: EX.PLAN_LIST } },
        },
      },
    }),
    async (c) => c.json({ items: await listPlans(deps) }, 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/billing/profile",
      tags: ["billing"],
      summary: "The caller's billing profile, current subscription and the plan in force",
      description:
        "What the billing page shows: the billing profile (null before the first billing action), the current subscription (null on the free plan) and the plan whose allowances apply now. Needs `billing:read`, which every sign-in token has.",
      security: bearerSecurity,
      middleware: mw.read,
      request: { headers: TenantHeader },
      responses: {
        200: {
          description: "Billing state",
          content: {
            "application/json": {
              schema: z.object({
                profile: ProfileSchema.nullable(),
                subscription: SubscriptionSchema.nullable(),
                plan: PlanSchema,
              }),
              example: EX.BILLING_STATE,
            },
          },
        },
        401: problem("Not authenticated"),
        403: problem("Token lacks billing:read"),
      },
    }),
    async (c) => {
      const profile = await findBillingProfile(deps, c.var.principal.userId);
      const subscription = profile ? await currentSubscription(deps, profile.id) : null;
      const plan = subscription ? subscription.plan : await freePlan(deps);
      return c.json(
        {
          profile: profile && {
            id: profile.id,
            stripeCustomerId: profile.stripeCustomerId,
            preferredProvider: profile.preferredProvider,
            cryptoEnabled: profile.cryptoEnabled,
            defaultPaymentMethodId: profile.defaultPaymentMethodId,
            createdAt: profile.createdAt.toISOString(),
          },
          subscription: subscription && {
            id: subscription.id,
            planId: subscription.planId,
            status: subscription.status,
            currentPeriodStart: subscription.currentPeriodStart.toISOString(),
            currentPeriodEnd: subscription.currentPeriodEnd.toISOString(),
            cancelAtPeriodEnd: subscription.cancelAtPeriodEnd,
            canceledAt: iso(subscription.canceledAt),
          },
          plan: publicPlan(deps, plan),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/billing/customer",
      tags: ["billing"],
      summary: "Creates the caller's Stripe customer once; emits customer.created",
      description:
        "Idempotent: the first call creates the Stripe customer and the billing profile (201), later calls answer the existing profile (200). Takes an Idempotency-Key like every billing write.",
      security: bearerSecurity,
      middleware: mw.mutate,
      request: { headers: MutatingHeaders },
      responses: {
        200: {
          description: "Already existed",
          content: { "application/json": { schema: ProfileSchema, example: EX.BILLING_PROFILE } },
        },
        201: {
          description: "Created",
          content: { "application/json": { schema: ProfileSchema, example: EX.BILLING_PROFILE } },
        },
        400: problem("Missing Idempotency-Key"),
        401: problem("Not authenticated"),
        409: problem("A request with this key is in progress"),
        422: problem("Idempotency-Key reused with another request"),
      },
    }),
    async (c) => {
      const p = c.var.principal;
      const { profile, created } = await createCustomer(deps, { userId: p.userId, tenantId: p.tenantId });
      return c.json(
        {
          id: profile.id,
          stripeCustomerId: profile.stripeCustomerId,
          preferredProvider: profile.preferredProvider,
          cryptoEnabled: profile.cryptoEnabled,
          defaultPaymentMethodId: profile.defaultPaymentMethodId,
          createdAt: profile.createdAt.toISOString(),
        },
        created ? 201 : 200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "patch",
      path: "/billing/profile",
      tags: ["billing"],
      summary: "How the caller's invoices are paid: charged to the card (stripe) or paid on chain (crypto)",
      description:
        "stripe: each invoice is charged to the default card when it is issued. crypto: invoices wait to be paid on chain (POST /billing/crypto/quote). Users with MFA need a recent verification.",
      security: bearerSecurity,
      middleware: mw.change,
      request: {
        headers: MutatingHeaders,
        body: {
          content: {
            "application/json": {
              schema: z.strictObject({ preferredProvider: z.enum(["stripe", "crypto"]) }),
              example: EX.PREFERRED_PROVIDER,
            },
          },
          required: true,
        },
      },
      responses: {
        200: {
          description: "Updated",
          content: { "application/json": { schema: ProfileSchema, example: EX.CRYPTO_PROFILE } },
        },
        400: problem("Invalid request or missing Idempotency-Key"),
        401: problem("Not authenticated"),
        409: problem("Crypto payments are not configured here, or a request with this key is in progress"),
      },
    }),
    async (c) => {
      const p = c.var.principal;
      const who = { userId: p.userId, tenantId: p.tenantId };
      const profile = await setPreferredProvider(deps, who, c.req.valid("json").preferredProvider);
      return c.json(
        {
          id: profile.id,
          stripeCustomerId: profile.stripeCustomerId,
          preferredProvider: profile.preferredProvider,
          cryptoEnabled: profile.cryptoEnabled,
          defaultPaymentMethodId: profile.defaultPaymentMethodId,
          createdAt: profile.createdAt.toISOString(),
        },
        200,
      );
    },
  );
}
