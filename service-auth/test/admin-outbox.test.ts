// Parked billing outbox events through the admin routes: who may see and touch them, retry puts an
// event back in front of a real OutboxConsumer, discard takes it out for good; each action audited.
import { OutboxConsumer, listParkedEvents as outboxParked } from "@atlas/outbox";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { invoiceFinalizedHandler } from "../src/services/billing/invoices/charge-invoice.ts";
import { billingConsumer } from "../src/services/billing/jobs.ts";
import { customerWithCard, emitInvoiceFinalized, idemKey, startBillingApp } from "./billing-fixtures.ts";
import type { FakeStripe } from "./fakes/stripe.ts";
import { jsonPost, loginTestUser } from "./fixtures.ts";
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

const pool = () => t.deps.database.pool as NonNullable<TestApp["deps"]["database"]["pool"]>;
const consume = () => (billingConsumer(t.deps, { listen: false }) as OutboxConsumer).drain();

/**
 * An invoice whose charge step threw (a bug: Stripe's refusals and outages are recorded on the
 * charge instead) and was parked by a real consumer (one attempt allowed), as production parks
 * it after its attempts run out.
 */
async function parkedInvoice() {
  const who = await customerWithCard(t, stripe);
  const invoiceId = await emitInvoiceFinalized(t, { tenantId: who.tenant.id, userId: who.user.id, totalMinor: 1_500 });
  const gateway = t.deps.stripe as NonNullable<TestApp["deps"]["stripe"]>;
  const createPaymentIntent = gateway.createPaymentIntent;
  gateway.createPaymentIntent = async () => {
    throw new Error("simulated bug in the charge step");
  };
  const strict = new OutboxConsumer({
    pool: pool(),
    handlers: { "invoice.finalized": invoiceFinalizedHandler(t.deps) },
    now: t.deps.now,
    listen: false,
    maxAttempts: 1,
  });
  expect(await strict.drain()).toMatchObject({ parked: 1 });
  gateway.createPaymentIntent = createPaymentIntent;
  const event = await t.deps.prisma.billingEvent.findFirstOrThrow({
    where: { eventType: "invoice.finalized", aggregateKey: `invoice:${invoiceId}` },
  });
  expect(event.parkedAt).not.toBeNull();
  return { ...who, invoiceId, eventId: event.id };
}

const platformAdmin = () => loginTestUser(t, { roles: ["admin"] });
const post = (path: string, auth: Record<string, string>, body?: unknown, key?: string) =>
  t.app.request(path, {
    method: "POST",
    headers: {
      ...auth,
      ...(body !== undefined && { "content-type": "application/json" }),
      ...(key && { "idempotency-key": key }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });

describe("who may handle parked outbox events", () => {
  it("platform admins only: 401 anonymous, 403 for users, other tenants' admins and PATs", async () => {
    const { eventId } = await parkedInvoice();
    await t.deps.prisma.tenant.create({
      data: { name: "Acme", slug: "acme", allowedOrigins: [], allowedMethods: ["email"], jwtAudience: "acme-api" },
    });
    const user = await loginTestUser(t);
    const acmeAdmin = await loginTestUser(t, { roles: ["admin"], tenantSlug: "acme" });
    const admin = await platformAdmin();
    // A platform admin's own PAT: PATs carry no roles, so it never reaches the admin routes.
    const pat = (await (
      await t.app.request("/auth/pats", jsonPost({ name: "ops", scopes: ["billing:read"] }, admin.auth))
    ).json()) as { token: string };
    const attempts: [string, RequestInit][] = [
      ["/admin/billing/outbox/parked", {}],
      [`/admin/billing/outbox/${eventId}/retry`, { method: "POST" }],
      [`/admin/billing/outbox/${eventId}/discard`, jsonPost({ reason: "not mine to drop" })],
    ];
    for (const [path, init] of attempts) {
      expect((await t.app.request(path, init)).status, path).toBe(401);
      for (const headers of [user.auth, { ...acmeAdmin.auth, "x-tenant": "acme" }]) {
        const res = await t.app.request(path, { ...init, headers: { ...(init.headers as object), ...headers } });
        expect(res.status, path).toBe(403);
        expect(await res.json()).toMatchObject({ code: "FORBIDDEN" });
      }
      const viaPat = await t.app.request(path, {
        ...init,
        headers: { ...(init.headers as object), authorization: `Bearer ${pat.token}` },
      });
      expect(viaPat.status, path).toBe(401);
    }
    const event = await t.deps.prisma.billingEvent.findUniqueOrThrow({ where: { id: eventId } });
    expect(event).toMatchObject({ processed: false, discardedAt: null });
    expect(event.parkedAt).not.toBeNull();
    expect(await t.deps.prisma.authAuditLog.count({ where: { eventType: { startsWith: "outbox_event" } } })).toBe(0);
  });
});

describe("parked outbox events", () => {
  it("lists parked events with their payload, newest parked first, paged by cursor", async () => {
    const first = await parkedInvoice();
    t.clock.now = new Date(t.clock.now.getTime() + 60_000);
    const second = await parkedInvoice();
    const admin = await platformAdmin();
    const page1 = await t.app.request("/admin/billing/outbox/parked?limit=1", { headers: admin.auth });
    expect(page1.status).toBe(200);
    const body1 = (await page1.json()) as { items: Record<string, unknown>[]; nextCursor: string | null };
    expect(body1.items).toEqual([
      {
        id: second.eventId,
        eventType: "invoice.finalized",
        sourceService: "service-cloud-api",
        aggregateKey: `invoice:${second.invoiceId}`,
        attempts: 1,
        lastError: expect.stringContaining("simulated bug in the charge step"),
        parkedAt: t.clock.now.toISOString(),
        createdAt: t.clock.now.toISOString(),
        payload: expect.objectContaining({ invoiceId: second.invoiceId, totalMinor: 1_500 }),
      },
    ]);
    const page2 = (await (
      await t.app.request(`/admin/billing/outbox/parked?limit=1&cursor=${body1.nextCursor}`, { headers: admin.auth })
    ).json()) as { items: { id: string }[]; nextCursor: string | null };
    expect(page2).toEqual({ items: [expect.objectContaining({ id: first.eventId })], nextCursor: null });
    const bad = await t.app.request("/admin/billing/outbox/parked?cursor=%%%", { headers: admin.auth });
    expect(bad.status).toBe(400);
  });

  it("retry puts the event back in the queue: a real consumer charges the invoice; audited; 404 once no longer parked", async () => {
    const { invoiceId, eventId, user } = await parkedInvoice();
    // Parked: the consumer leaves it alone, whatever the time.
    t.clock.now = new Date(t.clock.now.getTime() + 86_400_000);
    expect(await consume()).toMatchObject({ claimed: 0 });
    const admin = await platformAdmin();
    const key = idemKey();
    const res = await post(`/admin/billing/outbox/${eventId}/retry`, admin.auth, { reason: "Stripe is back" }, key);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: eventId, eventType: "invoice.finalized", attempts: 1 });
    expect(await t.deps.prisma.billingEvent.findUniqueOrThrow({ where: { id: eventId } })).toMatchObject({
      parkedAt: null,
      attempts: 0,
      availableAt: t.clock.now,
      processed: false,
    });
    // The same request again (a network retry with its key): the stored answer, no second action.
    const replay = await post(`/admin/billing/outbox/${eventId}/retry`, admin.auth, { reason: "Stripe is back" }, key);
    expect(replay.status).toBe(200);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");

    expect(await consume()).toMatchObject({ processed: 1 });
    expect(await t.deps.prisma.charge.findUniqueOrThrow({ where: { invoiceId } })).toMatchObject({
      status: "succeeded",
      userId: user.id,
    });
    expect(stripe.paymentIntents.size).toBe(1);

    const audit = await t.deps.prisma.authAuditLog.findMany({ where: { eventType: "outbox_event_retried" } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      userId: admin.user.id,
      details: { eventId, outboxEventType: "invoice.finalized", reason: "Stripe is back", attempts: 1 },
    });
    // Processed now: nothing to retry or discard.
    expect((await post(`/admin/billing/outbox/${eventId}/retry`, admin.auth)).status).toBe(404);
    const gone = await post(`/admin/billing/outbox/${eventId}/discard`, admin.auth, { reason: "too late" });
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({ code: "NOT_FOUND" });
    expect((await post("/admin/billing/outbox/no-such-event/retry", admin.auth)).status).toBe(404);
  });

  it("discard needs a reason, keeps the row as processed + discarded, and no consumer ever applies it; audited", async () => {
    const { invoiceId, eventId } = await parkedInvoice();
    const admin = await platformAdmin();
    const missing = await post(`/admin/billing/outbox/${eventId}/discard`, admin.auth, {});
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ code: "VALIDATION_FAILED" });
    expect((await post(`/admin/billing/outbox/${eventId}/discard`, admin.auth, { reason: "  " })).status).toBe(400);

    const res = await post(`/admin/billing/outbox/${eventId}/discard`, admin.auth, {
      reason: "invoice voided by hand, see ticket 42",
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      id: eventId,
      discardedAt: t.clock.now.toISOString(),
      discardReason: "invoice voided by hand, see ticket 42",
    });
    const row = await t.deps.prisma.billingEvent.findUniqueOrThrow({ where: { id: eventId } });
    expect(row).toMatchObject({
      processed: true,
      processedAt: t.clock.now,
      discardedAt: t.clock.now,
      discardReason: "invoice voided by hand, see ticket 42",
      attempts: 1,
    });
    expect(row.parkedAt).not.toBeNull();

    // Never listed, never un-parked in bulk, never consumed, however late.
    const list = (await (await t.app.request("/admin/billing/outbox/parked", { headers: admin.auth })).json()) as {
      items: unknown[];
    };
    expect(list.items).toEqual([]);
    expect(await outboxParked(pool())).toEqual([]);
    expect((await post(`/admin/billing/outbox/${eventId}/retry`, admin.auth)).status).toBe(404);
    t.clock.now = new Date(t.clock.now.getTime() + 30 * 86_400_000);
    expect(await consume()).toMatchObject({ claimed: 0 });
    expect(await t.deps.prisma.charge.findUnique({ where: { invoiceId } })).toBeNull();

    const audit = await t.deps.prisma.authAuditLog.findMany({ where: { eventType: "outbox_event_discarded" } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      userId: admin.user.id,
      details: {
        eventId,
        outboxEventType: "invoice.finalized",
        aggregateKey: `invoice:${invoiceId}`,
        reason: "invoice voided by hand, see ticket 42",
      },
    });
  });
});
