// The billing saga end to end across both services on one Postgres: service-auth's Stripe
// subscription announces the plan (collected by Stripe), cloud-api meters and invoices the period
// (plan fee listed as prepaid), service-auth's charge saga charges only the overage, and
// cloud-api marks the invoice paid — every step through the shared outbox.
import { connectPostgres, freePort } from "@atlas/db";
import { workerDatabaseUrl } from "@atlas/db/testing";
import { createLogger, type RunningServer, startHttpServer } from "@atlas/service-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { billingConsumer } from "../service-auth/src/services/billing/jobs.ts";
import { createSession } from "../service-auth/src/services/tokens/session.service.ts";
import {
  billingHeaders,
  customerWithCard,
  deliverWebhook,
  idemKey,
  startBillingApp,
} from "../service-auth/test/billing-fixtures.ts";
import type { FakeStripe } from "../service-auth/test/fakes/stripe.ts";
import { loginTestUser, TEST_CONTEXT } from "../service-auth/test/fixtures.ts";
import type { TestApp } from "../service-auth/test/harness.ts";
import { INTROSPECTION_SECRET } from "../service-auth/test/harness.ts";
import { createApp as createCloudApp } from "../service-cloud-api/src/app.ts";
import { loadCloudConfig } from "../service-cloud-api/src/config.ts";
import { attachMetering, buildDeps, type Deps as CloudDeps, closeDeps } from "../service-cloud-api/src/deps.ts";
import { cloudConsumer } from "../service-cloud-api/src/services/consumer.ts";
import { paymentHandlers } from "../service-cloud-api/src/services/invoicing/payments.ts";
import { voidInvoice } from "../service-cloud-api/src/services/invoicing/void-invoice.ts";
import { runPeriodicJobs } from "../service-cloud-api/src/services/jobs.ts";

let auth: TestApp;
let stripe: FakeStripe;
let server: RunningServer;
let cloudDeps: CloudDeps;
let cloud: ReturnType<typeof createCloudApp>;

beforeAll(async () => {
  const port = await freePort();
  const issuerUrl = `http://127.0.0.1:${port}`;
  ({ t: auth, stripe } = await startBillingApp({ PUBLIC_URL: issuerUrl }));
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
});

const cloudConsume = () => cloudConsumer(cloudDeps, paymentHandlers(cloudDeps), { listen: false })?.drain();
const authConsume = () => billingConsumer(auth.deps, { listen: false })?.drain();

describe("billing saga across service-auth and service-cloud-api", () => {
  it("Stripe collects the plan fee; the cloud invoice lists it as prepaid and only the overage is charged, then paid", async () => {
    const who = await customerWithCard(auth, stripe);
    const subscribed = await auth.app.request("/billing/subscriptions", {
      method: "POST",
      headers: billingHeaders(who.auth),
      body: JSON.stringify({ planId: "pro" }),
    });
    expect(subscribed.status).toBeLessThan(300);
    await cloudConsume();
    const bearer = { authorization: `Bearer ${who.tokens.accessToken}` };
    const ent = (await (await cloud.request("/v1/entitlements", { headers: bearer })).json()) as {
      planId: string;
      collection: string;
      currentPeriod: { start: string; end: string };
    };
    expect(ent).toMatchObject({ planId: "pro", collection: "stripe_subscription" });

    // Usage in the period: 1,249,998 counted here + the two metered requests of this test =
    // 1,250,000, i.e. 25 blocks of 10,000 beyond the 1,000,000 Pro includes.
    await cloudDeps.database.query(
      `INSERT INTO "cloud"."cloud_usage_records" ("tenantId", "userId", "metric", "hourStart", "value") VALUES ($1, $2, 'requests', $3, 1249998)`,
      [who.tenant.id, who.user.id, new Date(new Date(ent.currentPeriod.start).getTime() + 3_600_000)],
    );
    expect((await cloud.request("/v1/me", { headers: bearer })).status).toBe(200);
    await cloudDeps.meter.flush();

    // The period ends; after the grace the job invoices it.
    auth.clock.now = new Date(new Date(ent.currentPeriod.end).getTime() + 10 * 60_000);
    await runPeriodicJobs(cloudDeps);
    const listed = (await (
      await cloud.request("/v1/invoices", { headers: { authorization: `Bearer ${(await refreshed()).accessToken}` } })
    ).json()) as { items: { id: string; totalMinor: number; amountDueMinor: number; status: string }[] };
    const [invoice] = listed.items;
    expect(invoice).toMatchObject({ totalMinor: 2_000 + 25 * 5, amountDueMinor: 125, status: "finalized" });

    // service-auth charges what is due (the overage), once.
    const before = stripe.paymentIntents.size;
    await authConsume();
    const intents = [...stripe.paymentIntents.values()].slice(before);
    expect(intents).toHaveLength(1);
    expect(intents[0]).toMatchObject({ amount: 125, status: "succeeded" });

    // cloud-api learns it was paid.
    await cloudConsume();
    const paid = (await (
      await cloud.request(`/v1/invoices/${invoice?.id}`, {
        headers: { authorization: `Bearer ${(await refreshed()).accessToken}` },
      })
    ).json()) as { status: string; paidAmountMinor: number };
    expect(paid).toMatchObject({ status: "paid", paidAmountMinor: 125 });

    async function refreshed() {
      // The login's session is long over after a month: a new login on the moved clock.
      return createSession(auth.deps, {
        user: who.user,
        audience: who.tenant.jwtAudience,
        amr: ["email"],
        context: TEST_CONTEXT,
      });
    }
  });

  it("a refund and a dispute of the paid invoice become credit notes at cloud-api; the invoice shows what went back", async () => {
    const [paid] = await cloudDeps.database.query<{ id: string; userId: string; paidAmountMinor: number }>(
      `SELECT "id", "userId", "paidAmountMinor" FROM "cloud"."cloud_invoices" WHERE "status" = 'paid'`,
    );
    if (!paid) throw new Error("the previous test leaves a paid invoice");
    expect(paid.paidAmountMinor).toBe(125);
    const user = await auth.deps.prisma.user.findUniqueOrThrow({ where: { id: paid.userId } });
    const tenant = await auth.deps.prisma.tenant.findUniqueOrThrow({ where: { id: user.tenantId } });
    const session = await createSession(auth.deps, {
      user,
      audience: tenant.jwtAudience,
      amr: ["email"],
      context: TEST_CONTEXT,
    });
    const headers = { authorization: `Bearer ${session.accessToken}` };
    const view = async () =>
      (await (await cloud.request(`/v1/invoices/${paid.id}`, { headers })).json()) as Record<string, unknown>;

    // A platform admin refunds 50 of the 125 paid.
    const admin = await loginTestUser(auth, { roles: ["admin"] });
    const refunded = await auth.app.request(`/admin/billing/invoices/${paid.id}/refund`, {
      method: "POST",
      headers: billingHeaders(admin.auth, idemKey()),
      body: JSON.stringify({ amountMinor: 50, reason: "requested_by_customer" }),
    });
    expect(refunded.status).toBe(201);
    // Stripe's webhooks of that refund change nothing more.
    for (const event of stripe.takeEvents()) await deliverWebhook(auth, event);
    await cloudConsume();
    expect(await view()).toMatchObject({ status: "paid", refundedMinor: 50, refundStatus: "partially_refunded" });

    // The rest is disputed (withdrawn), then the dispute is won (reinstated).
    const pi = [...stripe.paymentIntents.values()].find((p) => p.status === "succeeded" && p.amount === 125);
    const dispute = stripe.dispute(pi?.latest_charge as string, 75, "fraudulent");
    for (const event of stripe.takeEvents()) await deliverWebhook(auth, event);
    await cloudConsume();
    expect(await view()).toMatchObject({ status: "paid", refundedMinor: 125, refundStatus: "refunded" });
    stripe.closeDispute(dispute.id as string, "won");
    for (const event of stripe.takeEvents()) await deliverWebhook(auth, event);
    await cloudConsume();
    expect(await view()).toMatchObject({ status: "paid", refundedMinor: 50, refundStatus: "partially_refunded" });

    const notes = (await (await cloud.request("/v1/credit-notes", { headers })).json()) as {
      items: { number: number; kind: string; status: string; amountMinor: number }[];
    };
    expect(notes.items.map((n) => [n.number, n.kind, n.status, n.amountMinor])).toEqual([
      [2, "dispute", "reversed", 75],
      [1, "refund", "issued", 50],
    ]);
  });
  it("an upgrade mid-period is priced by segment: Pro's overage before it is billed, each plan fee prorated and prepaid", async () => {
    // The peer's clock is the services' clock: the subscription's period starts now.
    stripe.nowSec = Math.floor(auth.clock.now.getTime() / 1000);
    const who = await customerWithCard(auth, stripe);
    await subscribe(who.auth, "pro");
    await cloudConsume();
    const period = await currentPeriod(who.tokens.accessToken);
    const start = new Date(period.start).getTime();
    const end = new Date(period.end).getTime();
    // 1,499,990 requests on Pro plus the few this test makes (< 10): 100 blocks of 10,000 over
    // the half of Pro's 1,000,000 that the first half of the period includes.
    await cloudDeps.database.query(
      `INSERT INTO "cloud"."cloud_usage_records" ("tenantId", "userId", "metric", "hourStart", "value") VALUES ($1, $2, 'requests', $3, 1499990)`,
      [who.tenant.id, who.user.id, new Date(start + 3_600_000)],
    );
    // Exactly halfway through, the customer upgrades to Business.
    auth.clock.now = new Date(start + (end - start) / 2);
    await subscribe((await freshLogin(who)).auth, "business");
    await cloudConsume();
    auth.clock.now = new Date(end + 70 * 60_000);
    await runPeriodicJobs(cloudDeps);
    const [invoice] = await cloudDeps.database.query<{ id: string; totalMinor: number; amountDueMinor: number }>(
      `SELECT "id", "totalMinor", "amountDueMinor" FROM "cloud"."cloud_invoices" WHERE "userId" = $1`,
      [who.user.id],
    );
    const lines = await cloudDeps.database.query<{ kind: string; amountMinor: number; prepaid: boolean }>(
      `SELECT "kind", "amountMinor", "prepaid" FROM "cloud"."cloud_invoice_lines" WHERE "invoiceId" = $1 ORDER BY "position"`,
      [invoice?.id],
    );
    expect(lines).toEqual([
      { kind: "subscription", amountMinor: 1_000, prepaid: true },
      { kind: "overage:requests", amountMinor: 100 * 5, prepaid: false },
      { kind: "subscription", amountMinor: 5_000, prepaid: true },
    ]);
    expect(invoice).toMatchObject({ totalMinor: 6_500, amountDueMinor: 500 });
    const before = stripe.paymentIntents.size;
    await authConsume();
    expect([...stripe.paymentIntents.values()].slice(before)).toEqual([
      expect.objectContaining({ amount: 500, status: "succeeded" }),
    ]);
  });

  it("voiding a failed invoice at cloud-api cancels its PaymentIntent at Stripe and lifts past due", async () => {
    stripe.nowSec = Math.floor(auth.clock.now.getTime() / 1000);
    // The first payment goes through (a paid plan starts only once paid); the card declines after.
    const who = await customerWithCard(auth, stripe);
    await subscribe(who.auth, "pro");
    (stripe.cards.get(who.pm) as { decline: string | null }).decline = "card_declined";
    await cloudConsume();
    const period = await currentPeriod(who.tokens.accessToken);
    await cloudDeps.database.query(
      `INSERT INTO "cloud"."cloud_usage_records" ("tenantId", "userId", "metric", "hourStart", "value") VALUES ($1, $2, 'requests', $3, 1100000)`,
      [who.tenant.id, who.user.id, new Date(new Date(period.start).getTime() + 3_600_000)],
    );
    auth.clock.now = new Date(new Date(period.end).getTime() + 70 * 60_000);
    await runPeriodicJobs(cloudDeps);
    await authConsume();
    await cloudConsume();
    const login = await freshLogin(who);
    const bearer = { authorization: `Bearer ${login.tokens.accessToken}` };
    const [invoice] = (
      (await (await cloud.request("/v1/invoices", { headers: bearer })).json()) as {
        items: { id: string; status: string }[];
      }
    ).items;
    expect(invoice?.status).toBe("failed");
    expect(await (await cloud.request("/v1/entitlements", { headers: bearer })).json()).toMatchObject({
      pastDue: true,
    });
    const charge = await auth.deps.prisma.charge.findUniqueOrThrow({ where: { invoiceId: invoice?.id as string } });

    await voidInvoice(cloudDeps.database, invoice?.id as string, "billed in error", auth.clock.now);
    await authConsume();
    await cloudConsume();
    expect(stripe.paymentIntents.get(charge.stripePaymentIntentId as string)).toMatchObject({ status: "canceled" });
    expect(await auth.deps.prisma.charge.findUniqueOrThrow({ where: { id: charge.id } })).toMatchObject({
      status: "canceled",
    });
    expect(await (await cloud.request("/v1/entitlements", { headers: bearer })).json()).toMatchObject({
      status: "active",
      pastDue: false,
    });
    expect(await (await cloud.request(`/v1/invoices/${invoice?.id}`, { headers: bearer })).json()).toMatchObject({
      status: "void",
    });
  });
});

async function subscribe(authHeaders: Record<string, string>, planId: string) {
  const res = await auth.app.request("/billing/subscriptions", {
    method: "POST",
    headers: billingHeaders(authHeaders),
    body: JSON.stringify({ planId }),
  });
  expect(res.status).toBeLessThan(300);
}

async function currentPeriod(accessToken: string) {
  const ent = (await (
    await cloud.request("/v1/entitlements", { headers: { authorization: `Bearer ${accessToken}` } })
  ).json()) as { currentPeriod: { start: string; end: string } };
  return ent.currentPeriod;
}

/** A new login on the moved clock (the first one's tokens have expired). */
async function freshLogin(who: Awaited<ReturnType<typeof customerWithCard>>) {
  const tokens = await createSession(auth.deps, {
    user: who.user,
    audience: who.tenant.jwtAudience,
    amr: ["email"],
    context: TEST_CONTEXT,
  });
  return { tokens, auth: { authorization: `Bearer ${tokens.accessToken}` } };
}
