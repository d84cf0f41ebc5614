import { z } from "zod";

/** Services that produce billing events. */
export const SOURCE_SERVICES = ["service-auth", "service-cloud-api"] as const;
export type SourceService = (typeof SOURCE_SERVICES)[number];

const id = z.string().min(1).max(200);
const minor = z.number().int().nonnegative();
const currency = z.string().regex(/^[a-z]{3}$/);
const isoDate = z.iso.datetime({ offset: true });

const planLimits = z.strictObject({
  maxObjectBytes: z.number().int().positive(),
  maxStorageBytes: z.number().int().positive(),
});

/**
 * Payload schemas per event type: the contract between the producer and consumer of each event.
 * A payload is validated when it is enqueued and again when it is consumed.
 */
export const billingEventSchemas = {
  /** auth → cloud: a Stripe customer exists for this Atlas customer. */
  "customer.created": z.strictObject({
    tenantId: id,
    userId: id,
    billingProfileId: id,
    stripeCustomerId: id.nullable(),
  }),
  /** auth → cloud: the plan in force changed (created, upgraded, downgraded, renewed, past due). */
  "subscription.updated": z.strictObject({
    tenantId: id,
    userId: id,
    subscriptionId: id,
    planId: id,
    status: z.enum(["incomplete", "trialing", "active", "past_due", "canceled", "unpaid"]),
    currentPeriodStart: isoDate,
    currentPeriodEnd: isoDate,
    cancelAtPeriodEnd: z.boolean(),
    limits: planLimits,
    /**
     * Who collects the plan fee: `stripe_subscription` (a Stripe subscription charges it, so the
     * period's invoice lists it as prepaid) or `invoice` (the period's invoice charges it).
     * Absent in events of older producers: read as `invoice`.
     */
    collection: z.enum(["stripe_subscription", "invoice"]).optional(),
  }),
  /** auth → cloud: the subscription ended. */
  "subscription.canceled": z.strictObject({
    tenantId: id,
    userId: id,
    subscriptionId: id,
    planId: id,
    canceledAt: isoDate,
  }),
  /** cloud → auth: charge this invoice (at most once). */
  "invoice.finalized": z.strictObject({
    tenantId: id,
    userId: id,
    invoiceId: id,
    number: z.number().int().positive(),
    totalMinor: minor,
    /**
     * What to charge: the total less lines collected elsewhere (the plan fee a Stripe
     * subscription already collects). Absent: the total.
     */
    amountDueMinor: minor.optional(),
    currency,
    /**
     * When the invoice is due (finalization + cloud-api's INVOICE_DUE_DAYS): unpaid after it, the
     * customer is past due. Absent in events of older producers.
     */
    dueAt: isoDate.optional(),
  }),
  /**
   * cloud → auth: an operator voided this finalized, unpaid invoice: nothing is owed on it any
   * more, so its charge is canceled (and its open PaymentIntent with it).
   */
  "invoice.voided": z.strictObject({
    tenantId: id,
    userId: id,
    invoiceId: id,
  }),
  /** auth → cloud: the invoice was paid. */
  "payment.succeeded": z.strictObject({
    tenantId: id,
    userId: id,
    invoiceId: id,
    amountMinor: minor,
    currency,
    provider: z.enum(["stripe", "crypto"]),
    reference: id,
  }),
  /** auth → cloud: charging the invoice failed. */
  "payment.failed": z.strictObject({
    tenantId: id,
    userId: id,
    invoiceId: id,
    provider: z.enum(["stripe", "crypto"]),
    failureCode: z.string().min(1).max(100),
  }),
  /**
   * auth → cloud: money of a paid invoice went back to the customer by a refund (`reference`:
   * the Stripe refund id, re_...). cloud-api issues one credit note per reference.
   */
  "payment.refunded": z.strictObject({
    tenantId: id,
    userId: id,
    invoiceId: id,
    amountMinor: z.number().int().positive(),
    currency,
    reason: z.string().min(1).max(100).nullable(),
    reference: id,
  }),
  /**
   * auth → cloud: a dispute (chargeback) took the money of a paid invoice back (Stripe withdrew
   * the disputed amount: `charge.dispute.funds_withdrawn`; `reference`: the dispute id, du_...).
   * cloud-api issues a credit note, as for a refund. A dispute that withdraws nothing (an
   * inquiry) is not announced.
   */
  "payment.disputed": z.strictObject({
    tenantId: id,
    userId: id,
    invoiceId: id,
    amountMinor: z.number().int().positive(),
    currency,
    reason: z.string().min(1).max(100).nullable(),
    reference: id,
  }),
  /**
   * auth → cloud: a dispute was won and Stripe reinstated the money (`charge.dispute.funds_reinstated`):
   * the invoice is paid again, so the dispute's credit note (same `reference`) is reversed.
   * A lost dispute moves no money after its withdrawal and is not announced.
   */
  "dispute.funds_reinstated": z.strictObject({
    tenantId: id,
    userId: id,
    invoiceId: id,
    amountMinor: z.number().int().positive(),
    currency,
    reference: id,
  }),
  /** auth → cloud: the invoice will never be charged (e.g. the account was deleted): void it. */
  "charge.canceled": z.strictObject({
    tenantId: id,
    userId: id,
    invoiceId: id,
    reason: z.enum(["account_deleted"]),
  }),
} as const;

export type BillingEventType = keyof typeof billingEventSchemas;
export type BillingEventPayload<T extends BillingEventType> = z.infer<(typeof billingEventSchemas)[T]>;
export const BILLING_EVENT_TYPES = Object.keys(billingEventSchemas) as BillingEventType[];

export function isBillingEventType(value: string): value is BillingEventType {
  return Object.hasOwn(billingEventSchemas, value);
}

/** Validates a payload for its event type; throws a ZodError naming the bad fields. */
export function parseBillingEventPayload<T extends BillingEventType>(
  type: T,
  payload: unknown,
): BillingEventPayload<T> {
  return billingEventSchemas[type].parse(payload) as BillingEventPayload<T>;
}
