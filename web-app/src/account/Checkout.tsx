import type { StripeCardElement } from "@stripe/stripe-js";
import { useEffect, useRef, useState } from "react";
import type { AccountApi, Plan, Subscription } from "../account-api.ts";
import { ApiError, errorMessage } from "../api.ts";
import { useStepUp } from "./StepUp.tsx";
import { confirmCardPayment, loadStripe, type StripeJs } from "./stripe.ts";
import { money } from "./ui.tsx";

const newKey = () => crypto.randomUUID();

/**
 * Why card payments cannot be made here, in the reader's words: operators (role `admin`) learn
 * which setting is missing, everyone else that payments are not set up yet.
 */
export function paymentsUnavailable(isAdmin: boolean, cause: "publishable-key" | "service" = "publishable-key") {
  if (!isAdmin) return "Payments are not set up on this deployment yet.";
  return cause === "publishable-key"
    ? "Card entry is off: the web-app has no Stripe publishable key. Set STRIPE_PUBLISHABLE_KEY (pk_live_… or pk_test_…) in the web-app's environment and restart it."
    : "Card billing is off: service-auth has no Stripe account. Set STRIPE_SECRET_KEY and STRIPE_PRICE_IDS (and STRIPE_WEBHOOK_SECRETS) in service-auth's environment and restart it.";
}

/** service-auth without Stripe answers billing actions 404 "Stripe billing is not configured". */
export const stripeMissing = (e: unknown) =>
  e instanceof ApiError && e.status === 404 && /Stripe billing/.test(e.detail);

/** A payment needs the customer in the browser, and this web-app has no publishable key. */
class NoPublishableKey extends Error {}

/** What to show for a failure of a payment step. */
export function paymentError(e: unknown, isAdmin: boolean): string {
  if (stripeMissing(e)) return paymentsUnavailable(isAdmin, "service");
  if (e instanceof NoPublishableKey) return `${e.message} ${paymentsUnavailable(isAdmin)}`;
  if (e instanceof ApiError) return errorMessage(e);
  return e instanceof Error ? e.message : "Something went wrong. Please try again.";
}

/**
 * Subscribes to `plan` and, when the first payment needs the customer (`incomplete` with a
 * client secret: 3-D Secure, a declined card), confirms it with Stripe.js and the card; then asks
 * service-auth again, which reads the paid subscription back from Stripe.
 */
export async function subscribeAndPay(
  api: AccountApi,
  stepUp: ReturnType<typeof useStepUp>,
  stripeKey: string | null,
  plan: Plan,
  paymentMethodId: string | null,
): Promise<Subscription> {
  const sub: Subscription = await stepUp(() => api.subscribe(plan.id, newKey()));
  if (sub.status !== "incomplete" || !sub.clientSecret) return sub;
  if (!stripeKey) throw new NoPublishableKey(`${plan.name} starts once its first payment is made.`);
  const status = await confirmCardPayment({ key: stripeKey, apiUrl: null }, sub.clientSecret, paymentMethodId);
  if (status !== "succeeded") return sub;
  return stepUp(() => api.subscribe(plan.id, newKey()));
}

/**
 * Stripe Elements' card field over a SetupIntent (the card number never touches our servers):
 * the SetupIntent is made when the card is submitted (the billing customer with it, implicitly),
 * confirmed by Stripe.js (3-D Secure included), and `onSaved` gets the saved card's id.
 */
export function CardForm({
  api,
  stripeKey,
  isAdmin,
  submitLabel,
  intro,
  onSaved,
  onCancel,
}: {
  api: AccountApi;
  stripeKey: string;
  isAdmin: boolean;
  submitLabel: string;
  intro?: string;
  onSaved: (paymentMethodId: string) => Promise<void>;
  onCancel: () => void;
}) {
  const mount = useRef<HTMLDivElement>(null);
  const stepUp = useStepUp();
  const [ready, setReady] = useState<{ stripe: StripeJs; card: StripeCardElement } | null>(null);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<{ tone: "error" | "info"; text: string } | null>({
    tone: "info",
    text: "Loading secure card form…",
  });

  useEffect(() => {
    let live = true;
    let card: StripeCardElement | undefined;
    (async () => {
      const stripe = await loadStripe(stripeKey);
      if (!live || !mount.current) return;
      card = stripe.elements().create("card");
      card.mount(mount.current);
      // A refusal is about what was typed: it goes once the card is edited.
      card.on("change", () => setStatus((s) => (s?.tone === "error" ? null : s)));
      setReady({ stripe, card });
      setStatus(null);
      mount.current.scrollIntoView?.({ block: "center" });
      card.focus();
    })().catch((e: unknown) => live && setStatus({ tone: "error", text: paymentError(e, isAdmin) }));
    return () => {
      live = false;
      card?.destroy();
    };
  }, [stripeKey, isAdmin]);

  async function save() {
    if (!ready || busy) return;
    setBusy(true);
    setStatus({ tone: "info", text: "Saving your card…" });
    try {
      const { clientSecret } = await stepUp(() => api.setupIntent(newKey()));
      const { error, setupIntent } = await ready.stripe.confirmCardSetup(clientSecret, {
        payment_method: { card: ready.card },
      });
      if (error) throw new Error(error.message ?? "The card was not accepted.");
      const pm = setupIntent?.payment_method;
      await onSaved(typeof pm === "string" ? pm : (pm?.id ?? ""));
      setStatus(null);
    } catch (e) {
      setStatus({ tone: "error", text: paymentError(e, isAdmin) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="add-card">
      {intro && <p>{intro}</p>}
      <div ref={mount} className="stripe-element" />
      <div className="button-row">
        <button type="button" className="primary" onClick={save} disabled={!ready || busy}>
          {submitLabel}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
      <p
        className={`form-status ${status?.tone ?? ""}`}
        role={status?.tone === "error" ? "alert" : "status"}
        aria-live="polite"
      >
        {status?.text}
      </p>
    </div>
  );
}

/**
 * Starting a paid plan without a card on file: the card form, then the subscription and its first
 * payment (3-D Secure in Stripe.js when the bank asks), ending on the plan.
 */
export function Checkout({
  api,
  stripeKey,
  isAdmin,
  plan,
  onDone,
  onCancel,
}: {
  api: AccountApi;
  stripeKey: string | null;
  isAdmin: boolean;
  plan: Plan;
  onDone: (sub: Subscription) => void;
  onCancel: () => void;
}) {
  const stepUp = useStepUp();
  const price = `${money(plan.monthlyPriceMinor, plan.currency)} / month`;
  if (!stripeKey) {
    return (
      <div>
        <p className="notice" role="alert">
          {paymentsUnavailable(isAdmin)}
        </p>
        <button type="button" onClick={onCancel}>
          Close
        </button>
      </div>
    );
  }
  return (
    <CardForm
      api={api}
      stripeKey={stripeKey}
      isAdmin={isAdmin}
      intro={`Add a card to start ${plan.name} (${price}). It is saved for the renewals; you can remove it later.`}
      submitLabel={`Save card and start ${plan.name}`}
      onSaved={async (pm) => {
        // Listing the cards makes the new one the default at Stripe and here (service-auth
        // resolves it), so the subscription's first payment is made with it.
        await api.paymentMethods();
        const sub = await subscribeAndPay(api, stepUp, stripeKey, plan, pm || null);
        if (sub.status === "incomplete")
          throw new Error(`The first payment did not go through: ${plan.name} has not started.`);
        onDone(sub);
      }}
      onCancel={onCancel}
    />
  );
}
