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
const minuteOf = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;

/** One part of a period with one plan: its own usage (hourly counters with hourStart in [start, end)). */
export interface PricedSegment {
  plan: Plan;
  collection: "stripe_subscription" | "invoice";
  start: Date;
  end: Date;
  usage: Record<BillingMetric, number>;
}

/** `a × num / den` rounded half up, in exact integers. */
const mulDivRound = (a: number, num: number, den: number) =>
  Number((2n * BigInt(a) * BigInt(num) + BigInt(den)) / (2n * BigInt(den)));
/** `a × num / den` rounded down, in exact integers. */
const mulDivFloor = (a: number, num: number, den: number) => Number((BigInt(a) * BigInt(num)) / BigInt(den));

/**
 * The invoice of one period whose plan changed within it (segment pricing, as Lago does): each
 * segment is priced with its own plan over its own usage. The rounding, all in integer minor units
 * and exact integer arithmetic over milliseconds (the timestamps' precision):
 * - share = segment length / the period's announced length (`period.end`; a period a cancellation
 *   cut short keeps its announced length, so the part after the cancellation is not billed);
 * - plan fee = price × share, rounded half up (listed as prepaid when Stripe collects it: Stripe's
 *   own proration charges it);
 * - allowance = included × share, rounded down;
 * - overage = started blocks of `unitSize` beyond that allowance × the segment plan's unit price
 *   (blocks round up, as for a whole period).
 * A segment covering the whole period gives exactly {@link computeInvoice}'s lines.
 */
export function computeSegmentedInvoice(segments: PricedSegment[], period: { start: Date; end: Date }): InvoiceDraft {
  const periodMs = period.end.getTime() - period.start.getTime();
  if (!(periodMs > 0)) throw new RangeError("billing period of no length");
  const priced = segments.filter((s) => s.end > s.start);
  const currency = priced[0]?.plan.currency ?? segments[0]?.plan.currency;
  if (!currency) throw new RangeError("billing period without a plan");
  if (priced.some((s) => s.plan.currency !== currency)) throw new RangeError("plans of one period differ in currency");
  const lines: InvoiceLineDraft[] = [];
  for (const seg of priced) {
    const segMs = seg.end.getTime() - seg.start.getTime();
    const whole = segMs === periodMs;
    const stripe = seg.collection === "stripe_subscription";
    const fee = whole ? seg.plan.monthlyPriceMinor : mulDivRound(seg.plan.monthlyPriceMinor, segMs, periodMs);
    const span = whole
      ? `${dayOf(period.start)} to ${dayOf(period.end)}`
      : `${minuteOf(seg.start)} to ${minuteOf(seg.end)} (${((segMs / periodMs) * 100).toFixed(2)}% of the period)`;
    lines.push({
      position: lines.length + 1,
      kind: "subscription",
      description: `${seg.plan.name} plan, ${span}${stripe ? " (collected by the subscription)" : ""}`,
      quantity: 1,
      unitPriceMinor: fee,
      amountMinor: fee,
      prepaid: stripe,
      usedQuantity: null,
      includedQuantity: null,
    });
    for (const metric of BILLING_METRICS) {
      const price = seg.plan.overagePrices[metric];
      if (!price) continue;
      const included = whole
        ? seg.plan.includedUsage[metric]
        : mulDivFloor(seg.plan.includedUsage[metric], segMs, periodMs);
      const used = seg.usage[metric];
      const units = overageUnits(used, included, price.unitSize);
      if (units === 0) continue;
      lines.push({
        position: lines.length + 1,
        kind: `overage:${metric}`,
        description: `${METRIC_LABEL[metric](used - included)} over the ${METRIC_LABEL[metric](included)} included${
          whole ? "" : ` (${seg.plan.name}, prorated)`
        }, per ${METRIC_LABEL[metric](price.unitSize)}`,
        quantity: units,
        unitPriceMinor: price.unitPriceMinor,
        amountMinor: units * price.unitPriceMinor,
        prepaid: false,
        usedQuantity: used,
        includedQuantity: included,
      });
    }
  }
  const subtotalMinor = lines.reduce((s, l) => s + l.amountMinor, 0);
  const prepaid = lines.reduce((s, l) => s + (l.prepaid ? l.amountMinor : 0), 0);
  if (!Number.isSafeInteger(subtotalMinor) || subtotalMinor > 2_147_483_647) {
    throw new RangeError("invoice total out of range");
  }
  return { currency, lines, subtotalMinor, totalMinor: subtotalMinor, amountDueMinor: subtotalMinor - prepaid };
}

/**
 * The invoice of one period with one plan throughout, in integer minor units: the plan's fee (one
 * line; prepaid when a Stripe subscription collects it) and one overage line per metric used
 * beyond the plan's included amount, priced per started block. A metric without an overage price
 * adds nothing (its use beyond the allowance is refused at request time, not billed).
 */
export function computeInvoice(
  plan: Plan,
  usage: Record<BillingMetric, number>,
  collection: "stripe_subscription" | "invoice",
  period: { start: Date; end: Date },
): InvoiceDraft {
  return computeSegmentedInvoice([{ plan, collection, start: period.start, end: period.end, usage }], period);
}
