import type { SqlQueryable } from "@atlas/db";
import { usageTotals } from "../entitlements.ts";
import { type Collection, planById } from "../plans.ts";
import { computeSegmentedInvoice, type InvoiceDraft, type PricedSegment } from "./compute.ts";
import { segmentsOf } from "./periods.ts";

/** A billing period as it is priced. */
export interface PeriodToPrice {
  id: string;
  tenantId: string;
  userId: string;
  planId: string;
  collection: Collection;
  periodStart: Date;
  periodEnd: Date;
  /** The announced end when the period was closed early (null: `periodEnd`). */
  scheduledEnd: Date | null;
}

/**
 * Prices a period from its plan segments and the hourly counters. A usage hour belongs to the
 * segment (and the period) its `hourStart` falls in: [start, end) — so for a period ending at
 * 10:30 the 10:00 hour is billed in it, and not in a period starting at 10:30. Segments are cut
 * to the period (a cancellation or a new period may have closed it early; the first segment
 * always starts at the period's start, and a period is never closed at or before its start —
 * it is dropped instead). A period recorded before segments existed is one segment of its plan.
 */
export async function pricePeriod(db: SqlQueryable, period: PeriodToPrice): Promise<InvoiceDraft> {
  const stored = await segmentsOf(db, period.id);
  const segments = stored.length
    ? stored
    : [{ planId: period.planId, collection: period.collection, startsAt: period.periodStart, endsAt: null }];
  const priced: PricedSegment[] = [];
  for (const s of segments) {
    const start = new Date(Math.max(s.startsAt.getTime(), period.periodStart.getTime()));
    const end = new Date(Math.min((s.endsAt ?? period.periodEnd).getTime(), period.periodEnd.getTime()));
    if (end <= start) continue;
    priced.push({
      plan: planById(s.planId),
      collection: s.collection,
      start,
      end,
      usage: await usageTotals(db, period, start, end),
    });
  }
  return computeSegmentedInvoice(priced, { start: period.periodStart, end: period.scheduledEnd ?? period.periodEnd });
}
