// Operators' repairs across both services on one Postgres: service-auth's reconciliation applies a
// renewal whose Stripe webhook was lost, and cloud-api records the new period from the
// subscription.updated it emits; an event an operator discarded stays unapplied, also by
// cloud-api's own reconciliation.
import { connectPostgres } from "@atlas/db";
import { workerDatabaseUrl } from "@atlas/db/testing";
import { createLogger } from "@atlas/service-kit";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { reconcileBilling } from "../service-auth/src/services/billing/reconcile.ts";
import { billingHeaders, customerWithCard, startBillingApp } from "../service-auth/test/billing-fixtures.ts";
import type { FakeStripe } from "../service-auth/test/fakes/stripe.ts";
import { loginTestUser } from "../service-auth/test/fixtures.ts";
import { INTROSPECTION_SECRET, type TestApp } from "../service-auth/test/harness.ts";
import { loadCloudConfig } from "../service-cloud-api/src/config.ts";
import { buildDeps, type Deps as CloudDeps, closeDeps } from "../service-cloud-api/src/deps.ts";
import { cloudConsumer } from "../service-cloud-api/src/services/consumer.ts";
import { paymentHandlers } from "../service-cloud-api/src/services/invoicing/payments.ts";
import { reconcile as reconcileCloud } from "../service-cloud-api/src/services/reconcile.ts";

let auth: TestApp;
let stripe: FakeStripe;
let cloudDeps: CloudDeps;

beforeAll(async () => {
  ({ t: auth, stripe } = await startBillingApp());
  const url = await workerDatabaseUrl();
  const config = loadCloudConfig({
    DATABASE_URL: url,
    AUTH_URL: "http://auth.test",
    INTROSPECTION_CLIENT_SECRET: INTROSPECTION_SECRET,
  });
  cloudDeps = {
    ...buildDeps(config, connectPostgres(url, "cloud", { max: 4 }), createLogger({ name: "c", level: "silent" })),
    now: () => auth.clock.now,
  };
});
beforeEach(async () => {
  await auth.reset();
  stripe.reset();
});
afterAll(async () => {
  if (cloudDeps) await closeDeps(cloudDeps);
  await auth.close();
  await stripe.stop();
});

const cloudConsume = () => cloudConsumer(cloudDeps, paymentHandlers(cloudDeps), { listen: false })?.drain();
const entitlementOf = async (userId: string) =>
  (
    await cloudDeps.database.query<{ status: string; planId: string; currentPeriodEnd: Date | null }>(
      `SELECT "status", "planId", "currentPeriodEnd" FROM "cloud"."cloud_entitlements" WHERE "userId" = $1`,
      [userId],
    )
  )[0];

async function subscribed() {
  const who = await customerWithCard(auth, stripe);
  const res = await auth.app.request("/billing/subscriptions", {
    method: "POST",
    headers: billingHeaders(who.auth),
    body: JSON.stringify({ planId: "pro" }),
  });
  expect(res.status).toBeLessThan(300);
  const sub = await auth.deps.prisma.subscription.findFirstOrThrow({ where: { billingProfileId: who.profile.id } });
  return { ...who, sub };
}

describe("repairs that cross the outbox", () => {
  it("a renewal whose webhook was lost: service-auth's reconciliation applies it and cloud-api records the new period", async () => {
    const { user, sub } = await subscribed();
    await cloudConsume();
    expect(await entitlementOf(user.id)).toMatchObject({ planId: "pro", currentPeriodEnd: sub.currentPeriodEnd });

    // Stripe renews at the period's end; customer.subscription.updated never reaches Atlas.
    const atStripe = stripe.subscriptions.get(sub.stripeSubscriptionId as string) as {
      items: { data: { current_period_start: number; current_period_end: number }[] };
    };
    const item = atStripe.items.data[0] as { current_period_start: number; current_period_end: number };
    const oldEnd = item.current_period_end;
    const newEnd = new Date((oldEnd + 28 * 86_400) * 1000);
    Object.assign(item, { current_period_start: oldEnd, current_period_end: oldEnd + 28 * 86_400 });
    auth.clock.now = new Date((oldEnd + 600) * 1000);
    await cloudConsume();
    // cloud-api alone cannot know: its entitlement still ends at the old period.
    expect((await entitlementOf(user.id))?.currentPeriodEnd).toEqual(sub.currentPeriodEnd);

    const report = await reconcileBilling(auth.deps);
    expect(report.summary).toEqual({ missed_renewal: { found: 1, repaired: 1 } });
    await cloudConsume();
    expect(await entitlementOf(user.id)).toMatchObject({ status: "active", planId: "pro", currentPeriodEnd: newEnd });
    const periods = await cloudDeps.database.query<{ periodStart: Date; periodEnd: Date }>(
      `SELECT "periodStart", "periodEnd" FROM "cloud"."cloud_billing_periods" WHERE "userId" = $1 ORDER BY "periodStart"`,
      [user.id],
    );
    expect(periods.at(-1)).toEqual({ periodStart: new Date(oldEnd * 1000), periodEnd: newEnd });
    // Both sides agree now: neither reconciliation finds the subscription out of line.
    expect((await reconcileBilling(auth.deps)).findings).toEqual([]);
    const cloudReport = await reconcileCloud(cloudDeps.database, auth.clock.now, { repair: false });
    expect(cloudReport.findings.filter((f) => f.kind === "subscription_state")).toEqual([]);
  });

  it("an event an operator discarded is not re-applied by cloud-api's reconciliation", async () => {
    const { user, sub } = await subscribed();
    // cloud-api failed on the plan's subscription.updated until it parked; an operator discards it.
    const event = await auth.deps.prisma.billingEvent.findFirstOrThrow({
      where: { eventType: "subscription.updated", aggregateKey: `subscription:${sub.id}` },
      orderBy: { seq: "desc" },
    });
    await auth.deps.prisma.billingEvent.update({
      where: { id: event.id },
      data: { parkedAt: auth.clock.now, attempts: 10, lastError: "handler failed" },
    });
    const admin = await loginTestUser(auth, { roles: ["admin"] });
    const res = await auth.app.request(`/admin/billing/outbox/${event.id}/discard`, {
      method: "POST",
      headers: { ...admin.auth, "content-type": "application/json" },
      body: JSON.stringify({ reason: "replaced by a manual entitlement" }),
    });
    expect(res.status).toBe(200);
    await cloudConsume();
    expect((await entitlementOf(user.id))?.planId).not.toBe("pro");

    const report = await reconcileCloud(cloudDeps.database, auth.clock.now);
    const finding = report.findings.find((f) => f.kind === "subscription_state");
    expect(finding).toMatchObject({
      repaired: false,
      details: { reason: "its newest event was discarded by an operator" },
    });
    expect((await entitlementOf(user.id))?.planId).not.toBe("pro");
  });
});
