import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { billingHeaders, deliverWebhook, startBillingApp } from "./billing-fixtures.ts";
import type { FakeStripe } from "./fakes/stripe.ts";
import { loginTestUser } from "./fixtures.ts";
import type { TestApp } from "./harness.ts";

let t: TestApp;
let stripe: FakeStripe;

beforeAll(async () => {
  ({ t, stripe } = await startBillingApp());
});
beforeEach(async () => {
  await t.reset();
  stripe.reset();
});
afterAll(async () => {
  await t.close();
  await stripe.stop();
});

const post = (path: string, auth: Record<string, string>) =>
  t.app.request(path, { method: "POST", headers: billingHeaders(auth) });

describe("Stripe Connect", () => {
  it("only tenant admins manage the tenant's connected account", async () => {
    const { auth } = await loginTestUser(t);
    expect((await post("/billing/connect/account", auth)).status).toBe(403);
    expect((await post("/billing/connect/onboarding-link", auth)).status).toBe(403);
    expect((await t.app.request("/billing/connect/account", { headers: auth })).status).toBe(403);
    expect(stripe.accounts.size).toBe(0);
  });

  it("creates one account per tenant, hands out onboarding links, and mirrors its status from account.updated", async () => {
    const admin = await loginTestUser(t, { roles: ["admin"] });
    expect((await t.app.request("/billing/connect/account", { headers: admin.auth })).status).toBe(404);
    expect((await post("/billing/connect/onboarding-link", admin.auth)).status).toBe(404);
    const answers = await Promise.all(Array.from({ length: 5 }, () => post("/billing/connect/account", admin.auth)));
    expect(answers.map((r) => r.status).filter((s) => s === 201)).toHaveLength(1);
    const ids = new Set(
      await Promise.all(answers.map(async (r) => ((await r.json()) as { stripeAccountId: string }).stripeAccountId)),
    );
    expect(ids.size).toBe(1);
    expect(stripe.accounts.size).toBe(1);
    const [accountId] = [...ids] as [string];
    expect(stripe.accounts.get(accountId)).toMatchObject({
      type: "express",
      metadata: { atlasTenantId: admin.tenant.id },
    });
    const link = await post("/billing/connect/onboarding-link", admin.auth);
    expect(await link.json()).toMatchObject({ url: `https://connect.stripe.test/setup/${accountId}` });
    const before = await t.app.request("/billing/connect/account", { headers: admin.auth });
    expect(await before.json()).toMatchObject({ stripeAccountId: accountId, chargesEnabled: false });
    // The tenant finishes onboarding at Stripe; an older, stale account.updated arrives late.
    const stale = stripe.event(
      "account.updated",
      { ...(stripe.accounts.get(accountId) as object) },
      stripe.nowSec - 60,
    );
    const done = stripe.completeOnboarding(accountId);
    expect(await (await deliverWebhook(t, stripe.event("account.updated", done))).json()).toMatchObject({
      outcome: "applied",
    });
    await deliverWebhook(t, stale);
    const after = await t.app.request("/billing/connect/account", { headers: admin.auth });
    expect(await after.json()).toEqual({
      stripeAccountId: accountId,
      chargesEnabled: true,
      payoutsEnabled: true,
      detailsSubmitted: true,
      applicationFeeBps: 0,
    });
    const audit = await t.deps.prisma.authAuditLog.findMany({ where: { eventType: "connect_account_created" } });
    expect(audit).toHaveLength(1);
  });
});

describe("preferred payment provider", () => {
  it("switches between card and crypto; crypto needs a configured recipient", async () => {
    const { auth } = await loginTestUser(t);
    const patch = (body: unknown) =>
      t.app.request("/billing/profile", { method: "PATCH", headers: billingHeaders(auth), body: JSON.stringify(body) });
    // No billing profile yet: made on first use.
    expect((await patch({ preferredProvider: "stripe" })).status).toBe(200);
    expect((await patch({ preferredProvider: "crypto" })).status).toBe(409);
    expect((await patch({ preferredProvider: "paypal" })).status).toBe(400);
    expect(await (await patch({ preferredProvider: "stripe" })).json()).toMatchObject({ preferredProvider: "stripe" });
  });
});
