// Issue 17, acceptance: one customer over a year on the Stripe peer's clock, across service-auth and
// service-cloud-api in one process on one real Postgres, checked against totals computed here from
// the plan table (not by calling compute.ts), to the cent. Each period's usage is written a few
// thousand requests below a block boundary, so the handful of requests this test itself makes
// (metered too) never changes a started block.
import { connectPostgres, freePort } from "@atlas/db";
import { workerDatabaseUrl } from "@atlas/db/testing";
import { createLogger, type RunningServer, startHttpServer } from "@atlas/service-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDunning } from "../service-auth/src/services/billing/invoices/dunning.ts";
import { billingConsumer } from "../service-auth/src/services/billing/jobs.ts";
import { createSession } from "../service-auth/src/services/tokens/session.service.ts";
import { billingHeaders, deliverWebhook, idemKey, startBillingApp } from "../service-auth/test/billing-fixtures.ts";
import { CHAIN, credits, sendToken, startTestChain, type TestChain } from "../service-auth/test/crypto-fixtures.ts";
import { FakeStripe } from "../service-auth/test/fakes/stripe.ts";
import { loginTestUser, TEST_CONTEXT } from "../service-auth/test/fixtures.ts";
import type { TestApp } from "../service-auth/test/harness.ts";
import { INTROSPECTION_SECRET } from "../service-auth/test/harness.ts";
import { createApp as createCloudApp } from "../service-cloud-api/src/app.ts";
import { loadCloudConfig } from "../service-cloud-api/src/config.ts";
import { attachMetering, buildDeps, type Deps as CloudDeps, closeDeps } from "../service-cloud-api/src/deps.ts";
import { cloudConsumer } from "../service-cloud-api/src/services/consumer.ts";
import { paymentHandlers } from "../service-cloud-api/src/services/invoicing/payments.ts";
import { runPeriodicJobs } from "../service-cloud-api/src/services/jobs.ts";

type Json = Record<string, unknown>;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The peer's (and Stripe's monthly price's) period: 30 days. */
const PERIOD = 30 * DAY;

// ─── the plan table, as the contract states it (docs/api.md, plans.ts), priced independently ───
const PLAN = {
  pro: { fee: 2_000, included: 1_000_000, block: 10_000, perBlock: 5 },
  business: { fee: 10_000, included: 10_000_000, block: 10_000, perBlock: 3 },
} as const;
type PlanId = keyof typeof PLAN;
interface Segment {
  plan: PlanId;
  /** Share of the period: num / den. */
  num: number;
  den: number;
  /** Requests beyond the segment's prorated allowance, in started blocks. */
  blocks: number;
}
/** Expected lines of one period: fee share rounded half up (prepaid), allowance rounded down, started blocks. */
function expectedInvoice(segments: Segment[]) {
  const lines: { kind: string; amountMinor: number; prepaid: boolean; quantity: number }[] = [];
  for (const s of segments) {
    const p = PLAN[s.plan];
    const fee = Math.floor((2 * p.fee * s.num + s.den) / (2 * s.den));
    lines.push({ kind: "subscription", amountMinor: fee, prepaid: true, quantity: 1 });
    if (s.blocks > 0)
      lines.push({ kind: "overage:requests", amountMinor: s.blocks * p.perBlock, prepaid: false, quantity: s.blocks });
  }
  const totalMinor = lines.reduce((a, l) => a + l.amountMinor, 0);
  const amountDueMinor = lines.reduce((a, l) => a + (l.prepaid ? 0 : l.amountMinor), 0);
  return { lines, totalMinor, amountDueMinor };
}
/** Requests to write for `s`: its allowance (rounded down) plus `blocks` blocks less 5,000. */
const usageFor = (s: Segment) =>
  Math.floor((PLAN[s.plan].included * s.num) / s.den) + (s.blocks > 0 ? s.blocks * PLAN[s.plan].block - 5_000 : 0);

let chain: TestChain;
let auth: TestApp;
let stripe: FakeStripe;
let server: RunningServer;
let cloudDeps: CloudDeps;
let cloud: ReturnType<typeof createCloudApp>;

beforeAll(async () => {
  const port = await freePort();
  const issuerUrl = `http://127.0.0.1:${port}`;
  chain = await startTestChain();
  ({ t: auth, stripe } = await startBillingApp({ PUBLIC_URL: issuerUrl, ...chain.env() }));
  await auth.reset();
  server = await startHttpServer((req, env) => auth.app.fetch(req, env), port, "127.0.0.1");
  const url = await workerDatabaseUrl();
  const config = loadCloudConfig({
    DATABASE_URL: url,
    AUTH_URL: issuerUrl,
    INTROSPECTION_CLIENT_SECRET: INTROSPECTION_SECRET,
    QUOTA_CACHE_MS: "0",
  });
  cloudDeps = attachMetering({
    ...buildDeps(config, connectPostgres(url, "cloud", { max: 4 }), createLogger({ name: "c", level: "silent" })),
    now: () => auth.clock.now,
  });
  cloud = createCloudApp(cloudDeps);
});
afterAll(async () => {
  await server.close();
  await closeDeps(cloudDeps);
  await auth.close();
  await stripe.stop();
  await chain.anvil.stop();
});

const cloudConsume = () => cloudConsumer(cloudDeps, paymentHandlers(cloudDeps), { listen: false })?.drain();
const authConsume = () => billingConsumer(auth.deps, { listen: false })?.drain();

let delivered = 0;
/** Delivers every webhook the peer produced since the last call, in order, then both consumers run. */
async function settle() {
  const pending = [...stripe.events.slice(delivered), ...stripe.takeEvents()];
  delivered = stripe.events.length;
  for (const event of pending) {
    const res = await deliverWebhook(auth, event);
    expect(res.status, String(event.type)).toBe(200);
  }
  await authConsume();
  await cloudConsume();
  await authConsume();
  await cloudConsume();
}

/** Moves both clocks (the services' and the peer's, which renews subscriptions) to `ms`, then settles. */
async function moveTo(ms: number) {
  auth.clock.now = new Date(ms);
  const sec = Math.floor(ms / 1000);
  if (sec > stripe.nowSec) stripe.advance(sec - stripe.nowSec);
  await settle();
}

describe("one customer's year of billing", () => {
  it("subscribes, changes plans, is declined, pays by SCA, is refunded and disputed, cancels, resubscribes and leaves", async () => {
    const T0 = auth.clock.now.getTime();
    stripe.nowSec = Math.floor(T0 / 1000);
    const who = await loginTestUser(auth);
    const session = async () => {
      const tokens = await createSession(auth.deps, {
        user: who.user,
        audience: who.tenant.jwtAudience,
        amr: ["email"],
        context: TEST_CONTEXT,
      });
      return { authorization: `Bearer ${tokens.accessToken}` };
    };
    const post = async (path: string, body?: Json, key = idemKey()) =>
      auth.app.request(path, {
        method: "POST",
        headers: billingHeaders(await session(), key),
        ...(body && { body: JSON.stringify(body) }),
      });
    const cloudGet = async <T = Json>(path: string) => {
      const res = await cloud.request(path, { headers: await session() });
      expect(res.status, path).toBe(200);
      return (await res.json()) as T;
    };
    const entitlement = () =>
      cloudGet<{ planId: string; status: string; pastDue: boolean; currentPeriod: { start: string; end: string } }>(
        "/v1/entitlements",
      );
    const addUsage = async (at: number, value: number) => {
      await cloudDeps.database.query(
        `INSERT INTO "cloud"."cloud_usage_records" ("tenantId", "userId", "metric", "hourStart", "value") VALUES ($1, $2, 'requests', $3, $4)`,
        [who.tenant.id, who.user.id, new Date(at), value],
      );
    };
    const invoices = async () =>
      (
        await cloudGet<{
          items: { id: string; number: number; totalMinor: number; amountDueMinor: number; status: string }[];
        }>("/v1/invoices")
      ).items;
    const linesOf = (invoiceId: string) =>
      cloudDeps.database.query<{ kind: string; amountMinor: number; prepaid: boolean; quantity: number }>(
        `SELECT "kind", "amountMinor", "prepaid", "quantity"::int AS "quantity" FROM "cloud"."cloud_invoice_lines" WHERE "invoiceId" = $1 ORDER BY "position"`,
        [invoiceId],
      );
    const chargeOf = (invoiceId: string) => auth.deps.prisma.charge.findUniqueOrThrow({ where: { invoiceId } });
    /** Closes the period that ended at `end`: after the grace, cloud-api invoices it and service-auth charges it. */
    const invoicePeriod = async (end: number) => {
      await cloudDeps.meter.flush();
      await moveTo(end + 2 * HOUR);
      const before = new Set((await invoices()).map((i) => i.id));
      await runPeriodicJobs(cloudDeps);
      const created = (await invoices()).filter((i) => !before.has(i.id));
      expect(created).toHaveLength(1);
      await settle();
      return created[0]?.id as string;
    };
    const invoiceView = (id: string) =>
      cloudGet<{ status: string; totalMinor: number; amountDueMinor: number; paidAmountMinor: number }>(
        `/v1/invoices/${id}`,
      );

    // ── 1. Pro, the first payment confirmed by card in the browser: incomplete → active by webhook.
    const profile = (await (await post("/billing/customer")).json()) as { stripeCustomerId: string };
    const customer = profile.stripeCustomerId;
    const first = (await (await post("/billing/subscriptions", { planId: "pro" })).json()) as {
      status: string;
      clientSecret: string;
    };
    expect(first).toMatchObject({ status: "incomplete", clientSecret: expect.stringMatching(/^pi_.+_secret_/) });
    const card = stripe.attachCard(customer);
    const confirmed = await fetch(
      `${stripe.url}/v1/payment_intents/${first.clientSecret.split("_secret_")[0]}/confirm`,
      {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          key: FakeStripe.publishableKey,
          client_secret: first.clientSecret,
          payment_method: card,
        }),
      },
    );
    expect(((await confirmed.json()) as Json).status).toBe("succeeded");
    expect((await (await post(`/billing/payment-methods/${card}/default`)).json()) as Json).toBeTruthy();
    await settle();
    expect(
      await auth.deps.prisma.subscription.findFirstOrThrow({ where: { billingProfile: { customerId: who.user.id } } }),
    ).toMatchObject({
      planId: "pro",
      status: "active",
    });
    const e1 = await entitlement();
    expect(e1).toMatchObject({ planId: "pro", status: "active", pastDue: false });
    expect(Date.parse(e1.currentPeriod.start)).toBe(T0);
    expect(Date.parse(e1.currentPeriod.end)).toBe(T0 + PERIOD);

    // ── 2a. A third into period 1, an upgrade to Business: two segments, 10/30 and 20/30.
    const p1: Segment[] = [
      { plan: "pro", num: 10, den: 30, blocks: 20 },
      { plan: "business", num: 20, den: 30, blocks: 30 },
    ];
    await addUsage(T0 + HOUR, usageFor(p1[0] as Segment));
    await moveTo(T0 + 10 * DAY);
    expect((await post("/billing/subscriptions", { planId: "business" })).status).toBe(200);
    await settle();
    await addUsage(T0 + 11 * DAY, usageFor(p1[1] as Segment));
    expect(await entitlement()).toMatchObject({ planId: "business" });
    const inv1 = await invoicePeriod(T0 + PERIOD);
    const exp1 = expectedInvoice(p1);
    expect(exp1).toMatchObject({ totalMinor: 667 + 100 + 6_667 + 90, amountDueMinor: 190 });
    expect(await linesOf(inv1)).toEqual(exp1.lines);
    expect(await invoiceView(inv1)).toMatchObject({
      status: "paid",
      totalMinor: exp1.totalMinor,
      amountDueMinor: exp1.amountDueMinor,
      paidAmountMinor: exp1.amountDueMinor,
    });
    expect(await chargeOf(inv1)).toMatchObject({ status: "succeeded", amountMinor: 190 });

    // ── 2b. Halfway through period 2 (Stripe renewed Business), a downgrade to Pro.
    const T1 = T0 + PERIOD;
    expect(Date.parse((await entitlement()).currentPeriod.start)).toBe(T1);
    const p2: Segment[] = [
      { plan: "business", num: 1, den: 2, blocks: 10 },
      { plan: "pro", num: 1, den: 2, blocks: 40 },
    ];
    await addUsage(T1 + HOUR, usageFor(p2[0] as Segment));
    await moveTo(T1 + 15 * DAY);
    expect((await post("/billing/subscriptions", { planId: "pro" })).status).toBe(200);
    await settle();
    await addUsage(T1 + 16 * DAY, usageFor(p2[1] as Segment));

    // ── 3. The card starts declining: period 2's charge fails, dunning retries, a new card pays it.
    await cloudDeps.meter.flush();
    await moveTo(T1 + PERIOD + 2 * HOUR); // Stripe renews period 3 with the card still working
    (stripe.cards.get(card) as { decline: string | null }).decline = "card_declined";
    const inv2 = await invoicePeriod(T1 + PERIOD);
    const exp2 = expectedInvoice(p2);
    expect(exp2).toMatchObject({ totalMinor: 5_000 + 30 + 1_000 + 200, amountDueMinor: 230 });
    expect(await linesOf(inv2)).toEqual(exp2.lines);
    expect(await invoiceView(inv2)).toMatchObject({ status: "failed", totalMinor: exp2.totalMinor });
    expect(await chargeOf(inv2)).toMatchObject({ status: "failed", failureCode: "card_declined" });
    expect(await entitlement()).toMatchObject({ pastDue: true });
    await moveTo(auth.clock.now.getTime() + 25 * HOUR);
    expect(await runDunning(auth.deps)).toMatchObject({ retried: 1, errored: 0 });
    await settle();
    expect(await chargeOf(inv2)).toMatchObject({ status: "failed" });
    const card2 = stripe.attachCard(customer, { last4: "0077" });
    expect((await post(`/billing/payment-methods/${card2}/default`)).status).toBe(200);
    await moveTo(auth.clock.now.getTime() + 3 * DAY);
    expect(await runDunning(auth.deps)).toMatchObject({ retried: 1, errored: 0 });
    await settle();
    expect(await chargeOf(inv2)).toMatchObject({ status: "succeeded", amountMinor: 230 });
    expect(await invoiceView(inv2)).toMatchObject({ status: "paid", paidAmountMinor: 230 });
    expect(await entitlement()).toMatchObject({ planId: "pro", pastDue: false });

    // ── 4. Period 3 (Pro, whole): its charge needs 3-D Secure; Pay now in the browser pays it.
    const T2 = T1 + PERIOD;
    const p3: Segment[] = [{ plan: "pro", num: 1, den: 1, blocks: 15 }];
    await addUsage(T2 + HOUR, usageFor(p3[0] as Segment));
    await cloudDeps.meter.flush();
    await moveTo(T2 + PERIOD + 2 * HOUR); // period 4 renewed with card2
    (stripe.cards.get(card2) as { decline: string | null }).decline = "authentication_required";
    const inv3 = await invoicePeriod(T2 + PERIOD);
    const exp3 = expectedInvoice(p3);
    expect(exp3).toMatchObject({ totalMinor: 2_075, amountDueMinor: 75 });
    expect(await linesOf(inv3)).toEqual(exp3.lines);
    expect(await chargeOf(inv3)).toMatchObject({ status: "action_required", failureCode: "authentication_required" });
    const payNow = await post(`/billing/invoices/${inv3}/pay`);
    expect(payNow.status).toBe(200);
    const pay = (await payNow.json()) as { clientSecret: string; paymentIntentId: string };
    expect(pay.paymentIntentId).toBe((await chargeOf(inv3)).stripePaymentIntentId);
    const sca = await fetch(`${stripe.url}/v1/payment_intents/${pay.paymentIntentId}/confirm`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        key: FakeStripe.publishableKey,
        client_secret: pay.clientSecret,
        payment_method: card2,
      }),
    });
    expect(((await sca.json()) as Json).status).toBe("requires_action");
    stripe.completeAuthentication(pay.paymentIntentId);
    (stripe.cards.get(card2) as { decline: string | null }).decline = null;
    await settle();
    expect(await chargeOf(inv3)).toMatchObject({ status: "succeeded", amountMinor: 75 });
    expect(await invoiceView(inv3)).toMatchObject({ status: "paid", paidAmountMinor: 75 });

    // ── 5. Periods 4 and 5 are paid in USDC ($1.00 per token, 6 decimals): period 4 exactly,
    // period 5 with $0.75 too much, credited and applied to period 6's card charge.
    const T3 = T2 + PERIOD;
    const chosen = async (preferredProvider: string) => {
      const res = await auth.app.request("/billing/profile", {
        method: "PATCH",
        headers: billingHeaders(await session()),
        body: JSON.stringify({ preferredProvider }),
      });
      expect(res.status).toBe(200);
    };
    /** Quotes the invoice and pays the deposit address `units`, mined now on the chain. */
    const payInUsdc = async (invoiceId: string, units: bigint) => {
      const quoted = await post("/billing/crypto/quote", { invoiceId, chainId: CHAIN, currency: "USDC" });
      expect(quoted.status).toBe(201);
      const q = (await quoted.json()) as { amount: string; address: `0x${string}` };
      await chain.anvil.rpc("evm_setNextBlockTimestamp", [Math.floor(auth.clock.now.getTime() / 1000) + 1]);
      const hash = await sendToken(chain, chain.usdc, q.address, units);
      await chain.anvil.mine(3);
      const res = await post("/billing/crypto/confirm", { invoiceId, chainId: CHAIN, txHash: hash });
      expect(res.status).toBe(200);
      await settle();
      return { quoted: q.amount, confirmed: (await res.json()) as Json };
    };
    await chosen("crypto");
    const p4: Segment[] = [{ plan: "pro", num: 1, den: 1, blocks: 10 }];
    await addUsage(T3 + HOUR, usageFor(p4[0] as Segment));
    const inv4 = await invoicePeriod(T3 + PERIOD);
    const exp4 = expectedInvoice(p4);
    expect(exp4).toMatchObject({ totalMinor: 2_050, amountDueMinor: 50 });
    expect(await linesOf(inv4)).toEqual(exp4.lines);
    expect(await chargeOf(inv4)).toMatchObject({ provider: "crypto", status: "pending", amountMinor: 50 });
    const paid4 = await payInUsdc(inv4, 500_000n);
    expect(paid4).toMatchObject({ quoted: "500000", confirmed: { status: "confirmed", creditedMinor: 0 } });
    expect(await chargeOf(inv4)).toMatchObject({ provider: "crypto", status: "succeeded" });
    expect(await invoiceView(inv4)).toMatchObject({ status: "paid", paidAmountMinor: 50 });

    const T4 = T3 + PERIOD;
    const p5: Segment[] = [{ plan: "pro", num: 1, den: 1, blocks: 25 }];
    await addUsage(T4 + HOUR, usageFor(p5[0] as Segment));
    const inv5 = await invoicePeriod(T4 + PERIOD);
    const exp5 = expectedInvoice(p5);
    expect(exp5).toMatchObject({ totalMinor: 2_125, amountDueMinor: 125 });
    expect(await linesOf(inv5)).toEqual(exp5.lines);
    const paid5 = await payInUsdc(inv5, 2_000_000n);
    expect(paid5).toMatchObject({ quoted: "1250000", confirmed: { status: "confirmed", creditedMinor: 75 } });
    expect(await invoiceView(inv5)).toMatchObject({ status: "paid", paidAmountMinor: 125 });
    expect((await credits(auth, await session())).balances).toEqual([{ currency: "usd", amountMinor: 75 }]);
    await chosen("stripe");

    const T5 = T4 + PERIOD;
    const p6: Segment[] = [{ plan: "pro", num: 1, den: 1, blocks: 30 }];
    await addUsage(T5 + HOUR, usageFor(p6[0] as Segment));
    const inv6 = await invoicePeriod(T5 + PERIOD);
    const exp6 = expectedInvoice(p6);
    expect(exp6).toMatchObject({ totalMinor: 2_150, amountDueMinor: 150 });
    expect(await linesOf(inv6)).toEqual(exp6.lines);
    expect(await chargeOf(inv6)).toMatchObject({ status: "succeeded", amountMinor: 150, creditAppliedMinor: 75 });
    expect(stripe.paymentIntents.get((await chargeOf(inv6)).stripePaymentIntentId as string) as Json).toMatchObject({
      amount: 75,
      status: "succeeded",
    });
    expect(await invoiceView(inv6)).toMatchObject({ status: "paid" });
    expect((await credits(auth, await session())).balances).toEqual([{ currency: "usd", amountMinor: 0 }]);

    // Four quiet months on Pro: usage within the allowance, the fee prepaid, nothing to charge.
    const quiet: { id: string; start: number }[] = [];
    for (let k = 0; k < 4; k += 1) {
      const start = T5 + (k + 1) * PERIOD;
      await addUsage(start + HOUR, 400_000);
      quiet.push({ id: await invoicePeriod(start + PERIOD), start });
    }
    const expQuiet = expectedInvoice([{ plan: "pro", num: 1, den: 1, blocks: 0 }]);
    for (const q of quiet) {
      expect(await linesOf(q.id)).toEqual(expQuiet.lines);
      expect(await invoiceView(q.id)).toMatchObject({ status: "paid", totalMinor: 2_000, amountDueMinor: 0 });
    }

    // ── 6. An admin refunds 50 of period 1's charge; the cardholder disputes period 2's (lost).
    const admin = await loginTestUser(auth, { roles: ["admin"] });
    const refunded = await auth.app.request(`/admin/billing/invoices/${inv1}/refund`, {
      method: "POST",
      headers: billingHeaders(admin.auth, idemKey()),
      body: JSON.stringify({ amountMinor: 50, reason: "requested_by_customer" }),
    });
    expect(refunded.status).toBe(201);
    await settle();
    const pi2 = stripe.paymentIntents.get((await chargeOf(inv2)).stripePaymentIntentId as string) as Json;
    const dispute = stripe.dispute(pi2.latest_charge as string, 230, "fraudulent");
    await settle();
    stripe.closeDispute(dispute.id as string, "lost");
    await settle();
    expect(await cloudGet(`/v1/invoices/${inv1}`)).toMatchObject({
      status: "paid",
      refundedMinor: 50,
      refundStatus: "partially_refunded",
    });
    expect(await cloudGet(`/v1/invoices/${inv2}`)).toMatchObject({
      status: "paid",
      refundedMinor: 230,
      refundStatus: "refunded",
    });
    const notes = await cloudGet<{
      items: { number: number; invoiceId: string; kind: string; status: string; amountMinor: number }[];
    }>("/v1/credit-notes");
    expect(
      notes.items
        .map((n) => [n.number, n.invoiceId, n.kind, n.status, n.amountMinor])
        .sort((a, b) => Number(a[0]) - Number(b[0])),
    ).toEqual([
      [1, inv1, "refund", "issued", 50],
      [2, inv2, "dispute", "issued", 230],
    ]);

    // ── 7. In period 11 the customer cancels (at period end); Stripe ends it then; the period is
    // closed and invoiced at that time. Usage on the free plan afterwards is not billed; a
    // resubscription three days later opens a new period from its own start.
    const T10 = T5 + 5 * PERIOD;
    const p11: Segment[] = [{ plan: "pro", num: 1, den: 1, blocks: 20 }];
    await addUsage(T10 + HOUR, usageFor(p11[0] as Segment));
    await moveTo(T10 + 5 * DAY);
    const canceled = await auth.app.request("/billing/subscriptions/current", {
      method: "DELETE",
      headers: billingHeaders(await session()),
    });
    expect(canceled.status).toBe(200);
    await settle();
    const inv11 = await invoicePeriod(T10 + PERIOD);
    const exp11 = expectedInvoice(p11);
    expect(exp11).toMatchObject({ totalMinor: 2_100, amountDueMinor: 100 });
    expect(await linesOf(inv11)).toEqual(exp11.lines);
    expect(await invoiceView(inv11)).toMatchObject({ status: "paid", paidAmountMinor: 100 });
    expect(await entitlement()).toMatchObject({ planId: "free" });
    await addUsage(T10 + PERIOD + DAY, 777_777); // on the free plan: never on an invoice
    const R = T10 + PERIOD + 3 * DAY;
    await moveTo(R);
    const again = await post("/billing/subscriptions", { planId: "pro" });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ status: "active" });
    await settle();
    const e5 = await entitlement();
    expect(e5).toMatchObject({ planId: "pro", status: "active" });
    expect(Date.parse(e5.currentPeriod.start)).toBe(R);

    // ── The ledger before the customer leaves: every invoice, charge and PaymentIntent.
    // [invoice, total, amount due, charge provider, charged, credit applied, at Stripe]
    const expected: [string, number, number, string, number, number, number | null][] = [
      [inv1, exp1.totalMinor, 190, "stripe", 190, 0, 190],
      [inv2, exp2.totalMinor, 230, "stripe", 230, 0, 230],
      [inv3, exp3.totalMinor, 75, "stripe", 75, 0, 75],
      [inv4, exp4.totalMinor, 50, "crypto", 50, 0, null],
      [inv5, exp5.totalMinor, 125, "crypto", 125, 0, null],
      [inv6, exp6.totalMinor, 150, "stripe", 150, 75, 75],
      ...quiet.map((q): [string, number, number, string, number, number, null] => [
        q.id,
        2_000,
        0,
        "stripe",
        0,
        0,
        null,
      ]),
      [inv11, exp11.totalMinor, 100, "stripe", 100, 0, 100],
    ];
    const ledger = await invoices();
    expect(ledger).toHaveLength(expected.length);
    expect(ledger.reduce((a, i) => a + i.totalMinor, 0)).toBe(
      7_524 + 6_230 + 2_075 + 2_050 + 2_125 + 2_150 + 4 * 2_000 + 2_100,
    );
    const charges = await auth.deps.prisma.charge.findMany({ where: { userId: who.user.id } });
    for (const [id, total, due, provider, charged, credit, atStripe] of expected) {
      expect(ledger.find((i) => i.id === id)).toMatchObject({ totalMinor: total, amountDueMinor: due, status: "paid" });
      const charge = charges.find((c) => c.invoiceId === id);
      expect(charge, id).toMatchObject({
        provider,
        status: "succeeded",
        amountMinor: charged,
        creditAppliedMinor: credit,
      });
      if (atStripe === null) expect(charge?.stripePaymentIntentId ?? null).toBeNull();
      else
        expect(stripe.paymentIntents.get(charge?.stripePaymentIntentId as string)).toMatchObject({
          amount: atStripe,
          status: "succeeded",
          metadata: expect.objectContaining({ atlasInvoiceId: id }),
        });
    }
    expect(charges).toHaveLength(expected.length);
    // Stripe holds exactly one PaymentIntent per charged invoice.
    const atlasIntents = [...stripe.paymentIntents.values()].filter(
      (pi) => (pi.metadata as Json | undefined)?.atlasInvoiceId !== undefined,
    );
    expect(atlasIntents.map((pi) => (pi.metadata as Json).atlasInvoiceId).sort()).toEqual(
      expected
        .filter((e) => e[6] !== null)
        .map((e) => e[0])
        .sort(),
    );
    // ── 8. The customer deletes the account: nothing stays live at Stripe.
    await moveTo(R + 10 * DAY);
    const deleted = await auth.app.request("/auth/me", { method: "DELETE", headers: await session() });
    expect(deleted.status).toBeLessThan(300);
    await settle();
    const live = [...stripe.subscriptions.values()].filter(
      (s) => s.customer === customer && ["active", "trialing", "incomplete", "past_due"].includes(String(s.status)),
    );
    expect(live).toEqual([]);
    const confirmable = [...stripe.paymentIntents.values()].filter(
      (pi) =>
        pi.customer === customer &&
        ["requires_payment_method", "requires_confirmation", "requires_action"].includes(String(pi.status)),
    );
    expect(confirmable).toEqual([]);
    // Nothing is charged after the deletion, however far the clocks move.
    const intents = stripe.paymentIntents.size;
    await moveTo(R + 2 * PERIOD);
    await runPeriodicJobs(cloudDeps);
    await settle();
    await runDunning(auth.deps);
    expect(stripe.paymentIntents.size).toBe(intents);
    // The last period closed at the deletion (10 of its 30 days): its invoice lists the prepaid
    // fee share and is void, its charge canceled without a PaymentIntent; the entitlement ended.
    const exp12 = expectedInvoice([{ plan: "pro", num: 10, den: 30, blocks: 0 }]);
    const after = await cloudDeps.database.query<{
      id: string;
      status: string;
      totalMinor: number;
      amountDueMinor: number;
    }>(
      `SELECT "id", "status", "totalMinor", "amountDueMinor" FROM "cloud"."cloud_invoices" WHERE "userId" = $1 ORDER BY "periodStart"`,
      [who.user.id],
    );
    expect(
      after
        .map((i) => i.id)
        .slice(0, -1)
        .sort(),
    ).toEqual(expected.map((e) => e[0]).sort());
    const last = after.at(-1) as { id: string };
    expect(last).toMatchObject({ status: "void", totalMinor: exp12.totalMinor, amountDueMinor: 0 });
    expect(exp12.totalMinor).toBe(667);
    expect(await linesOf(last.id)).toEqual(exp12.lines);
    expect(await chargeOf(last.id)).toMatchObject({
      status: "canceled",
      failureCode: "account_deleted",
      stripePaymentIntentId: null,
    });
    const [ended] = await cloudDeps.database.query<{ status: string }>(
      `SELECT "status" FROM "cloud"."cloud_entitlements" WHERE "userId" = $1`,
      [who.user.id],
    );
    expect(ended).toEqual({ status: "canceled" });
  });
});
