// The business metrics of service-auth, read the way Prometheus reads them: each test causes the
// fact (a charge, a login, a backlog, a Redis outage) and scrapes /metrics.
import { freePort } from "@atlas/db";
import { scrapeMetric } from "@atlas/service-kit/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { OutboxRecord } from "../src/providers/email.ts";
import { billingConsumer } from "../src/services/billing/jobs.ts";
import { totpBytesFromBase32, totpCode } from "../src/services/mfa/totp.ts";
import { customerWithCard, emitInvoiceFinalized, startBillingApp } from "./billing-fixtures.ts";
import type { FakeStripe } from "./fakes/stripe.ts";
import { jsonPost } from "./fixtures.ts";
import { createTestApp, type TestApp } from "./harness.ts";

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

const metric = (name: string, labels: Record<string, string> = {}) => scrapeMetric(t.app, name, labels);
const consume = () =>
  (billingConsumer(t.deps, { listen: false }) as NonNullable<ReturnType<typeof billingConsumer>>).drain();

describe("business metrics on /metrics", () => {
  it("counts charges by status: succeeded, then failed on a declined card", async () => {
    const succeeded = { provider: "stripe", status: "succeeded" };
    const failed = { provider: "stripe", status: "failed" };
    const before = {
      succeeded: await metric("billing_charge_outcomes_total", succeeded),
      failed: await metric("billing_charge_outcomes_total", failed),
    };

    const paying = await customerWithCard(t, stripe);
    await emitInvoiceFinalized(t, { tenantId: paying.tenant.id, userId: paying.user.id, totalMinor: 1_000 });
    expect(await consume()).toMatchObject({ processed: 1 });
    expect(await metric("billing_charge_outcomes_total", succeeded)).toBe(before.succeeded + 1);

    const declined = await customerWithCard(t, stripe);
    (stripe.cards.get(declined.pm) as { decline: string | null }).decline = "card_declined";
    await emitInvoiceFinalized(t, { tenantId: declined.tenant.id, userId: declined.user.id, totalMinor: 1_000 });
    expect(await consume()).toMatchObject({ processed: 1 });
    expect(await metric("billing_charge_outcomes_total", failed)).toBe(before.failed + 1);
    expect(await metric("billing_charge_outcomes_total", succeeded)).toBe(before.succeeded + 1);
  });

  it("reads the outbox lag (oldest due event) and parked events of service-auth's event types on scrape", async () => {
    const labels = { consumer: "service-auth", event_type: "invoice.finalized" };
    expect(await metric("outbox_lag_seconds", labels)).toBe(0);
    const who = await customerWithCard(t, stripe);
    const first = await emitInvoiceFinalized(t, { tenantId: who.tenant.id, userId: who.user.id, totalMinor: 500 });
    t.clock.now = new Date(t.clock.now.getTime() + 90_000);
    await emitInvoiceFinalized(t, { tenantId: who.tenant.id, userId: who.user.id, totalMinor: 700 });
    // The oldest due event has waited 90 s; nothing is parked.
    expect(await metric("outbox_lag_seconds", labels)).toBe(90);
    expect(await metric("outbox_parked_events", labels)).toBe(0);
    // Not yet due events do not count as lag.
    await t.deps.prisma.billingEvent.updateMany({
      where: { eventType: "invoice.finalized" },
      data: { availableAt: new Date(t.clock.now.getTime() + 60_000) },
    });
    expect(await metric("outbox_lag_seconds", labels)).toBe(0);
    // A parked event is counted (and no longer lags).
    await t.deps.prisma.billingEvent.updateMany({
      where: { eventType: "invoice.finalized", aggregateKey: `invoice:${first}` },
      data: { parkedAt: t.clock.now, lastError: "test" },
    });
    expect(await metric("outbox_parked_events", labels)).toBe(1);
    // Events of cloud-api's types are cloud-api's to report.
    expect(await metric("outbox_lag_seconds", { consumer: "service-auth", event_type: "payment.succeeded" })).toBe(0);
  });

  it("counts login outcomes by method: a magic link that signs in, and one that does not", async () => {
    const success = { method: "email", outcome: "success" };
    const failure = { method: "email", outcome: "failure" };
    const before = {
      success: await metric("auth_login_outcomes_total", success),
      failure: await metric("auth_login_outcomes_total", failure),
    };
    expect((await t.app.request("/auth/email/start", jsonPost({ email: "m@example.test" }))).status).toBe(202);
    const outbox = (await (await t.app.request("/dev/outbox")).json()) as { items: OutboxRecord[] };
    const token = outbox.items[0]?.token ?? "";
    expect((await t.app.request("/auth/email/verify", jsonPost({ token }))).status).toBe(200);
    expect((await t.app.request("/auth/email/verify", jsonPost({ token }))).status).toBe(401);
    expect(await metric("auth_login_outcomes_total", success)).toBe(before.success + 1);
    expect(await metric("auth_login_outcomes_total", failure)).toBe(before.failure + 1);
  });

  it("counts a login finished by its second factor under mfa: mfa_required, then failure, then success", async () => {
    const labels = (method: string, outcome: string) => ({ method, outcome });
    const read = async () => ({
      required: await metric("auth_login_outcomes_total", labels("email", "mfa_required")),
      failure: await metric("auth_login_outcomes_total", labels("mfa", "failure")),
      success: await metric("auth_login_outcomes_total", labels("mfa", "success")),
    });
    const email = "mfa-metrics@example.test";
    const login = async () => {
      await t.app.request("/auth/email/start", jsonPost({ email }));
      const outbox = (await (await t.app.request("/dev/outbox")).json()) as { items: OutboxRecord[] };
      const token = outbox.items.find((i) => i.to === email && i.token)?.token ?? ""; // newest first
      return t.app.request("/auth/email/verify", jsonPost({ token }));
    };
    const first = (await (await login()).json()) as { accessToken: string };
    const auth = { authorization: `Bearer ${first.accessToken}` };
    const { secret } = (await (
      await t.app.request("/auth/mfa/totp/setup", { method: "POST", headers: auth })
    ).json()) as { secret: string };
    const key = totpBytesFromBase32(secret);
    const code = () => totpCode(key, t.clock.now.getTime());
    expect((await t.app.request("/auth/mfa/totp/enable", jsonPost({ code: code() }, auth))).status).toBe(200);
    t.clock.now = new Date(t.clock.now.getTime() + 31_000); // the enabling code is spent: the next window's

    const before = await read();
    const challenged = await login();
    expect(challenged.status).toBe(401);
    const { mfaToken } = (await challenged.json()) as { mfaToken: string };
    const wrong = code() === "000000" ? "111111" : "000000";
    expect((await t.app.request("/auth/mfa/verify", jsonPost({ mfaToken, code: wrong }))).status).toBe(401);
    expect((await t.app.request("/auth/mfa/verify", jsonPost({ mfaToken, code: code() }))).status).toBe(200);
    expect(await read()).toEqual({
      required: before.required + 1,
      failure: before.failure + 1,
      success: before.success + 1,
    });
  });
});

describe("rate limiting degraded to local counters", () => {
  it("shows the outage: rate_limit_degraded is 1 and hits counted locally are counted", async () => {
    // Redis configured, nothing listening: every hit falls back to this instance's memory.
    const down = await createTestApp({ env: { REDIS_URL: `redis://127.0.0.1:${await freePort()}` } });
    try {
      await down.reset();
      expect(await scrapeMetric(down.app, "rate_limit_degraded")).toBe(0);
      expect((await down.app.request("/auth/siwe/nonce")).status).toBe(200);
      expect(await scrapeMetric(down.app, "rate_limit_degraded")).toBe(1);
      // One count per limit the request is checked against, from memory.
      const perRequest = await scrapeMetric(down.app, "rate_limit_local_fallback_total");
      expect(perRequest).toBeGreaterThan(0);
      for (let i = 0; i < 2; i++) expect((await down.app.request("/auth/siwe/nonce")).status).toBe(200);
      expect(await scrapeMetric(down.app, "rate_limit_local_fallback_total")).toBe(3 * perRequest);
    } finally {
      await down.close();
    }
  });
});
