// `npm start` on the embedded default runs all of billing (issue 21 §1): the launcher, started
// as the README says with Stripe pointed at the local Stripe peer, takes a user from sign-up to a
// paid subscription that changes cloud-api's entitlements, then finalizes the ended period's
// invoice, charges it at the peer and shows it paid — every step through the outbox, between the
// two services sharing one PGlite database.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { freePort } from "@atlas/db";
import { openEmbeddedDatabase } from "@atlas/db/embedded";
import { type SpawnedProcess, spawnTs, waitForHttpOk } from "@atlas/service-kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { billingHeaders, registerPlanPrices, STRIPE_ENV } from "../service-auth/test/billing-fixtures.ts";
import { FakeStripe } from "../service-auth/test/fakes/stripe.ts";

const root = new URL("..", import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), "atlas-start-billing-"));
let stripe: FakeStripe;
let env: Record<string, string>;
let auth: string;
let cloud: string;

beforeAll(async () => {
  stripe = registerPlanPrices(await FakeStripe.start());
  // The subscription's first period (30 days at the peer) ended two hours ago: its usage hour has
  // closed and the invoicing grace (INVOICE_GRACE_SEC, 5 min) has passed, so it is due now.
  stripe.nowSec = Math.floor(Date.now() / 1000) - 30 * 86_400 - 2 * 3_600;
  const ports = { AUTH_PORT: await freePort(), CLOUD_PORT: await freePort(), WEB_PORT: await freePort() };
  auth = `http://127.0.0.1:${ports.AUTH_PORT}`;
  cloud = `http://127.0.0.1:${ports.CLOUD_PORT}`;
  env = {
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    ...STRIPE_ENV(stripe),
    ATLAS_DATA_DIR: dataDir,
    LOG_LEVEL: "warn",
  };
});
afterAll(async () => {
  await stripe.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function startAtlas(extra: Record<string, string>): Promise<SpawnedProcess> {
  const proc = spawnTs("scripts/start.ts", { cwd: root, env: { ...env, ...extra } });
  await waitForHttpOk(`${auth}/health`, 120_000, proc);
  await waitForHttpOk(`${cloud}/health`, 120_000, proc);
  return proc;
}

async function stopAtlas(proc: SpawnedProcess): Promise<void> {
  proc.child.kill("SIGTERM");
  expect(await proc.exited).toBe(0);
}

/** Polls `read` until `done` holds of its value (or fails with the last value after 60 s). */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`not reached in time; last: ${JSON.stringify(value)}`);
    await delay(200);
  }
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

async function signUp(email: string): Promise<{ accessToken: string; user: { id: string } }> {
  expect((await post(`${auth}/auth/email/start`, { email })).status).toBe(202);
  const outbox = (await (await fetch(`${auth}/dev/outbox`)).json()) as { items: { to?: string; token?: string }[] };
  const token = outbox.items.find((m) => m.token)?.token;
  const verified = await post(`${auth}/auth/email/verify`, { token });
  expect(verified.status).toBe(200);
  return (await verified.json()) as { accessToken: string; user: { id: string } };
}

interface Invoice {
  id: string;
  status: string;
  totalMinor: number;
  amountDueMinor: number;
}

describe("npm start (embedded database) runs billing", () => {
  it("a paid subscription changes cloud-api's entitlements; the ended period is invoiced, charged and paid", async () => {
    // Round 1: billing jobs rare (the period must not be invoiced before its usage is in).
    let atlas = await startAtlas({ BILLING_JOB_INTERVAL_SEC: "3600" });
    let bearer: Record<string, string>;
    let userId: string;
    try {
      const tokens = await signUp("launcher-billing@example.test");
      bearer = { authorization: `Bearer ${tokens.accessToken}` };
      userId = tokens.user.id;
      const entitlements = async () =>
        (await (await fetch(`${cloud}/v1/entitlements`, { headers: bearer })).json()) as {
          planId: string;
          collection: string;
        };
      expect((await entitlements()).planId).not.toBe("pro");

      const customer = await fetch(`${auth}/billing/customer`, { method: "POST", headers: billingHeaders(bearer) });
      expect(customer.status).toBeLessThan(300);
      const { stripeCustomerId } = (await customer.json()) as { stripeCustomerId: string };
      // What Stripe Elements does at the peer: the customer's card, then made the default.
      const pm = stripe.attachCard(stripeCustomerId);
      const made = await fetch(`${auth}/billing/payment-methods/${pm}/default`, {
        method: "POST",
        headers: billingHeaders(bearer),
      });
      expect(made.status).toBe(200);
      const subscribed = await post(`${auth}/billing/subscriptions`, { planId: "pro" }, billingHeaders(bearer));
      expect(subscribed.status).toBeLessThan(300);

      // subscription.updated crosses the outbox to cloud-api.
      expect(await eventually(entitlements, (e) => e.planId === "pro")).toMatchObject({
        planId: "pro",
        collection: "stripe_subscription",
      });
      expect(atlas.output()).not.toContain("does not run");
    } finally {
      await stopAtlas(atlas);
    }

    // The ended period's usage: 250,000 requests beyond the 1,000,000 Pro includes (25 blocks of
    // 10,000 at 5 cents), written into the embedded database while Atlas is stopped.
    const db = await openEmbeddedDatabase(join(dataDir, "pglite"));
    try {
      const periods = await db.query<{ tenantId: string; periodStart: Date; invoiceId: string | null }>(
        `SELECT "tenantId", "periodStart", "invoiceId" FROM "cloud"."cloud_billing_periods" WHERE "userId" = $1`,
        [userId],
      );
      expect(periods.rows).toHaveLength(1);
      const [period] = periods.rows as [{ tenantId: string; periodStart: Date; invoiceId: string | null }];
      expect(period.invoiceId).toBeNull();
      await db.query(
        `INSERT INTO "cloud"."cloud_usage_records" ("tenantId", "userId", "metric", "hourStart", "value")
         VALUES ($1, $2, 'requests', $3, 1250000)`,
        [period.tenantId, userId, new Date(period.periodStart.getTime() + 3_600_000)],
      );
    } finally {
      await db.close();
    }

    // Round 2: billing jobs every second. cloud-api finalizes the invoice (invoice.finalized),
    // service-auth charges the overage at Stripe (payment.succeeded), cloud-api marks it paid.
    atlas = await startAtlas({ BILLING_JOB_INTERVAL_SEC: "1" });
    try {
      const invoices = async () =>
        ((await (await fetch(`${cloud}/v1/invoices`, { headers: bearer })).json()) as { items: Invoice[] }).items;
      const [invoice] = await eventually(invoices, (items) => items[0]?.status === "paid");
      expect(invoice).toMatchObject({ status: "paid", totalMinor: 2_000 + 125, amountDueMinor: 125 });
      const shown = (await (await fetch(`${cloud}/v1/invoices/${invoice?.id}`, { headers: bearer })).json()) as {
        paidAmountMinor: number;
      };
      expect(shown.paidAmountMinor).toBe(125);
      // One PaymentIntent for the invoice (the other collected the plan fee of the subscription).
      const intents = [...stripe.paymentIntents.values()].filter(
        (pi) => (pi.metadata as { atlasInvoiceId?: string } | undefined)?.atlasInvoiceId === invoice?.id,
      );
      expect(intents).toHaveLength(1);
      expect(intents[0]).toMatchObject({ amount: 125, currency: "usd", status: "succeeded" });
    } finally {
      await stopAtlas(atlas);
    }
  }, 600_000);
});
