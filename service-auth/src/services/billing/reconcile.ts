/**
 * The reconciliation job of the payment side: compares what service-auth recorded with what
 * Stripe holds (service-auth owns the Stripe key; cloud-api never calls Stripe), reports drift and
 * repairs what is safe to repair, always through the code path a webhook would have taken.
 *
 * | check | compares | repair |
 * |---|---|---|
 * | `charge_status` | a charge with a PaymentIntent vs that PaymentIntent's status at Stripe | PaymentIntent `succeeded`, charge not: apply it (`applyPaymentIntent`, charge locked) → `payment.succeeded`; other disagreements are reported |
 * | `charge_amount` | the charge's amount and currency vs the PaymentIntent's | none: money moved differently than billed, a person decides |
 * | `payment_intent_missing` | a charge's PaymentIntent id vs Stripe (404) | none |
 * | `payment_intent_not_recorded` | a charge without a PaymentIntent vs Stripe's PaymentIntents with `metadata.atlasInvoiceId` (a crash between create and commit) | exactly one found: record it on the charge and apply its outcome; several: reported (one invoice, several PaymentIntents) |
 * | `invoice_without_charge` | cloud-api's finalized invoices vs `billing_charges` | none: the finding shows the `invoice.finalized` event's state (pending, parked, discarded, processed, missing); fix its cause, then retry it (`atlas admin outbox retry`) |
 * | `missed_renewal` | a live subscription whose local period ended vs the subscription re-read from Stripe | Stripe moved on: apply Stripe's state (`applyStripeSubscription`) → `subscription.updated`, from which cloud-api records the new period; otherwise reported |
 *
 * Each item is checked on its own: a Stripe error on one is recorded in its finding and the run
 * goes on.
 */
import type { SqlQueryable } from "@atlas/db";
import type { Prisma } from "../../../generated/prisma/client.ts";
import type { Deps } from "../../ports.ts";
import type { StripeGateway } from "../../providers/stripe-gateway.ts";
import { applyPaymentIntent } from "./invoices/charge-outcomes.ts";
import { type ChargeRow, lockCharge } from "./invoices/charge-rows.ts";
import { applyStripeSubscription, LIVE_STATUSES, mapStripeStatus } from "./stripe/subscriptions.ts";

export type FindingKind =
  | "charge_status"
  | "charge_amount"
  | "payment_intent_missing"
  | "payment_intent_not_recorded"
  | "invoice_without_charge"
  | "missed_renewal";

export interface Finding {
  kind: FindingKind;
  tenantId: string | null;
  userId: string | null;
  subject: string;
  details: Record<string, unknown>;
  repaired: boolean;
}

export interface ReconciliationReport {
  runId: string;
  ranAt: string;
  findings: Finding[];
  /** Findings per kind, repaired and not. */
  summary: Record<string, { found: number; repaired: number }>;
}

export interface ReconcileOptions {
  /** Repair what is safe (default true); false only reports. */
  repair?: boolean;
  /** Charges created within this window are compared with Stripe (default 120 days). */
  windowMs?: number;
  /**
   * Age before a charge without a PaymentIntent is searched for at Stripe, and before a finalized
   * invoice without a charge is reported (unless its event was processed): work in flight is not
   * drift, and Stripe's search lags about a minute (default 10 minutes).
   */
  settleMs?: number;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 500);
const CHARGE_COLUMNS = `"id", "invoiceId", "billingProfileId", "amountMinor", "currency", "provider",
  "stripePaymentIntentId", "status", "attempts", "tenantId", "userId", "onBehalfOf", "graceEndsAt", "creditAppliedMinor"`;

/** Applies a PaymentIntent's outcome to the charge under its row lock; true when it changed it. */
function applyLocked(deps: Deps, chargeId: string, pi: Awaited<ReturnType<StripeGateway["retrievePaymentIntent"]>>) {
  return deps.database.transaction(async (q) => {
    const charge = await lockCharge(q, `"id"`, chargeId);
    if (!charge || !pi) return false;
    let recorded = false;
    if (!charge.stripePaymentIntentId) {
      // Re-checked under the lock: a charge run that recorded a PaymentIntent meanwhile wins.
      await q.query(
        `UPDATE "billing"."billing_charges" SET "stripePaymentIntentId" = $2, "updatedAt" = $3 WHERE "id" = $1`,
        [charge.id, pi.id, deps.now()],
      );
      recorded = true;
    } else if (charge.stripePaymentIntentId !== pi.id) return false;
    // A PaymentIntent still in flight (processing, requires_action) is recorded; its webhook settles it.
    const applied = await applyPaymentIntent(deps, q, { ...charge, stripePaymentIntentId: pi.id }, pi, deps.now());
    return recorded || applied;
  });
}

/** Local status and Stripe status agree when both say paid, or both say not (yet) paid. */
function statusesAgree(local: string, pi: { status: string; failureCode: string | null }): boolean {
  if (local === "succeeded") return pi.status === "succeeded";
  if (pi.status === "succeeded") return false;
  // A pending charge whose PaymentIntent already failed missed its webhook (dunning never sees it).
  // requires_payment_method is also where a PaymentIntent starts: only one carrying an attempt's
  // error (last_payment_error) failed; one created unconfirmed is still on its way.
  if (local === "pending") {
    return !(pi.status === "canceled" || (pi.status === "requires_payment_method" && pi.failureCode !== null));
  }
  return true;
}

/** charge_status, charge_amount, payment_intent_missing: every charge that has a PaymentIntent. */
async function checkCharges(deps: Deps, stripe: StripeGateway, since: Date, repair: boolean): Promise<Finding[]> {
  const charges = await deps.database.query<ChargeRow & { creditAppliedMinor: number }>(
    `SELECT ${CHARGE_COLUMNS} FROM "billing"."billing_charges"
      WHERE "stripePaymentIntentId" IS NOT NULL AND "createdAt" >= $1 ORDER BY "createdAt"`,
    [since],
  );
  const findings: Finding[] = [];
  for (const charge of charges) {
    const base = { tenantId: charge.tenantId, userId: charge.userId, subject: `charge:${charge.id}` };
    const local = { invoiceId: charge.invoiceId, paymentIntentId: charge.stripePaymentIntentId, status: charge.status };
    try {
      const pi = await stripe.retrievePaymentIntent(charge.stripePaymentIntentId as string);
      if (!pi) {
        findings.push({ kind: "payment_intent_missing", ...base, details: local, repaired: false });
        continue;
      }
      // What the PaymentIntent asks for: the charge less the customer credit applied to it first.
      const chargeable = charge.amountMinor - charge.creditAppliedMinor;
      if (pi.amountMinor !== chargeable || pi.currency.toLowerCase() !== charge.currency.toLowerCase()) {
        findings.push({
          kind: "charge_amount",
          ...base,
          details: {
            ...local,
            chargedMinor: chargeable,
            currency: charge.currency,
            stripeAmountMinor: pi.amountMinor,
            stripeCurrency: pi.currency,
          },
          repaired: false,
        });
      }
      if (statusesAgree(charge.status, pi)) continue;
      const repaired = repair && pi.status === "succeeded" ? await applyLocked(deps, charge.id, pi) : false;
      findings.push({ kind: "charge_status", ...base, details: { ...local, stripeStatus: pi.status }, repaired });
    } catch (error) {
      findings.push({
        kind: "charge_status",
        ...base,
        details: { ...local, error: errorText(error) },
        repaired: false,
      });
    }
  }
  return findings;
}

/** payment_intent_not_recorded: Stripe charges without a PaymentIntent, searched by invoice. */
async function checkUnrecorded(
  deps: Deps,
  stripe: StripeGateway,
  since: Date,
  settled: Date,
  repair: boolean,
): Promise<Finding[]> {
  const charges = await deps.database.query<ChargeRow>(
    `SELECT ${CHARGE_COLUMNS} FROM "billing"."billing_charges"
      WHERE "stripePaymentIntentId" IS NULL AND "provider" = 'stripe' AND "status" <> 'succeeded'
        AND "createdAt" >= $1 AND "createdAt" <= $2 ORDER BY "createdAt"`,
    [since, settled],
  );
  const findings: Finding[] = [];
  for (const charge of charges) {
    const base = { tenantId: charge.tenantId, userId: charge.userId, subject: `charge:${charge.id}` };
    try {
      const found = await stripe.searchPaymentIntentsByInvoice(charge.invoiceId);
      if (found.length === 0) continue;
      const details = {
        invoiceId: charge.invoiceId,
        status: charge.status,
        paymentIntents: found.map((pi) => ({ id: pi.id, status: pi.status, amountMinor: pi.amountMinor })),
      };
      const [only] = found;
      const repaired = repair && found.length === 1 && only ? await applyLocked(deps, charge.id, only) : false;
      findings.push({ kind: "payment_intent_not_recorded", ...base, details, repaired });
    } catch (error) {
      findings.push({
        kind: "payment_intent_not_recorded",
        ...base,
        details: { invoiceId: charge.invoiceId, error: errorText(error) },
        repaired: false,
      });
    }
  }
  return findings;
}

/** What happened to an invoice's `invoice.finalized` event. */
function eventState(e: { processed: boolean; parkedAt: Date | null; discardedAt: Date | null } | undefined) {
  if (!e) return "missing";
  if (e.discardedAt) return "discarded";
  if (e.processed) return "processed";
  return e.parkedAt ? "parked" : "pending";
}

/**
 * invoice_without_charge. cloud-api's invoices are read from its schema (read only, the same
 * database): the billing side must see what it was asked to charge, as cloud-api's own
 * reconciliation reads billing.billing_subscriptions. Absent schema (service-auth alone): skipped.
 */
async function checkInvoices(db: SqlQueryable, since: Date, settled: Date): Promise<Finding[]> {
  const [present] = await db.query<{ t: string | null }>(`SELECT to_regclass('cloud.cloud_invoices')::text AS t`);
  if (!present?.t) return [];
  const rows = await db.query<{
    id: string;
    tenantId: string;
    userId: string;
    number: number | null;
    status: string;
    amountDueMinor: number;
    currency: string;
    finalizedAt: Date | null;
    eventId: string | null;
    processed: boolean;
    parkedAt: Date | null;
    discardedAt: Date | null;
    attempts: number | null;
    lastError: string | null;
    availableAt: Date | null;
  }>(
    `SELECT i."id", i."tenantId", i."userId", i."number", i."status", i."amountDueMinor", i."currency", i."finalizedAt",
            e."id" AS "eventId", coalesce(e."processed", false) AS "processed", e."parkedAt", e."discardedAt",
            e."attempts", e."lastError", e."availableAt"
       FROM "cloud"."cloud_invoices" i
       LEFT JOIN LATERAL (
         SELECT * FROM "billing"."billing_events" ev
          WHERE ev."aggregateKey" = 'invoice:' || i."id" AND ev."eventType" = 'invoice.finalized'
          ORDER BY ev."seq" DESC LIMIT 1) e ON true
      WHERE i."status" NOT IN ('draft', 'void') AND coalesce(i."finalizedAt", i."createdAt") >= $1
        AND NOT EXISTS (SELECT 1 FROM "billing"."billing_charges" c WHERE c."invoiceId" = i."id")
        AND (coalesce(e."processed", false) OR coalesce(i."finalizedAt", i."createdAt") <= $2)
      ORDER BY i."finalizedAt"`,
    [since, settled],
  );
  return rows.map((r) => ({
    kind: "invoice_without_charge" as const,
    tenantId: r.tenantId,
    userId: r.userId,
    subject: `invoice:${r.id}`,
    details: {
      number: r.number,
      invoiceStatus: r.status,
      amountDueMinor: r.amountDueMinor,
      currency: r.currency,
      finalizedAt: r.finalizedAt?.toISOString() ?? null,
      event: {
        id: r.eventId,
        state: eventState(r.eventId ? r : undefined),
        attempts: r.attempts,
        lastError: r.lastError,
        parkedAt: r.parkedAt?.toISOString() ?? null,
        availableAt: r.availableAt?.toISOString() ?? null,
      },
    },
    repaired: false,
  }));
}

/** missed_renewal: live subscriptions whose local period is over, against Stripe's current state. */
async function checkRenewals(deps: Deps, stripe: StripeGateway, now: Date, repair: boolean): Promise<Finding[]> {
  const subs = await deps.prisma.subscription.findMany({
    where: { stripeSubscriptionId: { not: null }, status: { in: LIVE_STATUSES }, currentPeriodEnd: { lt: now } },
    include: { billingProfile: true },
    orderBy: { currentPeriodEnd: "asc" },
  });
  const findings: Finding[] = [];
  for (const sub of subs) {
    const stripeId = sub.stripeSubscriptionId as string;
    const base = { tenantId: sub.billingProfile.tenantId, userId: sub.billingProfile.customerId };
    const local = { status: sub.status, planId: sub.planId, currentPeriodEnd: sub.currentPeriodEnd.toISOString() };
    const details: Record<string, unknown> = { stripeSubscriptionId: stripeId, local };
    let repaired = false;
    try {
      const info = await stripe.retrieveSubscription(stripeId);
      if (!info) details.reason = "the subscription is missing at Stripe";
      else {
        details.stripe = {
          status: info.status,
          currentPeriodStart: info.currentPeriodStart.toISOString(),
          currentPeriodEnd: info.currentPeriodEnd.toISOString(),
        };
        const movedOn = info.currentPeriodEnd > sub.currentPeriodEnd || mapStripeStatus(info.status) !== sub.status;
        if (!movedOn) details.reason = "Stripe has not renewed the subscription either";
        else if (repair) {
          repaired = await deps.prisma.$transaction(async (tx: Prisma.TransactionClient) => {
            // The row lock orders this against a webhook applying the same subscription.
            await tx.$queryRaw`SELECT 1 FROM "billing"."billing_subscriptions" WHERE "id" = ${sub.id} FOR UPDATE`;
            const applied = await applyStripeSubscription(deps, tx, info, sub.billingProfile, {
              dedupeKey: `reconcile:${info.id}:${info.status}:${info.currentPeriodEnd.toISOString()}`,
            });
            return applied.changed;
          });
        }
      }
    } catch (error) {
      details.error = errorText(error);
    }
    findings.push({ kind: "missed_renewal", ...base, subject: `subscription:${sub.id}`, details, repaired });
  }
  return findings;
}

/**
 * Runs every check once, records the findings (billing_reconciliation_findings) and returns the
 * report. Without Stripe configured only the invoice check runs.
 */
export async function reconcileBilling(deps: Deps, options: ReconcileOptions = {}): Promise<ReconciliationReport> {
  const now = deps.now();
  const repair = options.repair ?? true;
  const since = new Date(now.getTime() - (options.windowMs ?? 120 * 86_400_000));
  const settled = new Date(now.getTime() - (options.settleMs ?? 10 * 60_000));
  const stripe = deps.stripe;
  const findings = [
    ...(stripe ? await checkCharges(deps, stripe, since, repair) : []),
    ...(stripe ? await checkUnrecorded(deps, stripe, since, settled, repair) : []),
    ...(await checkInvoices(deps.database, since, settled)),
    ...(stripe ? await checkRenewals(deps, stripe, now, repair) : []),
  ];
  const runId = deps.random.uuid();
  if (findings.length > 0) {
    await deps.prisma.billingReconciliationFinding.createMany({
      data: findings.map((f) => ({
        runId,
        kind: f.kind,
        tenantId: f.tenantId,
        userId: f.userId,
        subject: f.subject,
        details: f.details as Prisma.InputJsonValue,
        repaired: f.repaired,
        createdAt: now,
      })),
    });
  }
  const summary: ReconciliationReport["summary"] = {};
  for (const f of findings) {
    const s = summary[f.kind] ?? { found: 0, repaired: 0 };
    s.found += 1;
    if (f.repaired) s.repaired += 1;
    summary[f.kind] = s;
  }
  return { runId, ranAt: now.toISOString(), findings, summary };
}
