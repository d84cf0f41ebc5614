import { AppError } from "@atlas/errors";
import type { Deps } from "../../../ports.ts";
import { stripeRefusal } from "../../../providers/stripe-mapping.ts";
import { ensureStripeCustomer } from "../stripe/customers.ts";
import { invoicePaymentIntent } from "../stripe/payment-intents.ts";
import { applyPaymentIntent } from "./charge-outcomes.ts";
import { lockCharge } from "./charge-rows.ts";

/** Charge statuses that close an invoice to payment (paid, or voided/canceled by its owner). */
const CLOSED = new Set(["succeeded", "void", "voided", "canceled"]);

/**
 * Pay now (api.md "Paying an invoice now"): the client secret of the invoice's one
 * PaymentIntent, for the customer to confirm on-session with Stripe.js (3-D Secure, another
 * card). The PaymentIntent is created when the charge has none, reused otherwise; its outcome
 * arrives by the `payment_intent.succeeded` webhook like any other.
 * - another user's invoice, or one Atlas never charged: 404;
 * - paid, void/canceled, or being paid by another rail (an unexpired crypto quote): 409.
 */
export async function payInvoiceNow(
  deps: Deps,
  userId: string,
  invoiceId: string,
): Promise<{ clientSecret: string; paymentIntentId: string; status: string }> {
  const charge = await deps.prisma.charge.findUnique({ where: { invoiceId } });
  if (!charge || charge.userId !== userId) throw new AppError("NOT_FOUND", { detail: "No such invoice" });
  if (CLOSED.has(charge.status)) {
    throw new AppError("CONFLICT", {
      detail: charge.status === "succeeded" ? "The invoice is already paid" : "The invoice is closed to payment",
    });
  }
  const quote = await deps.prisma.cryptoPayment.findFirst({
    where: { invoiceId, status: "quoted", expiresAt: { gt: deps.now() } },
  });
  if (quote) throw new AppError("CONFLICT", { detail: "The invoice is being paid in crypto (an open quote)" });
  const profile = await ensureStripeCustomer(deps, userId);
  const pi = await invoicePaymentIntent(deps, charge, profile.stripeCustomerId).catch((error: unknown) => {
    // Stripe refusing the request (a destination or customer it does not know, a PaymentIntent in
    // another state) is an answer about this payment, not our 500; outages become 503 in onError.
    const refusal = stripeRefusal(error);
    if (!refusal) throw error;
    throw new AppError("CONFLICT", {
      detail: `Stripe refused this payment: ${refusal.message}`,
      extensions: { stripeCode: refusal.code },
    });
  });
  await deps.prisma.charge.updateMany({
    where: { id: charge.id, stripePaymentIntentId: null },
    data: { stripePaymentIntentId: pi.id },
  });
  if (pi.status === "succeeded") {
    // Paid already at Stripe (its webhook not seen yet): record it, and say so.
    await deps.database.transaction(async (q) => {
      const locked = await lockCharge(q, `"id"`, charge.id);
      if (locked) await applyPaymentIntent(deps, q, locked, pi, deps.now());
    });
    throw new AppError("CONFLICT", { detail: "The invoice is already paid" });
  }
  if (pi.status === "canceled" || pi.status === "processing" || !pi.clientSecret) {
    throw new AppError("CONFLICT", { detail: `The invoice's payment is ${pi.status}` });
  }
  return { clientSecret: pi.clientSecret, paymentIntentId: pi.id, status: pi.status };
}
