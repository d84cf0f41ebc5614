import { AppError } from "@atlas/errors";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { ConnectedAccount } from "../../../generated/prisma/client.ts";
import type { AuthEnv, Deps } from "../../ports.ts";
import {
  ensureConnectedAccount,
  getConnectedAccount,
  onboardingLink,
  setApplicationFee,
} from "../../services/billing/stripe/connect.ts";
import { requestContext } from "../../services/login/request-context.ts";
import { requirePlatformAdmin } from "../admin/scope.ts";
import * as EX from "../examples/billing.ts";
import { bearerSecurity, problem, TenantHeader } from "../schemas.ts";
import { billingMiddleware, MutatingHeaders } from "./common.ts";

/** Connect accounts belong to the tenant: only its admins manage them. */
const requireTenantAdmin: MiddlewareHandler = async function requireTenantAdmin(c, next) {
  if (!c.var.principal.roles.includes("admin")) throw new AppError("FORBIDDEN", { detail: "Admin role required" });
  await next();
};

const AccountSchema = z
  .object({
    stripeAccountId: z.string(),
    chargesEnabled: z.boolean(),
    payoutsEnabled: z.boolean(),
    detailsSubmitted: z.boolean(),
    applicationFeeBps: z
      .number()
      .int()
      .openapi({ description: "Platform fee per charge in basis points: floor(amount × bps / 10000)" }),
  })
  .openapi("ConnectedAccount");

const view = (a: ConnectedAccount) => ({
  stripeAccountId: a.stripeAccountId,
  chargesEnabled: a.chargesEnabled,
  payoutsEnabled: a.payoutsEnabled,
  detailsSubmitted: a.detailsSubmitted,
  applicationFeeBps: a.applicationFeeBps,
});

const errors = {
  401: problem("Not authenticated"),
  403: problem("Not an admin of the tenant"),
  404: problem("No connected account, or Stripe is not configured"),
};

export function registerConnectRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps) {
  const mw = billingMiddleware(deps);
  const [auth, idem] = mw.mutate as [MiddlewareHandler, MiddlewareHandler];

  app.openapi(
    createRoute({
      method: "post",
      path: "/billing/connect/account",
      tags: ["billing"],
      summary: "Creates the tenant's Stripe Connect account once (charges are then made on its behalf)",
      description:
        "Tenant admins only. The first call creates the connected account (201), later calls answer it (200). Its users' charges are then made on behalf of the account, less the platform's application fee; POST /billing/connect/onboarding-link completes its details.",
      security: bearerSecurity,
      middleware: [auth, requireTenantAdmin, idem],
      request: { headers: MutatingHeaders },
      responses: {
        200: {
          description: "Existed",
          content: { "application/json": { schema: AccountSchema, example: EX.CONNECTED_ACCOUNT } },
        },
        201: {
          description: "Created",
          content: { "application/json": { schema: AccountSchema, example: EX.NEW_CONNECTED_ACCOUNT } },
        },
        ...errors,
      },
    }),
    async (c) => {
      const p = c.var.principal;
      const { account, created } = await ensureConnectedAccount(deps, p.tenantId, p.userId, requestContext(c));
      return c.json(view(account), created ? 201 : 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/billing/connect/onboarding-link",
      tags: ["billing"],
      summary: "A Stripe-hosted onboarding link for the tenant's connected account",
      description:
        "Tenant admins only. Send the admin's browser to url before expiresAt (a few minutes) to enter the business and bank details Stripe asks for; the account's status follows through Stripe's account.updated events.",
      security: bearerSecurity,
      middleware: [auth, requireTenantAdmin, idem],
      request: { headers: MutatingHeaders },
      responses: {
        200: {
          description: "Link",
          content: {
            "application/json": {
              schema: z.object({ url: z.string(), expiresAt: z.string() }),
              example: EX.ONBOARDING_LINK,
            },
          },
        },
        ...errors,
      },
    }),
    async (c) => {
      const link = await onboardingLink(deps, c.var.principal.tenantId);
      c.header("Cache-Control", "no-store");
      return c.json({ url: link.url, expiresAt: link.expiresAt.toISOString() }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/billing/connect/account",
      tags: ["billing"],
      summary: "The tenant's connected account status (from account.updated)",
      description:
        "Tenant admins only: whether the account may take charges and receive payouts, whether its details are complete, and the platform's fee.",
      security: bearerSecurity,
      middleware: [auth, requireTenantAdmin],
      request: { headers: TenantHeader },
      responses: {
        200: {
          description: "Status",
          content: { "application/json": { schema: AccountSchema, example: EX.CONNECTED_ACCOUNT } },
        },
        ...errors,
      },
    }),
    async (c) => c.json(view(await getConnectedAccount(deps, c.var.principal.tenantId)), 200),
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/admin/billing/connect/{tenantId}/application-fee",
      tags: ["admin", "billing"],
      summary: "Sets the platform's application fee on a tenant's Connect charges (platform admins)",
      description:
        "The fee of each later charge made on behalf of the tenant's connected account is " +
        "floor(amount × applicationFeeBps / 10000) minor units; refunds give it back pro rata.",
      security: bearerSecurity,
      middleware: [auth, requirePlatformAdmin],
      request: {
        headers: TenantHeader,
        params: z.object({
          tenantId: z
            .string()
            .min(1)
            .max(100)
            .regex(/^[\x21-\x7e]+$/)
            .openapi({ param: { name: "tenantId", in: "path" } }),
        }),
        body: {
          content: {
            "application/json": {
              schema: z.strictObject({ applicationFeeBps: z.number().int().min(0).max(10_000) }),
              example: EX.APPLICATION_FEE,
            },
          },
          required: true,
        },
      },
      responses: {
        200: {
          description: "Set",
          content: { "application/json": { schema: AccountSchema, example: EX.CONNECTED_ACCOUNT } },
        },
        400: problem("Invalid fee (VALIDATION_FAILED)"),
        401: problem("Not authenticated"),
        403: problem("Not a platform admin"),
        404: problem("The tenant has no connected account"),
      },
    }),
    async (c) => {
      const p = c.var.principal;
      const account = await setApplicationFee(
        deps,
        c.req.valid("param").tenantId,
        c.req.valid("json").applicationFeeBps,
        { userId: p.userId, tenantId: p.tenantId, context: requestContext(c) },
      );
      return c.json(view(account), 200);
    },
  );
}
