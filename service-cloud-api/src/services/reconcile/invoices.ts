import type { SqlQueryable } from "@atlas/db";
import { usageTotals } from "../entitlements.ts";
import { pricePeriod } from "../invoicing/price-period.ts";
import type { Finding } from "./finding.ts";

/** usage_vs_invoice: every recent issued invoice priced again from the counters. */
export async function checkInvoices(db: SqlQueryable, now: Date, windowMs: number): Promise<Finding[]> {
  const invoices = await db.query<{
    id: string;
    tenantId: string;
    userId: string;
    number: number;
    planId: string;
    periodStart: Date;
    periodEnd: Date;
    totalMinor: number;
    periodId: string | null;
    scheduledEnd: Date | null;
    collection: "stripe_subscription" | "invoice" | null;
  }>(
    `SELECT i."id", i."tenantId", i."userId", i."number", i."planId", i."periodStart", i."periodEnd", i."totalMinor",
            p."id" AS "periodId", p."scheduledEnd", p."collection"
       FROM "cloud"."cloud_invoices" i LEFT JOIN "cloud"."cloud_billing_periods" p ON p."invoiceId" = i."id"
      WHERE i."status" NOT IN ('draft', 'void') AND i."periodEnd" >= $1 ORDER BY i."periodEnd"`,
    [new Date(now.getTime() - windowMs)],
  );
  const findings: Finding[] = [];
  for (const inv of invoices) {
    // Priced again exactly as finalization priced it: by the period's plan segments (a period
    // no longer on record is one segment of the invoice's plan).
    const again = await pricePeriod(db, {
      id: inv.periodId ?? "",
      tenantId: inv.tenantId,
      userId: inv.userId,
      planId: inv.planId,
      collection: inv.collection ?? "invoice",
      periodStart: inv.periodStart,
      periodEnd: inv.periodEnd,
      scheduledEnd: inv.scheduledEnd,
    });
    const usage = await usageTotals(db, inv, inv.periodStart, inv.periodEnd);
    if (again.totalMinor !== inv.totalMinor) {
      const lines = await db.query<{ kind: string; usedQuantity: string | null }>(
        `SELECT "kind", "usedQuantity" FROM "cloud"."cloud_invoice_lines" WHERE "invoiceId" = $1 AND "kind" LIKE 'overage:%'`,
        [inv.id],
      );
      findings.push({
        kind: "usage_vs_invoice",
        tenantId: inv.tenantId,
        userId: inv.userId,
        subject: `invoice:${inv.id}`,
        details: {
          number: inv.number,
          invoicedMinor: inv.totalMinor,
          recomputedMinor: again.totalMinor,
          differenceMinor: again.totalMinor - inv.totalMinor,
          usageNow: usage,
          usageInvoiced: Object.fromEntries(
            lines.map((l) => [l.kind.slice("overage:".length), Number(l.usedQuantity)]),
          ),
        },
        repaired: false,
      });
    }
  }
  return findings;
}
