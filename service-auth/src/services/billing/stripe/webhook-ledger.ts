// The ledger of Stripe events applied (billing_processed_webhook_events): one row per event id,
// written in the same transaction as the event's effect, so an event takes effect once however
// often, and however concurrently, Stripe delivers it. One writer, whichever kind of transaction
// the effect runs in (Prisma for most effects, raw SQL for the charge saga's).
import { type Queryable, sqlOf } from "@atlas/db";
import type Stripe from "stripe";
import type { Prisma } from "../../../../generated/prisma/client.ts";
import type { Deps } from "../../../ports.ts";

/** What a delivery did: an effect, nothing (seen before / older than the state / not ours). */
export type WebhookOutcome = "applied" | "unchanged" | "duplicate" | "ignored";

/** Options of the transactions webhook effects run in: many deliveries may queue for the ledger. */
export const WEBHOOK_TX = { maxWait: 30_000, timeout: 30_000 };

/**
 * Records a Stripe event in the ledger, in the caller's transaction. False when it was recorded
 * before (the effect must not run again); a concurrent delivery of the same event waits on this
 * row until the first transaction ends, then finds it.
 */
export async function recordWebhookEvent(db: Queryable, event: Stripe.Event, now: Date): Promise<boolean> {
  const rows = await sqlOf(db).query(
    `INSERT INTO "billing"."billing_processed_webhook_events"
       ("id", "provider", "eventId", "eventType", "eventCreatedAt", "processedAt")
     VALUES (gen_random_uuid()::text, 'stripe', $1, $2, $3::timestamptz, $4::timestamptz)
     ON CONFLICT ("provider", "eventId") DO NOTHING RETURNING "id"`,
    [event.id, event.type, new Date(event.created * 1000), now],
  );
  return rows.length === 1;
}

/**
 * Runs an event's effect in one Prisma transaction with its ledger row: the effect commits once.
 */
export async function withWebhookLedger(
  deps: Deps,
  event: Stripe.Event,
  apply: (tx: Prisma.TransactionClient) => Promise<WebhookOutcome>,
): Promise<WebhookOutcome> {
  return deps.prisma.$transaction(async (tx) => {
    if (!(await recordWebhookEvent(tx, event, deps.now()))) return "duplicate";
    return apply(tx);
  }, WEBHOOK_TX);
}
