import { useState } from "react";
import type { AccountApi, BillingState, PaymentMethod, Plan, Subscription } from "../account-api.ts";
import { ApiError } from "../api.ts";
import type { CryptoPaymentOption } from "../config.ts";
import { CardForm, Checkout, paymentError, paymentsUnavailable, stripeMissing, subscribeAndPay } from "./Checkout.tsx";
import { CreditBalance } from "./Credits.tsx";
import { useStepUp } from "./StepUp.tsx";
import { InvoicesPanel, UsagePanel } from "./Usage.tsx";
import { bytes, ConfirmButton, formatDate, type Load, Loaded, money, Panel, useLoad } from "./ui.tsx";

const newKey = () => crypto.randomUUID();
const HOURS_PER_MONTH = 730;

/** A plan's included usage in words (requests, transfer, storage averaged over a month). */
function included(plan: Plan): string[] {
  const u = plan.includedUsage;
  const out: string[] = [];
  if (u.requests !== undefined) out.push(`${u.requests.toLocaleString()} requests`);
  if (u.transfer_bytes !== undefined) out.push(`${bytes(u.transfer_bytes)} transfer`);
  if (u.storage_byte_hours !== undefined) out.push(`${bytes(u.storage_byte_hours / HOURS_PER_MONTH)} storage`);
  return out;
}

/** "GiB" for one gibibyte, "10 GiB" for ten: the unit an overage price is quoted per. */
const perSize = (n: number) => bytes(n).replace(/^1 /, "");

/** A plan's overage prices in words ("$0.09 per extra GiB of transfer"), from the plan data. */
function overage(plan: Plan): string[] {
  const price = (minor: number) => money(minor, plan.currency);
  return Object.entries(plan.overagePrices).map(([metric, { unitSize, unitPriceMinor }]) => {
    switch (metric) {
      case "requests":
        return `${price(unitPriceMinor)} per extra ${unitSize === 1 ? "request" : `${unitSize.toLocaleString()} requests`}`;
      case "transfer_bytes":
        return `${price(unitPriceMinor)} per extra ${perSize(unitSize)} of transfer`;
      case "storage_byte_hours":
        return `${price(unitPriceMinor)} per extra ${perSize(unitSize / HOURS_PER_MONTH)} stored for a month`;
      default:
        return `${price(unitPriceMinor)} per extra ${unitSize.toLocaleString()} ${metric.replace(/_/g, " ")}`;
    }
  });
}

const STATUS_TEXT: Record<string, string> = {
  active: "Active",
  trialing: "Trial",
  past_due: "Payment overdue — we'll retry your card",
  unpaid: "Unpaid — limited to the free plan's limits",
  canceled: "Canceled",
  incomplete: "Waiting for payment",
};

/** What a plan change needs from the page: who is asking, the cards on file, the Stripe key. */
interface PayContext {
  api: AccountApi;
  stripeKey: string | null;
  isAdmin: boolean;
  /** The default card, when there is one (its first payment is made with it). */
  defaultCard: string | null;
  /** Starts `plan`: with the card on file, or by opening the card form (checkout). */
  choose: (plan: Plan) => Promise<void>;
}

/**
 * Plan, change of plan and payment methods. The billing customer is created by service-auth the
 * first time an action needs it; a paid plan without a card on file opens the card form (Stripe
 * Elements, when a publishable key is configured).
 */
export function BillingPage({
  api,
  stripeKey,
  stripeApiUrl = null,
  crypto,
}: {
  api: AccountApi;
  stripeKey: string | null;
  /** A Stripe-compatible API the invoices' Pay now confirms against directly (proxy, local peer). */
  stripeApiUrl?: string | null;
  crypto: CryptoPaymentOption[];
}) {
  const stepUp = useStepUp();
  const billing = useLoad(api.billing);
  const plans = useLoad(api.plans);
  // service-auth without Stripe answers 404: a configuration problem, not an error to retry.
  const cards = useLoad(() =>
    api.paymentMethods().then(
      ({ items }) => ({ items, billingOff: false }),
      (e: unknown) => {
        if (stripeMissing(e)) return { items: [], billingOff: true };
        throw e;
      },
    ),
  );
  const me = useLoad(api.me);
  const [checkout, setCheckout] = useState<Plan | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const isAdmin = me.state.kind === "ready" && me.state.data.user.roles.includes("admin");
  const cardList: PaymentMethod[] = cards.state.kind === "ready" ? cards.state.data.items : [];
  const defaultCard = cardList.find((m) => m.isDefault)?.id ?? cardList[0]?.id ?? null;
  const reload = () => {
    billing.reload();
    plans.reload();
    cards.reload();
  };
  const started = (sub: Subscription, plan: Plan) => {
    setCheckout(null);
    setNotice(
      sub.status === "incomplete"
        ? `${plan.name} starts once its first payment is made.`
        : `You're on ${plan.name}. Thank you!`,
    );
    reload();
  };
  const pay: PayContext = {
    api,
    stripeKey,
    isAdmin,
    defaultCard,
    async choose(plan) {
      setNotice(null);
      // The cards may still be loading: ask for them rather than open the card form needlessly.
      const card =
        cards.state.kind === "ready"
          ? defaultCard
          : ((await api.paymentMethods().catch(() => ({ items: [] as PaymentMethod[] }))).items.find((m) => m.isDefault)
              ?.id ?? null);
      if (!card) {
        setCheckout(plan);
        return;
      }
      try {
        started(await subscribeAndPay(api, stepUp, stripeKey, plan, card), plan);
      } catch (e) {
        reload();
        // Shown next to the button (ConfirmButton shows an ApiError's detail).
        throw new ApiError(0, "PAYMENT_FAILED", paymentError(e, isAdmin));
      }
    },
  };
  return (
    <>
      <Panel title="Your plan">
        <Loaded state={billing.state} retry={billing.reload}>
          {(b) => <CurrentPlan billing={b} pay={pay} onChange={reload} />}
        </Loaded>
        {notice && (
          <p className="form-status" role="status">
            {notice}
          </p>
        )}
        <CreditBalance api={api} />
      </Panel>
      <Panel title="Plans">
        <Loaded state={plans.state} retry={plans.reload}>
          {({ items }) => (
            <Loaded state={billing.state} retry={billing.reload}>
              {(b) => <PlanGrid plans={items} billing={b} pay={pay} />}
            </Loaded>
          )}
        </Loaded>
      </Panel>
      {checkout && (
        <Panel title={`Start ${checkout.name}`}>
          <Checkout
            api={api}
            stripeKey={stripeKey}
            isAdmin={isAdmin}
            plan={checkout}
            onDone={(sub) => started(sub, checkout)}
            onCancel={() => setCheckout(null)}
          />
        </Panel>
      )}
      <PaymentMethods api={api} cards={cards} stripeKey={stripeKey} isAdmin={isAdmin} />
      <UsagePanel api={api} />
      <InvoicesPanel api={api} crypto={crypto} stripe={{ key: stripeKey, apiUrl: stripeApiUrl }} />
    </>
  );
}

function CurrentPlan({ billing, pay, onChange }: { billing: BillingState; pay: PayContext; onChange: () => void }) {
  const stepUp = useStepUp();
  const { plan, subscription } = billing;
  const price = plan.monthlyPriceMinor === 0 ? "no charge" : `${money(plan.monthlyPriceMinor, plan.currency)} / month`;
  if (subscription?.status === "incomplete") {
    // Not started: the first payment is outstanding (Stripe drops it after 23 hours).
    return (
      <div>
        <p className="plan-now">
          <b>{plan.name}</b> · {price}
        </p>
        <p className="hint">{STATUS_TEXT.incomplete}: the free plan's limits apply until it is paid.</p>
        <ConfirmButton
          label="Complete payment"
          question={`Pay ${money(plan.monthlyPriceMinor, plan.currency)} now to start ${plan.name}?`}
          confirmLabel="Pay now"
          danger={false}
          onConfirm={() => pay.choose(plan)}
        />
      </div>
    );
  }
  return (
    <div>
      <p className="plan-now">
        <b>{plan.name}</b> · {price}
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
                await stepUp(() => pay.api.resumeSubscription(newKey()));
                onChange();
              }}
            />
          ) : (
            <ConfirmButton
              label="Cancel subscription"
              question={`Cancel ${plan.name}? It stays active until ${formatDate(subscription.currentPeriodEnd)}.`}
              confirmLabel="Cancel at period end"
              onConfirm={async () => {
                await stepUp(() => pay.api.cancelSubscription(newKey()));
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

function PlanGrid({ plans, billing, pay }: { plans: Plan[]; billing: BillingState; pay: PayContext }) {
  const current = billing.subscription && !billing.subscription.cancelAtPeriodEnd ? billing.subscription.planId : null;
  if (plans.length === 0) return <p className="notice">No plans are available.</p>;
  return (
    <ul className="plan-grid">
      {plans.map((p) => {
        const isCurrent = p.id === (current ?? (billing.subscription ? null : "free"));
        const free = p.monthlyPriceMinor === 0;
        return (
          <li key={p.id} className={`plan ${isCurrent ? "current" : ""}`} aria-current={isCurrent ? "true" : undefined}>
            <h3>{p.name}</h3>
            <p className="price">
              {free ? `${money(0, p.currency)} / month` : `${money(p.monthlyPriceMinor, p.currency)} / month`}
            </p>
            <ul className="included">
              {included(p).map((line) => (
                <li key={line}>{line} included</li>
              ))}
              <li>Objects up to {bytes(p.limits.maxObjectBytes)} each</li>
            </ul>
            {Object.keys(p.overagePrices).length > 0 ? (
              <ul className="included overage" aria-label={`${p.name} overage prices`}>
                {overage(p).map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
            ) : (
              <p className="hint">Usage beyond that is refused.</p>
            )}
            {isCurrent ? (
              <span className="badge ok">Current plan</span>
            ) : !p.purchasable ? (
              <span className="hint">{free ? "Cancel your subscription to return to it." : "Not available"}</span>
            ) : (
              <ConfirmButton
                label={`Switch to ${p.name}`}
                question={`Switch to ${p.name} for ${money(p.monthlyPriceMinor, p.currency)} a month? Prorated today.`}
                confirmLabel={`Switch to ${p.name}`}
                danger={false}
                onConfirm={() => pay.choose(p)}
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

function PaymentMethods({
  api,
  cards,
  stripeKey,
  isAdmin,
}: {
  api: AccountApi;
  cards: { state: Load<{ items: PaymentMethod[]; billingOff: boolean }>; reload: () => void };
  stripeKey: string | null;
  isAdmin: boolean;
}) {
  const { state, reload } = cards;
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
                          await stepUp(() => api.makeDefaultPaymentMethod(m.id, newKey()));
                          reload();
                        }}
                      />
                    )}
                    <ConfirmButton
                      label="Remove"
                      question={`Remove ${cardText(m)}?`}
                      confirmLabel="Remove card"
                      onConfirm={async () => {
                        await stepUp(() => api.removePaymentMethod(m.id, newKey()));
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
      {state.kind === "ready" && state.data.billingOff ? (
        <p className="notice" role="note">
          {paymentsUnavailable(isAdmin, "service")}
        </p>
      ) : !stripeKey ? (
        <p className="notice" role="note">
          {paymentsUnavailable(isAdmin)}
          {isAdmin && " Cards already on file still work."}
        </p>
      ) : adding ? (
        <CardForm
          api={api}
          stripeKey={stripeKey}
          isAdmin={isAdmin}
          submitLabel="Save card"
          onSaved={async () => {
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
