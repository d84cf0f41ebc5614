import { BILLING_METRICS, type BillingMetric, type Plan } from "../plans.ts";

export interface InvoiceLineDraft {
  position: number;
  /** subscription | overage:<metric> */
  kind: string;
  description: string;
  /** Plan fee: 1. Overage: started blocks of `unitSize` units beyond the included amount. */
  quantity: number;
  unitPriceMinor: number;
  amountMinor: number;
  /** Collected by the Stripe subscription: listed, not charged again. */
  prepaid: boolean;
  usedQuantity: number | null;
  includedQuantity: number | null;
}

export interface InvoiceDraft {
  currency: string;
  lines: InvoiceLineDraft[];
  subtotalMinor: number;
  /** Plan price + Σ(overage blocks × unit price). */
  totalMinor: number;
  /** The total less prepaid lines: what the charge saga charges. */
  amountDueMinor: number;
}

const METRIC_LABEL: Record<BillingMetric, (n: number) => string> = {
  requests: (n) => `${n.toLocaleString("en-US")} requests`,
  transfer_bytes: (n) => `${n.toLocaleString("en-US")} bytes transferred`,
  storage_byte_hours: (n) => `${n.toLocaleString("en-US")} byte-hours stored`,
};

/** Started blocks of `unitSize` beyond `included` (usage is billed per started block). */
export function overageUnits(used: number, included: number, unitSize: number): number {
  const over = used - included;
  return over > 0 ? Math.ceil(over / unitSize) : 0;
}

const dayOf = (d: Date) => d.toISOString().slice(0, 10);

/**
 * The invoice of one period, in integer minor units: the plan's fee (one line; prepaid when a
 * Stripe subscription collects it) and one overage line per metric used beyond the plan's
 * included amount, priced per started block. A metric without an overage price adds nothing
 * (its use beyond the allowance is refused at request time, not billed).
 */
export function computeInvoice(
  plan: Plan,
  usage: Record<BillingMetric, number>,
  collection: "stripe_subscription" | "invoice",
  period: { start: Date; end: Date },
): InvoiceDraft {
  const lines: InvoiceLineDraft[] = [
    {
      position: 1,
      kind: "subscription",
      description: `${plan.name} plan, ${dayOf(period.start)} to ${dayOf(period.end)}${
        collection === "stripe_subscription" ? " (collected by the subscription)" : ""
      }`,
      quantity: 1,
      unitPriceMinor: plan.monthlyPriceMinor,
      amountMinor: plan.monthlyPriceMinor,
      prepaid: collection === "stripe_subscription",
      usedQuantity: null,
      includedQuantity: null,
    },
  ];
  for (const metric of BILLING_METRICS) {
    const price = plan.overagePrices[metric];
    if (!price) continue;
    const units = overageUnits(usage[metric], plan.includedUsage[metric], price.unitSize);
    if (units === 0) continue;
    lines.push({
      position: lines.length + 1,
      kind: `overage:${metric}`,
      description: `${METRIC_LABEL[metric](usage[metric] - plan.includedUsage[metric])} over the ${METRIC_LABEL[metric](
        plan.includedUsage[metric],
      )} included, per ${METRIC_LABEL[metric](price.unitSize)}`,
      quantity: units,
      unitPriceMinor: price.unitPriceMinor,
      amountMinor: units * price.unitPriceMinor,
      prepaid: false,
      usedQuantity: usage[metric],
      includedQuantity: plan.includedUsage[metric],
    });
  }
  const subtotalMinor = lines.reduce((s, l) => s + l.amountMinor, 0);
  const prepaid = lines.reduce((s, l) => s + (l.prepaid ? l.amountMinor : 0), 0);
  if (!Number.isSafeInteger(subtotalMinor) || subtotalMinor > 2_147_483_647) {
    throw new RangeError("invoice total out of range");
  }
  return {
    currency: plan.currency,
    lines,
    subtotalMinor,
    totalMinor: subtotalMinor,
    amountDueMinor: subtotalMinor - prepaid,
  };
}
