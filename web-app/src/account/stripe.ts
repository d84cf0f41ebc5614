import type { Stripe, StripeElements } from "@stripe/stripe-js";
// The `pure` entry injects Stripe.js only when loadStripe is first called, not on import: pages
// without card payments never contact Stripe.
import { loadStripe as loadStripeJs } from "@stripe/stripe-js/pure";

/** Stripe.js as @stripe/stripe-js types it (Elements for adding a card, confirming payments). */
export type StripeJs = Stripe;
export type { StripeElements };

/** Where the browser confirms payments: Stripe.js with the publishable key, or a named Stripe-compatible API. */
export interface StripeTarget {
  key: string | null;
  apiUrl: string | null;
}

/**
 * Confirms a PaymentIntent with the customer present (an invoice's Pay now, a subscription's
 * first payment), with the given card (their default) when there is one; Stripe.js runs 3-D
 * Secure when the bank asks for it. Resolves the PaymentIntent's status; throws with a message to show.
 * With `apiUrl` (a proxy, the local Stripe peer) it makes the plain confirm call Stripe.js makes:
 * the publishable key and the client secret, nothing else.
 */
export async function confirmInvoicePayment(
  target: StripeTarget,
  clientSecret: string,
  paymentMethodId: string | null,
): Promise<string> {
  if (target.apiUrl) {
    const id = clientSecret.split("_secret_")[0] ?? "";
    const res = await fetch(`${target.apiUrl}/v1/payment_intents/${encodeURIComponent(id)}/confirm`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        key: target.key ?? "",
        client_secret: clientSecret,
        ...(paymentMethodId ? { payment_method: paymentMethodId } : {}),
      }),
    });
    const body = (await res.json().catch(() => ({}))) as { status?: string; error?: { message?: string } };
    if (!res.ok) throw new Error(body.error?.message ?? "Your card was not charged. Try again or use another card.");
    return body.status ?? "processing";
  }
  if (!target.key) throw new Error("Card payments aren't available here: no Stripe publishable key is configured.");
  const stripe = await loadStripe(target.key);
  const { error, paymentIntent } = await stripe.confirmCardPayment(
    clientSecret,
    paymentMethodId ? { payment_method: paymentMethodId } : undefined,
  );
  if (error) throw new Error(error.message ?? "Your card was not charged. Try again or use another card.");
  return paymentIntent?.status ?? "processing";
}

/** {@link confirmInvoicePayment} under the name of what it does for any PaymentIntent. */
export const confirmCardPayment = confirmInvoicePayment;

/**
 * Loads Stripe.js once, from js.stripe.com (it must come from Stripe's own origin, never bundled),
 * and makes the client for `publishableKey`. A failed load may be retried.
 */
export async function loadStripe(publishableKey: string): Promise<StripeJs> {
  let stripe: StripeJs | null;
  try {
    stripe = await loadStripeJs(publishableKey);
  } catch (cause) {
    throw new Error("Couldn't load Stripe. Check your connection and try again.", { cause });
  }
  if (!stripe) throw new Error("Stripe.js did not load.");
  return stripe;
}
