/**
 * Operators' handling of parked outbox events (the dead letter of `billing.billing_events`):
 * list them, put one back in its consumer's queue once the cause is fixed, or discard it.
 *
 * Discarded vs processed: both have `processed = true`, so no consumer claims the event again
 * (`@atlas/outbox` claims only `processed = false AND parkedAt IS NULL`) and it no longer holds
 * back its aggregate. A discarded event also has `discardedAt` and `discardReason`: its handler
 * never ran. The row is kept (with `parkedAt`, `attempts`, `lastError`) for the audit trail.
 * Only parked events can be retried or discarded: a pending event belongs to its consumer.
 */
import { AppError } from "@atlas/errors";
import type { BillingEvent, Prisma } from "../../../generated/prisma/client.ts";
import type { Deps, Principal } from "../../ports.ts";
import { recordAudit } from "../audit/audit.service.ts";
import type { RequestContext } from "../login/request-context.ts";
import { decodeCursor, encodeCursor } from "../platform/keyset-cursor.ts";

/** A parked event as operators see it (payload included: they must see what failed). */
export interface ParkedEventView {
  id: string;
  eventType: string;
  sourceService: string;
  aggregateKey: string | null;
  attempts: number;
  lastError: string | null;
  parkedAt: string;
  createdAt: string;
  payload: unknown;
}

export interface OutboxActor {
  principal: Principal;
  context: RequestContext;
}

const PARKED = { parkedAt: { not: null }, processed: false } satisfies Prisma.BillingEventWhereInput;

function view(e: BillingEvent): ParkedEventView {
  return {
    id: e.id,
    eventType: e.eventType,
    sourceService: e.sourceService,
    aggregateKey: e.aggregateKey,
    attempts: e.attempts,
    lastError: e.lastError,
    parkedAt: (e.parkedAt as Date).toISOString(),
    createdAt: e.createdAt.toISOString(),
    payload: e.payload,
  };
}

/** Parked events, most recently parked first, keyset-paged on (parkedAt, id). */
export async function listParkedEvents(
  deps: Deps,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ items: ParkedEventView[]; nextCursor: string | null }> {
  const cursor = page.cursor ? decodeCursor(page.cursor) : null;
  const rows = await deps.prisma.billingEvent.findMany({
    where: {
      ...PARKED,
      ...(cursor && {
        OR: [{ parkedAt: { lt: cursor.createdAt } }, { parkedAt: cursor.createdAt, id: { lt: cursor.id } }],
      }),
    },
    orderBy: [{ parkedAt: "desc" }, { id: "desc" }],
    take: page.limit + 1,
  });
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return {
    items: items.map(view),
    nextCursor:
      rows.length > page.limit && last ? encodeCursor({ createdAt: last.parkedAt as Date, id: last.id }) : null,
  };
}

const notParked = () => new AppError("NOT_FOUND", { detail: "No parked outbox event with this id" });

/**
 * Un-parks one event: due now with a fresh attempt count, so its consumer takes it on its next
 * poll (the outbox trigger does not fire on updates). Audited with the change, in one transaction.
 */
export async function retryParkedEvent(
  deps: Deps,
  id: string,
  reason: string | undefined,
  actor: OutboxActor,
): Promise<ParkedEventView> {
  const now = deps.now();
  return deps.prisma.$transaction(async (tx) => {
    const before = await tx.billingEvent.findFirst({ where: { id, ...PARKED } });
    // The conditional update is the guard: a concurrent retry or discard makes this one a 404.
    const moved = await tx.billingEvent.updateMany({
      where: { id, ...PARKED },
      data: { parkedAt: null, attempts: 0, availableAt: now },
    });
    if (!before || moved.count === 0) throw notParked();
    await recordAudit(
      tx,
      {
        eventType: "outbox_event_retried",
        tenantId: actor.principal.tenantId,
        userId: actor.principal.userId,
        context: actor.context,
        details: {
          eventId: id,
          outboxEventType: before.eventType,
          attempts: before.attempts,
          lastError: before.lastError,
          reason: reason ?? null,
        },
      },
      now,
    );
    return view(before);
  });
}

/** Discards one parked event (see the module comment); audited with the reason, in one transaction. */
export async function discardParkedEvent(
  deps: Deps,
  id: string,
  reason: string,
  actor: OutboxActor,
): Promise<ParkedEventView & { discardedAt: string; discardReason: string }> {
  const now = deps.now();
  return deps.prisma.$transaction(async (tx) => {
    const before = await tx.billingEvent.findFirst({ where: { id, ...PARKED } });
    const moved = await tx.billingEvent.updateMany({
      where: { id, ...PARKED },
      data: { processed: true, processedAt: now, discardedAt: now, discardReason: reason },
    });
    if (!before || moved.count === 0) throw notParked();
    await recordAudit(
      tx,
      {
        eventType: "outbox_event_discarded",
        tenantId: actor.principal.tenantId,
        userId: actor.principal.userId,
        context: actor.context,
        details: {
          eventId: id,
          outboxEventType: before.eventType,
          aggregateKey: before.aggregateKey,
          attempts: before.attempts,
          lastError: before.lastError,
          reason,
        },
      },
      now,
    );
    return { ...view(before), discardedAt: now.toISOString(), discardReason: reason };
  });
}
