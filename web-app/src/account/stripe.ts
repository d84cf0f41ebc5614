/** The bits of Stripe.js used for adding a card (loaded from js.stripe.com only when configured). */
interface StripeElement {
  mount(el: HTMLElement): void;
  destroy(): void;
}
export interface StripeElements {
  create(type: "payment"): StripeElement;
}
export interface StripeJs {
  elements(options: { clientSecret: string }): StripeElements;
  confirmSetup(options: {
    elements: StripeElements;
    redirect: "if_required";
    confirmParams?: { return_url?: string };
  }): Promise<{ error?: { message?: string } }>;
  /** Confirms a PaymentIntent on-session, running 3-D Secure in Stripe's own frame when asked. */
  confirmCardPayment(
    clientSecret: string,
    data?: { payment_method?: string },
  ): Promise<{ error?: { message?: string }; paymentIntent?: { status: string } }>;
  /** Confirms a PaymentIntent (e.g. a subscription's first payment) with the card entered in `elements`. */
  confirmPayment(options: {
    elements: StripeElements;
    redirect: "if_required";
    confirmParams?: { return_url?: string };
  }): Promise<{ error?: { message?: string }; paymentIntent?: { status: string } }>;
}

/** Where the browser confirms payments: Stripe.js with the publishable key, or a named Stripe-compatible API. */
export interface StripeTarget {
  key: string | null;
  apiUrl: string | null;
}

/**
 * Confirms an invoice's PaymentIntent with the customer present (Pay now), with their default
 * card when they have one. Resolves the PaymentIntent's status; throws with a message to show.
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

let loading: Promise<(key: string) => StripeJs> | null = null;

/** Loads Stripe.js once (it must come from Stripe's own origin, never bundled). */
export function loadStripe(publishableKey: string): Promise<StripeJs> {
  loading ??= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = "https://js.stripe.com/v3/";
    script.async = true;
    script.onload = () => {
      const factory = (window as unknown as { Stripe?: (key: string) => StripeJs }).Stripe;
      if (factory) resolve(factory);
      else reject(new Error("Stripe.js did not load."));
    };
    script.onerror = () => {
      loading = null;
      reject(new Error("Couldn't load Stripe. Check your connection and try again."));
    };
    document.head.append(script);
  });
  return loading.then((factory) => factory(publishableKey));
}
