/** Examples of the billing routes (see tokens.ts). Amounts are integer minor units (cents). */
import { PLAN_CATALOGUE } from "../../seed.ts";
import { AT } from "./tokens.ts";

/** The seeded plan catalogue as GET /billing/plans shows it. */
const PLANS = PLAN_CATALOGUE.map(({ sortOrder: _, ...plan }) => ({
  ...plan,
  currency: "usd",
  purchasable: plan.monthlyPriceMinor > 0,
  trialDays: 0,
}));
const PRO = PLANS.find((p) => p.id === "pro");
export const PLAN_LIST = { items: PLANS };

const PROFILE = {
  id: "4d6f8a0c-2e4a-4c6e-8a0c-2e4a6c8e0a2c",
  stripeCustomerId: "cus_R7xQmZ2kT9vN4b",
  preferredProvider: "stripe",
  cryptoEnabled: false,
  defaultPaymentMethodId: "pm_1QxK2mZ9vT4nB7cR",
  createdAt: AT,
};
const SUBSCRIPTION = {
  id: "sub_1QxK3nA8wU5oC6dS",
  planId: "pro",
  status: "active",
  currentPeriodStart: "2026-12-01T00:00:00.000Z",
  currentPeriodEnd: "2027-01-01T00:00:00.000Z",
  cancelAtPeriodEnd: false,
  canceledAt: null,
};
export const BILLING_STATE = { profile: PROFILE, subscription: SUBSCRIPTION, plan: PRO };
export const BILLING_PROFILE = PROFILE;
export const PREFERRED_PROVIDER = { preferredProvider: "crypto" };
export const CRYPTO_PROFILE = { ...PROFILE, preferredProvider: "crypto", cryptoEnabled: true };

export const SETUP_INTENT = {
  clientSecret: "seti_1QxK4oB9xV6pD7eT_secret_Zk3pR8sW1hQx7mT2vN9bC4",
  setupIntentId: "seti_1QxK4oB9xV6pD7eT",
};
const CARD = {
  id: "pm_1QxK2mZ9vT4nB7cR",
  type: "card",
  brand: "visa",
  last4: "4242",
  expMonth: 8,
  expYear: 2029,
  isDefault: true,
};
export const PAYMENT_METHODS = { items: [CARD] };
export const PAYMENT_METHOD = CARD;

export const SUBSCRIBE = { planId: "pro" };
export const SUBSCRIBED = {
  ...SUBSCRIPTION,
  status: "incomplete",
  clientSecret: "pi_3QxK5pC0yW7qE8fU_secret_Hp4tW9xK2mQ7vZ1bN6cR3s",
};
export const CANCELING = { ...SUBSCRIPTION, cancelAtPeriodEnd: true, canceledAt: "2026-12-07T09:30:00.000Z" };
export const ACTIVE_SUBSCRIPTION = SUBSCRIPTION;

export const PAY_NOW = {
  clientSecret: "pi_3QxK5pC0yW7qE8fU_secret_Hp4tW9xK2mQ7vZ1bN6cR3s",
  paymentIntentId: "pi_3QxK5pC0yW7qE8fU",
  status: "requires_action",
};

export const CREDITS = {
  balances: [{ currency: "usd", amountMinor: 350 }],
  entries: [
    {
      id: "7b9d1f3a-5c7e-4a9b-8d1f-3a5c7e9b1d3f",
      amountMinor: -150,
      currency: "usd",
      reason: "applied",
      source: "applied:invoice:inv_2026_12_000123",
      invoiceId: "inv_2026_12_000123",
      createdAt: "2026-12-01T00:05:00.000Z",
    },
    {
      id: "3a5c7e9b-1d3f-4b7d-9f1a-3c5e7a9b1d3f",
      amountMinor: 500,
      currency: "usd",
      reason: "overpayment",
      source: "eip155:8453:0x9a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9:4",
      invoiceId: "inv_2026_11_000098",
      createdAt: "2026-11-02T14:21:00.000Z",
    },
  ],
};

export const REFUND_REQUEST = { amountMinor: 1000, reason: "requested_by_customer" };
export const REFUND = {
  id: "re_3QxK6qD1zX8rF9gV",
  invoiceId: "inv_2026_12_000123",
  amountMinor: 1000,
  currency: "usd",
  status: "succeeded",
  reason: "requested_by_customer",
  reversedTransfer: false,
};

const CONNECTED = {
  stripeAccountId: "acct_1QxK7rE2aY9sG0hW",
  chargesEnabled: true,
  payoutsEnabled: true,
  detailsSubmitted: true,
  applicationFeeBps: 250,
};
export const CONNECTED_ACCOUNT = CONNECTED;
export const NEW_CONNECTED_ACCOUNT = {
  ...CONNECTED,
  chargesEnabled: false,
  payoutsEnabled: false,
  detailsSubmitted: false,
};
export const ONBOARDING_LINK = {
  url: "https://connect.stripe.com/setup/e/acct_1QxK7rE2aY9sG0hW/Zk3pR8sW1hQx",
  expiresAt: "2026-12-07T09:35:00.000Z",
};
export const APPLICATION_FEE = { applicationFeeBps: 250 };

export const CRYPTO_QUOTE_REQUEST = { invoiceId: "inv_2026_12_000123", chainId: 8453, currency: "USDC" };
export const CRYPTO_QUOTE = {
  paymentId: "8e0a2c4e-6a8c-4e0a-8c2e-4a6c8e0a2c4e",
  invoiceId: "inv_2026_12_000123",
  chainId: 8453,
  currency: "USDC",
  tokenAddress: "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
  decimals: 6,
  address: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
  amount: "20000000",
  expiresAt: "2026-12-07T09:45:00.000Z",
  relay: null,
};
const TX_HASH = "0x9a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";
export const CRYPTO_CONFIRM_REQUEST = { invoiceId: "inv_2026_12_000123", chainId: 8453, txHash: TX_HASH };
export const CRYPTO_CONFIRMED = {
  invoiceId: "inv_2026_12_000123",
  chainId: 8453,
  txHash: TX_HASH,
  logIndex: 4,
  status: "confirmed",
  creditedMinor: 0,
};

export const WEBHOOK_RECEIVED = { received: true, outcome: "applied" };
