import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { requireAuth } from "../../middleware/auth.ts";
import { idempotency } from "../../middleware/idempotency.ts";
import type { AuthEnv, Deps } from "../../ports.ts";
import { discardParkedEvent, listParkedEvents, retryParkedEvent } from "../../services/billing/outbox-admin.ts";
import { requestContext } from "../../services/login/request-context.ts";
import * as EX from "../examples/admin.ts";
import { bearerSecurity, problem, TenantHeader } from "../schemas.ts";
import { requirePlatformAdmin } from "./scope.ts";

const ParkedEvent = z
  .object({
    id: z.string(),
    eventType: z.string(),
    sourceService: z.string(),
    aggregateKey: z.string().nullable(),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    parkedAt: z.string(),
    createdAt: z.string(),
    payload: z.unknown(),
  })
  .openapi("ParkedOutboxEvent");

const IdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[0-9A-Za-z_-]+$/)
    .openapi({ param: { name: "id", in: "path" } }),
});

const Reason = z.string().trim().min(3).max(500);

const OperatorHeaders = TenantHeader.extend({
  "idempotency-key": z
    .string()
    .min(1)
    .max(255)
    .optional()
    .openapi({ description: "Optional: the same key and body within 24 h replay the first answer" }),
});

/**
 * `/admin/billing/outbox`: parked events of the billing outbox, for platform admins (admins of
 * the `default` tenant) only: the outbox spans every tenant. A session access token is required:
 * personal access tokens carry no roles, so they never reach these routes.
 */
export function registerAdminOutboxRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps) {
  app.use("/admin/billing/*", requireAuth(deps), requirePlatformAdmin);
  // Retry and discard change state once; a retried request with the same key replays the answer.
  app.on("POST", "/admin/billing/outbox/:id/*", idempotency(deps, { optional: true }));
  const actor = (c: Parameters<typeof requestContext>[0]) => ({
    principal: c.var.principal,
    context: requestContext(c),
  });

  app.openapi(
    createRoute({
      method: "get",
      path: "/admin/billing/outbox/parked",
      tags: ["admin", "billing"],
      summary: "Parked billing outbox events (dead letter), most recently parked first",
      description:
        "Platform admins only. Billing events that failed every delivery attempt and wait for a person: the event, its payload, the attempts and the last error. Pages of up to 100 with nextCursor.",
      security: bearerSecurity,
      request: {
        headers: TenantHeader,
        query: z.strictObject({
          cursor: z.string().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(100).default(50),
        }),
      },
      responses: {
        200: {
          description: "A page of parked events",
          content: {
            "application/json": {
              schema: z.object({ items: z.array(ParkedEvent), nextCursor: z.string().nullable() }),
              example: EX.PARKED_PAGE,
            },
          },
        },
        400: problem("Invalid cursor or limit"),
        401: problem("Not authenticated"),
        403: problem("Not a platform admin"),
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      c.header("Cache-Control", "no-store");
      return c.json(await listParkedEvents(deps, { limit: q.limit, cursor: q.cursor }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/admin/billing/outbox/{id}/retry",
      tags: ["admin", "billing"],
      summary: "Put a parked event back in its consumer's queue (attempts reset, due now); audited",
      description:
        "Platform admins only, once the cause is fixed (a card updated, a provider back). Its consumer picks it up again at once. An Idempotency-Key makes a retried request safe. The reason goes into the audit log.",
      security: bearerSecurity,
      request: {
        headers: OperatorHeaders,
        params: IdParam,
        body: {
          content: {
            "application/json": { schema: z.strictObject({ reason: Reason.optional() }), example: EX.RETRY_REASON },
          },
          required: false,
        },
      },
      responses: {
        200: {
          description: "The event as it was parked; now queued",
          content: { "application/json": { schema: ParkedEvent, example: EX.PARKED_EVENT } },
        },
        400: problem("Invalid id or reason"),
        401: problem("Not authenticated"),
        403: problem("Not a platform admin"),
        404: problem("No parked event with this id"),
      },
    }),
    async (c) => {
      const body = c.req.header("content-type")?.includes("json") ? c.req.valid("json") : {};
      return c.json(await retryParkedEvent(deps, c.req.valid("param").id, body.reason, actor(c)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/admin/billing/outbox/{id}/discard",
      tags: ["admin", "billing"],
      summary: "Discard a parked event: marked processed (never consumed) with the reason; the row stays; audited",
      description:
        "Platform admins only, for an event that must never take effect (settled by hand, voided). The reason (3 to 500 characters) is required and audited; the row is kept for the record.",
      security: bearerSecurity,
      request: {
        headers: OperatorHeaders,
        params: IdParam,
        body: {
          content: { "application/json": { schema: z.strictObject({ reason: Reason }), example: EX.DISCARD_REASON } },
          required: true,
        },
      },
      responses: {
        200: {
          description: "The discarded event",
          content: {
            "application/json": {
              schema: ParkedEvent.extend({ discardedAt: z.string(), discardReason: z.string() }).openapi(
                "DiscardedOutboxEvent",
              ),
              example: EX.DISCARDED_EVENT,
            },
          },
        },
        400: problem("Invalid id, or reason missing (3..500 characters)"),
        401: problem("Not authenticated"),
        403: problem("Not a platform admin"),
        404: problem("No parked event with this id"),
      },
    }),
    async (c) =>
      c.json(await discardParkedEvent(deps, c.req.valid("param").id, c.req.valid("json").reason, actor(c)), 200),
  );
}
