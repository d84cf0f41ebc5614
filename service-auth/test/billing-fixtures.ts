import type { BillingEventType } from "@atlas/billing-events";
import { FakeStripe } from "./fakes/stripe.ts";
import { createTestApp, type TestApp } from "./harness.ts";

export const WEBHOOK_SECRET = "whsec_test_current";
export const OLD_WEBHOOK_SECRET = "whsec_test_previous";

export const STRIPE_ENV = (fake: FakeStripe) => ({
  STRIPE_SECRET_KEY: "sk_test_atlas",
  STRIPE_API_BASE_URL: fake.url,
  STRIPE_WEBHOOK_SECRETS: `${WEBHOOK_SECRET},${OLD_WEBHOOK_SECRET}`,
  STRIPE_PRICE_IDS: "pro=price_pro,business=price_business",
});

/** service-auth with Stripe pointed at a local fake Stripe. */
export async function startBillingApp(env: Record<string, string> = {}): Promise<{ t: TestApp; stripe: FakeStripe }> {
  const stripe = await FakeStripe.start();
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
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
}
