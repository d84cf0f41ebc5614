import { useEffect, useRef, useState } from "react";
import type { AccountApi, BillingState, PaymentMethod, Plan, Subscription } from "../account-api.ts";
import { errorMessage } from "../api.ts";
import type { CryptoPaymentOption } from "../config.ts";
import { CreditBalance } from "./Credits.tsx";
import { useStepUp } from "./StepUp.tsx";
import { loadStripe, type StripeElements, type StripeJs } from "./stripe.ts";
import { InvoicesPanel, UsagePanel } from "./Usage.tsx";
import { bytes, ConfirmButton, formatDate, Loaded, money, Panel, useLoad } from "./ui.tsx";

const newKey = () => crypto.randomUUID();

/** A plan's included usage in words (requests, transfer, storage averaged over a month). */
function included(plan: Plan): string[] {
  const u = plan.includedUsage;
  const out: string[] = [];
  if (u.requests !== undefined) out.push(`${u.requests.toLocaleString()} requests`);
  if (u.transfer_bytes !== undefined) out.push(`${bytes(u.transfer_bytes)} transfer`);
  if (u.storage_byte_hours !== undefined) out.push(`${bytes(u.storage_byte_hours / 730)} storage`);
  return out;
}

const STATUS_TEXT: Record<string, string> = {
  active: "Active",
  trialing: "Trial",
  past_due: "Payment overdue — we'll retry your card",
  unpaid: "Unpaid — limited to the free plan's limits",
  canceled: "Canceled",
  incomplete: "Waiting for payment",
};

/** Plan, change of plan and payment methods (Stripe Elements when a publishable key is configured). */
export function BillingPage({
  api,
  stripeKey,
  stripeApiUrl = null,
  crypto,
}: {
  api: AccountApi;
  stripeKey: string | null;
  /** A Stripe-compatible API to confirm payments against directly (proxy, local peer). */
  stripeApiUrl?: string | null;
  crypto: CryptoPaymentOption[];
}) {
  const billing = useLoad(api.billing);
  const plans = useLoad(api.plans);
  // A plan change whose first payment needs the customer (no card on file, declined, 3-D Secure).
  const [paying, setPaying] = useState<{ clientSecret: string; planName: string } | null>(null);
  const reload = () => {
    billing.reload();
    plans.reload();
  };
  const subscribed = (sub: Subscription, planName: string) => {
    setPaying(sub.clientSecret ? { clientSecret: sub.clientSecret, planName } : null);
    reload();
  };
  return (
    <>
      <Panel title="Your plan">
        <Loaded state={billing.state} retry={billing.reload}>
          {(b) => <CurrentPlan billing={b} api={api} onChange={reload} onSubscribed={subscribed} />}
        </Loaded>
        <CreditBalance api={api} />
      </Panel>
      {paying && (
        <Panel title="First payment">
          <FirstPayment
            // Stripe Elements needs Stripe.js; with a named Stripe-compatible API (a proxy, the
            // local peer) payments are confirmed by plain calls, so no card form is offered.
            stripeKey={stripeApiUrl ? null : stripeKey}
            clientSecret={paying.clientSecret}
            planName={paying.planName}
            onDone={() => {
              setPaying(null);
              reload();
            }}
          />
        </Panel>
      )}
      <Panel title="Plans">
        <Loaded state={plans.state} retry={plans.reload}>
          {({ items }) => (
            <Loaded state={billing.state} retry={billing.reload}>
              {(b) => <PlanGrid plans={items} billing={b} api={api} onSubscribed={subscribed} />}
            </Loaded>
          )}
        </Loaded>
      </Panel>
      <PaymentMethods api={api} stripeKey={stripeKey} />
      <UsagePanel api={api} />
      <InvoicesPanel api={api} crypto={crypto} stripe={{ key: stripeKey, apiUrl: stripeApiUrl }} />
    </>
  );
}

function CurrentPlan({
  billing,
  api,
  onChange,
  onSubscribed,
}: {
  billing: BillingState;
  api: AccountApi;
  onChange: () => void;
  onSubscribed: (sub: Subscription, planName: string) => void;
}) {
  const stepUp = useStepUp();
  const { plan, subscription } = billing;
  if (subscription?.status === "incomplete") {
    // Not started: the first payment is outstanding (Stripe drops it after 23 hours).
    return (
      <div>
        <p className="plan-now">
          <b>{plan.name}</b> · {money(plan.monthlyPriceMinor, plan.currency)} / month
        </p>
        <p className="hint">{STATUS_TEXT.incomplete}: the free plan's limits apply until it is paid.</p>
        <ConfirmButton
          label="Complete payment"
          question={`Pay ${money(plan.monthlyPriceMinor, plan.currency)} now to start ${plan.name}?`}
          confirmLabel="Pay now"
          danger={false}
          onConfirm={async () => {
            const key = newKey();
            onSubscribed(await stepUp(() => api.subscribe(subscription.planId, key)), plan.name);
          }}
        />
      </div>
    );
  }
  return (
    <div>
      <p className="plan-now">
        <b>{plan.name}</b> ·{" "}
        {plan.monthlyPriceMinor === 0 ? "free" : `${money(plan.monthlyPriceMinor, plan.currency)} / month`}
      </p>
      {subscription ? (
        <>
          <p className="hint">
            {STATUS_TEXT[subscription.status] ?? subscription.status} ·{" "}
            {subscription.cancelAtPeriodEnd
              ? `ends on ${formatDate(subscription.currentPeriodEnd)}`
              : `renews on ${formatDate(subscription.currentPeriodEnd)}`}
          </p>
          {subscription.cancelAtPeriodEnd ? (
            <ConfirmButton
              label="Keep my subscription"
              question={`Keep ${plan.name} after ${formatDate(subscription.currentPeriodEnd)}?`}
              confirmLabel="Keep it"
              danger={false}
              onConfirm={async () => {
                const key = newKey();
                await stepUp(() => api.resumeSubscription(key));
                onChange();
              }}
            />
          ) : (
            <ConfirmButton
              label="Cancel subscription"
              question={`Cancel ${plan.name}? It stays active until ${formatDate(subscription.currentPeriodEnd)}.`}
              confirmLabel="Cancel at period end"
              onConfirm={async () => {
                const key = newKey();
                await stepUp(() => api.cancelSubscription(key));
                onChange();
              }}
            />
          )}
        </>
      ) : (
        <p className="hint">No subscription: the free plan's limits apply.</p>
      )}
    </div>
  );
}

function PlanGrid({
  plans,
  billing,
  api,
  onSubscribed,
}: {
  plans: Plan[];
  billing: BillingState;
  api: AccountApi;
  onSubscribed: (sub: Subscription, planName: string) => void;
}) {
  const stepUp = useStepUp();
  const current = billing.subscription && !billing.subscription.cancelAtPeriodEnd ? billing.subscription.planId : null;
  if (plans.length === 0) return <p className="notice">No plans are available.</p>;
  return (
    <ul className="plan-grid">
      {plans.map((p) => {
        const isCurrent = p.id === (current ?? (billing.subscription ? null : "free"));
        return (
          <li key={p.id} className={`plan ${isCurrent ? "current" : ""}`} aria-current={isCurrent ? "true" : undefined}>
            <h3>{p.name}</h3>
            <p className="price">
              {p.monthlyPriceMinor === 0 ? "Free" : `${money(p.monthlyPriceMinor, p.currency)} / month`}
            </p>
            <ul className="included">
              {included(p).map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
            {Object.keys(p.overagePrices).length > 0 ? (
              <p className="hint">Usage beyond that is billed per unit.</p>
            ) : (
              <p className="hint">Usage beyond that is refused.</p>
            )}
            {isCurrent ? (
              <span className="badge ok">Current plan</span>
            ) : !p.purchasable ? (
              <span className="hint">
                {p.monthlyPriceMinor === 0 ? "Cancel your subscription to return to it." : "Not available"}
              </span>
            ) : (
              <ConfirmButton
                label={`Switch to ${p.name}`}
                question={`Switch to ${p.name} for ${money(p.monthlyPriceMinor, p.currency)} a month? Prorated today.`}
                confirmLabel={`Switch to ${p.name}`}
                danger={false}
                onConfirm={async () => {
                  const key = newKey();
                  onSubscribed(await stepUp(() => api.subscribe(p.id, key)), p.name);
                }}
              />
            )}
          </li>
        );
      })}
    </ul>
  );
}

const cardText = (m: PaymentMethod) =>
  `${(m.brand ?? m.type).replace(/^\w/, (c) => c.toUpperCase())} •••• ${m.last4 ?? "????"}`;

function PaymentMethods({ api, stripeKey }: { api: AccountApi; stripeKey: string | null }) {
  const { state, reload } = useLoad(api.paymentMethods);
  const stepUp = useStepUp();
  const [adding, setAdding] = useState(false);
  return (
    <Panel title="Payment methods">
      <Loaded state={state} retry={reload}>
        {({ items }) =>
          items.length === 0 ? (
            <p className="notice">No payment methods yet.</p>
          ) : (
            <ul className="rows">
              {items.map((m) => (
                <li key={m.id} className="row">
                  <div>
                    <b>{cardText(m)}</b> {m.isDefault && <span className="badge ok">default</span>}
                    {m.expMonth && m.expYear && (
                      <p className="hint">
                        Expires {String(m.expMonth).padStart(2, "0")}/{m.expYear}
                      </p>
                    )}
                  </div>
                  <div className="row-actions">
                    {!m.isDefault && (
                      <ConfirmButton
                        label="Make default"
                        question={`Charge ${cardText(m)} from now on?`}
                        confirmLabel="Make default"
                        danger={false}
                        onConfirm={async () => {
                          const key = newKey();
                          await stepUp(() => api.makeDefaultPaymentMethod(m.id, key));
                          reload();
                        }}
                      />
                    )}
                    <ConfirmButton
                      label="Remove"
                      question={`Remove ${cardText(m)}?`}
                      confirmLabel="Remove card"
                      onConfirm={async () => {
                        const key = newKey();
                        await stepUp(() => api.removePaymentMethod(m.id, key));
                        reload();
                      }}
                    />
                  </div>
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
      {!stripeKey ? (
        <p className="notice" role="note">
          Adding a card isn't available here: this deployment has no Stripe publishable key configured
          (STRIPE_PUBLISHABLE_KEY). Cards already on file still work.
        </p>
      ) : adding ? (
        <AddCard
          api={api}
          stripeKey={stripeKey}
          onDone={() => {
            setAdding(false);
            reload();
          }}
          onCancel={() => setAdding(false)}
        />
      ) : (
        <button type="button" className="primary" onClick={() => setAdding(true)}>
          Add a card
        </button>
      )}
    </Panel>
  );
}

/** Stripe Elements' Payment Element over a SetupIntent: the card never touches our servers. */
function AddCard({
  api,
  stripeKey,
  onDone,
  onCancel,
}: {
  api: AccountApi;
  stripeKey: string;
  onDone: () => void;
  onCancel: () => void;
}) {
  const mount = useRef<HTMLDivElement>(null);
  const stepUp = useStepUp();
  const [ready, setReady] = useState<{ stripe: StripeJs; elements: StripeElements } | null>(null);
  const [status, setStatus] = useState<{ tone: "error" | "info"; text: string } | null>({
    tone: "info",
    text: "Loading secure card form…",
  });

  useEffect(() => {
    let live = true;
    let destroy: (() => void) | undefined;
    (async () => {
      await api.createCustomer(newKey());
      const key = newKey();
      const { clientSecret } = await stepUp(() => api.setupIntent(key));
      const stripe = await loadStripe(stripeKey);
      if (!live || !mount.current) return;
      const elements = stripe.elements({ clientSecret });
      const element = elements.create("payment");
      element.mount(mount.current);
      destroy = () => element.destroy();
      setReady({ stripe, elements });
      setStatus(null);
    })().catch((e: unknown) => live && setStatus({ tone: "error", text: errorMessage(e) }));
    return () => {
      live = false;
      destroy?.();
    };
  }, [api, stripeKey, stepUp]);

  async function save() {
    if (!ready) return;
    setStatus({ tone: "info", text: "Saving…" });
    const { error } = await ready.stripe.confirmSetup({
      elements: ready.elements,
      redirect: "if_required",
      confirmParams: { return_url: `${window.location.origin}/billing` },
    });
    if (error) setStatus({ tone: "error", text: error.message ?? "The card was not accepted." });
    else onDone();
  }

  return (
    <div className="add-card">
      <div ref={mount} className="stripe-element" />
      <div className="button-row">
        <button type="button" className="primary" onClick={save} disabled={!ready}>
          Save card
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
      <p className={`form-status ${status?.tone ?? ""}`} role="status" aria-live="polite">
        {status?.text}
      </p>
    </div>
  );
}

/**
 * The first payment of a new subscription, confirmed with the customer through Stripe Elements
 * (the card never touches our servers). The plan starts once Stripe reports the payment.
 */
function FirstPayment({
  stripeKey,
  clientSecret,
  planName,
  onDone,
}: {
  stripeKey: string | null;
  clientSecret: string;
  planName: string;
  onDone: () => void;
}) {
  const mount = useRef<HTMLDivElement>(null);
  const [ready, setReady] = useState<{ stripe: StripeJs; elements: StripeElements } | null>(null);
  const [status, setStatus] = useState<{ tone: "error" | "info"; text: string } | null>({
    tone: "info",
    text: "Loading secure payment form…",
  });

  useEffect(() => {
    if (!stripeKey) return;
    let live = true;
    let destroy: (() => void) | undefined;
    (async () => {
      const stripe = await loadStripe(stripeKey);
      if (!live || !mount.current) return;
      const elements = stripe.elements({ clientSecret });
      const element = elements.create("payment");
      element.mount(mount.current);
      destroy = () => element.destroy();
      setReady({ stripe, elements });
      setStatus(null);
    })().catch((e: unknown) => live && setStatus({ tone: "error", text: errorMessage(e) }));
    return () => {
      live = false;
      destroy?.();
    };
  }, [stripeKey, clientSecret]);

  async function pay() {
    if (!ready) return;
    setStatus({ tone: "info", text: "Paying…" });
    const { error } = await ready.stripe.confirmPayment({
      elements: ready.elements,
      redirect: "if_required",
      confirmParams: { return_url: `${window.location.origin}/billing` },
    });
    if (error) setStatus({ tone: "error", text: error.message ?? "The payment was not accepted." });
    else onDone();
  }

  if (!stripeKey) {
    return (
      <div>
        <p className="notice" role="note">
          {planName} starts once its first payment is made. New card details cannot be entered on this page here: make a
          card on file the default and complete the payment. Until then the free plan's limits apply.
        </p>
        <button type="button" onClick={onDone}>
          Close
        </button>
      </div>
    );
  }
  return (
    <div className="add-card">
      <p>{planName} starts once its first payment is made; until then the free plan's limits apply.</p>
      <div ref={mount} className="stripe-element" />
      <div className="button-row">
        <button type="button" className="primary" onClick={pay} disabled={!ready}>
          Pay and start {planName}
        </button>
        <button type="button" onClick={onDone}>
          Later
        </button>
      </div>
      <p className={`form-status ${status?.tone ?? ""}`} role="status" aria-live="polite">
        {status?.text}
      </p>
    </div>
  );
}
