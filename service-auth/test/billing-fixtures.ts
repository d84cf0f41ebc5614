import { randomUUID } from "node:crypto";
import { type BillingEventType, outboxRow } from "@atlas/billing-events";
import Stripe from "stripe";
import { FakeStripe } from "./fakes/stripe.ts";
import { loginTestUser } from "./fixtures.ts";
import { createTestApp, type TestApp } from "./harness.ts";

export const WEBHOOK_SECRET = "whsec_test_current";
export const OLD_WEBHOOK_SECRET = "whsec_test_previous";

export const STRIPE_ENV = (fake: FakeStripe) => ({
  STRIPE_SECRET_KEY: "sk_test_atlas",
  STRIPE_API_BASE_URL: fake.url,
  STRIPE_WEBHOOK_SECRETS: `${WEBHOOK_SECRET},${OLD_WEBHOOK_SECRET}`,
  STRIPE_PRICE_IDS: "pro=price_pro,business=price_business",
});

/** The Stripe prices of the seeded plans (STRIPE_PRICE_IDS), as registered at the peer. */
export function registerPlanPrices(stripe: FakeStripe): FakeStripe {
  stripe.prices.set("price_pro", { unit_amount: 2_000, currency: "usd", recurring: { interval: "month" } });
  stripe.prices.set("price_business", { unit_amount: 10_000, currency: "usd", recurring: { interval: "month" } });
  return stripe;
}

/** service-auth with Stripe pointed at a local fake Stripe. */
export async function startBillingApp(env: Record<string, string> = {}): Promise<{ t: TestApp; stripe: FakeStripe }> {
  const stripe = registerPlanPrices(await FakeStripe.start());
  const t = await createTestApp({ env: { ...STRIPE_ENV(stripe), ...env } });
  return { t, stripe };
}

let keyCounter = 0;
/** A fresh Idempotency-Key. */
export const idemKey = () => `test-key-${Date.now()}-${++keyCounter}`;

/** Headers of a mutating billing call. */
export const billingHeaders = (auth: Record<string, string>, key = idemKey()) => ({
  ...auth,
  "content-type": "application/json",
  "idempotency-key": key,
});

export async function billingEvents(t: TestApp, type?: BillingEventType) {
  return t.deps.prisma.billingEvent.findMany({
    where: type ? { eventType: type } : {},
    orderBy: { seq: "asc" },
  });
}

const sdk = new Stripe("sk_test_atlas");

/** Signs a payload the way Stripe does; several secrets give several `v1` signatures. */
export function stripeSignature(payload: string, secrets: string[], timestampSec: number): string {
  const parts = secrets.map((secret) =>
    sdk.webhooks.generateTestHeaderString({ payload, secret, timestamp: timestampSec }),
  );
  const v1 = parts.map((h) => h.split(",").find((p) => p.startsWith("v1=")));
  return [`t=${timestampSec}`, ...v1].join(",");
}

/** Delivers a Stripe event to the webhook endpoint, signed with the current secret at the app's clock. */
export function deliverWebhook(
  t: TestApp,
  event: unknown,
  options: { secrets?: string[]; timestampSec?: number; header?: string } = {},
) {
  const payload = JSON.stringify(event);
  const header =
    options.header ??
    stripeSignature(
      payload,
      options.secrets ?? [WEBHOOK_SECRET],
      options.timestampSec ?? Math.floor(t.clock.now.getTime() / 1000),
    );
  return t.app.request("/webhooks/stripe", {
    method: "POST",
    body: payload,
    headers: { "content-type": "application/json", "stripe-signature": header },
  });
}

/** A logged-in user with a Stripe customer whose default card is `card`. */
export async function customerWithCard(
  t: TestApp,
  stripe: FakeStripe,
  card: { decline?: string; last4?: string } = {},
  login?: Awaited<ReturnType<typeof loginTestUser>>,
) {
  const who = login ?? (await loginTestUser(t));
  const res = await t.app.request("/billing/customer", { method: "POST", headers: billingHeaders(who.auth) });
  const profile = (await res.json()) as { id: string; stripeCustomerId: string };
  const pm = stripe.attachCard(profile.stripeCustomerId, card);
  const set = await t.app.request(`/billing/payment-methods/${pm}/default`, {
    method: "POST",
    headers: billingHeaders(who.auth),
  });
  if (set.status !== 200) throw new Error(`default payment method: ${set.status}`);
  return { ...who, profile, pm };
}

/** What cloud-api does when it finalizes an invoice: an `invoice.finalized` row in the outbox. */
export async function emitInvoiceFinalized(
  t: TestApp,
  invoice: {
    tenantId: string;
    userId: string;
    invoiceId?: string;
    totalMinor: number;
    number?: number;
    amountDueMinor?: number;
    dueAt?: string;
  },
  dedupeKey?: string,
) {
  const invoiceId = invoice.invoiceId ?? `inv_${randomUUID()}`;
  const row = outboxRow(
    "invoice.finalized",
    {
      tenantId: invoice.tenantId,
      userId: invoice.userId,
      invoiceId,
      number: invoice.number ?? 1,
      totalMinor: invoice.totalMinor,
      ...(invoice.amountDueMinor !== undefined && { amountDueMinor: invoice.amountDueMinor }),
      ...(invoice.dueAt !== undefined && { dueAt: invoice.dueAt }),
      currency: "usd",
    },
    "service-cloud-api",
    dedupeKey ?? `invoice.finalized:${invoiceId}`,
  );
  await t.deps.prisma.billingEvent.create({
    data: {
      ...row,
      payload: row.payload,
      aggregateKey: `invoice:${invoiceId}`,
      createdAt: t.clock.now,
      availableAt: t.clock.now,
    },
  });
  return invoiceId;
}
