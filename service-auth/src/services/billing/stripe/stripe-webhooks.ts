// The ledger of processed Stripe webhook events: an event's effect commits once, with its row.
// The events themselves are dispatched by stripe-events.ts.
import { randomUUID } from "node:crypto";
import type { SqlQueryable } from "@atlas/db";
import type Stripe from "stripe";
import type { Prisma } from "../../../../generated/prisma/client.ts";
import type { Deps } from "../../../ports.ts";

/** What a delivery did: an effect, nothing (seen before / older than the state / not ours). */
export type WebhookOutcome = "applied" | "unchanged" | "duplicate" | "ignored";

/** Options of the transactions webhook effects run in: many deliveries may queue for the ledger. */
export const WEBHOOK_TX = { maxWait: 30_000, timeout: 30_000 };

/**
 * Runs an event's effect in one transaction with its ledger row: the row is unique per Stripe
 * event id, so however often (and however concurrently) an event is delivered, its effect
 * commits once. A second delivery waits on the first one's row and then finds it.
 */
export async function withWebhookLedger(
  deps: Deps,
  event: Stripe.Event,
  apply: (tx: Prisma.TransactionClient) => Promise<WebhookOutcome>,
): Promise<WebhookOutcome> {
  return deps.prisma.$transaction(async (tx) => {
    const recorded = await tx.processedWebhookEvent.createMany({
      data: [
        {
          provider: "stripe",
          eventId: event.id,
          eventType: event.type,
          eventCreatedAt: new Date(event.created * 1000),
          processedAt: deps.now(),
        },
      ],
      skipDuplicates: true,
    });
    if (recorded.count === 0) return "duplicate";
    return apply(tx);
  }, WEBHOOK_TX);
}

/** {@link withWebhookLedger}'s ledger insert on raw SQL; false when the event was recorded before. */
export async function recordWebhookSql(q: SqlQueryable, event: Stripe.Event, now: Date): Promise<boolean> {
  const rows = await q.query(
    `INSERT INTO "billing"."billing_processed_webhook_events"
       ("id", "provider", "eventId", "eventType", "eventCreatedAt", "processedAt")
     VALUES ($1, 'stripe', $2, $3, $4, $5) ON CONFLICT ("provider", "eventId") DO NOTHING RETURNING "id"`,
    [randomUUID(), event.id, event.type, new Date(event.created * 1000), now],
  );
  return rows.length === 1;
}
