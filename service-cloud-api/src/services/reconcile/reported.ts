import type { SqlQueryable } from "@atlas/db";
import { CONSUMED_EVENT_TYPES } from "../consumer.ts";
import type { Finding } from "./finding.ts";

/** parked_event and underpaid_invoice: reported, never repaired here. */
export async function checkParkedAndPayments(db: SqlQueryable): Promise<Finding[]> {
  const parked = await db.query<{ id: string; eventType: string; lastError: string | null; attempts: number }>(
    `SELECT "id", "eventType", "lastError", "attempts" FROM "billing"."billing_events"
      WHERE "parkedAt" IS NOT NULL AND NOT "processed" AND "eventType" = ANY($1::text[]) ORDER BY "parkedAt" LIMIT 1000`,
    [[...CONSUMED_EVENT_TYPES]],
  );
  const underpaid = await db.query<{
    id: string;
    tenantId: string;
    userId: string;
    amountDueMinor: number;
    paidAmountMinor: number;
  }>(
    `SELECT "id", "tenantId", "userId", "amountDueMinor", "paidAmountMinor" FROM "cloud"."cloud_invoices"
      WHERE "status" = 'paid' AND "paidAmountMinor" < "amountDueMinor"`,
  );
  return [
    ...parked.map((p) => ({
      kind: "parked_event" as const,
      tenantId: null,
      userId: null,
      subject: `event:${p.id}`,
      details: { eventType: p.eventType, lastError: p.lastError, attempts: p.attempts },
      repaired: false,
    })),
    ...underpaid.map((u) => ({
      kind: "underpaid_invoice" as const,
      tenantId: u.tenantId,
      userId: u.userId,
      subject: `invoice:${u.id}`,
      details: { amountDueMinor: u.amountDueMinor, paidAmountMinor: u.paidAmountMinor },
      repaired: false,
    })),
  ];
}
