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
  /** Confirms a PaymentIntent (e.g. a subscription's first payment) with the card entered in `elements`. */
  confirmPayment(options: {
    elements: StripeElements;
    redirect: "if_required";
    confirmParams?: { return_url?: string };
  }): Promise<{ error?: { message?: string }; paymentIntent?: { status: string } }>;
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
