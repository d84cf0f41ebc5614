import { AppError } from "@atlas/errors";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AuthEnv, Deps } from "../../ports.ts";
import { handleStripeEvent } from "../../services/billing/stripe/stripe-events.ts";
import * as EX from "../examples/billing.ts";
import { problem } from "../schemas.ts";

export function registerStripeWebhookRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps) {
  app.openapi(
    createRoute({
      method: "post",
      path: "/webhooks/stripe",
      tags: ["webhooks"],
      summary: "Stripe webhook: verified on the raw body, each event id takes effect at most once",
      description:
        "For Stripe only, not for clients. The Stripe-Signature header is checked against the webhook secret over the raw body, with a 5-minute tolerance. Each event id takes effect once: a redelivery answers duplicate, events for other objects ignored.",
      request: {
        headers: z.object({ "stripe-signature": z.string().optional() }),
      },
      responses: {
        200: {
          description: "Verified (applied, already applied, or not Atlas's)",
          content: {
            "application/json": {
              schema: z.object({
                received: z.literal(true),
                outcome: z.enum(["applied", "unchanged", "duplicate", "ignored"]),
              }),
              example: EX.WEBHOOK_RECEIVED,
            },
          },
        },
        400: problem("Missing or invalid signature, or a stale timestamp"),
        404: problem("Stripe is not configured"),
        500: problem("The effect failed: Stripe delivers again"),
      },
    }),
    async (c) => {
      const secrets = deps.config.STRIPE_WEBHOOK_SECRETS;
      if (!deps.stripe || secrets.length === 0) throw new AppError("NOT_FOUND");
      const signature = c.req.header("stripe-signature");
      if (!signature) throw new AppError("VALIDATION_FAILED", { detail: "Missing Stripe-Signature header" });
      // The raw body as received: re-serialised JSON would not match the signature.
      const raw = await c.req.text();
      let event: Awaited<ReturnType<NonNullable<Deps["stripe"]>["verifyWebhook"]>>;
      try {
        event = await deps.stripe.verifyWebhook(
          raw,
          signature,
          secrets,
          deps.config.STRIPE_WEBHOOK_TOLERANCE_SEC,
          deps.now(),
        );
      } catch (error) {
        deps.logger.warn({ reason: (error as Error).name }, "stripe webhook refused");
        throw new AppError("VALIDATION_FAILED", { detail: "Invalid Stripe signature or timestamp" });
      }
      const outcome = await handleStripeEvent(deps, event);
      deps.logger.info({ stripeEventId: event.id, type: event.type, outcome }, "stripe webhook");
      return c.json({ received: true as const, outcome }, 200);
    },
  );
}
