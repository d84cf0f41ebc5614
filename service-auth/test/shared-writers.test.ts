// The audit log and the Stripe webhook ledger each have one writer, used from Prisma
// transactions and from the raw-SQL transactions of the hot paths alike. Whichever side the
// caller is on, the row is the same, and it commits or rolls back with the caller's change.
import type Stripe from "stripe";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type AuditEvent, recordAudit } from "../src/services/audit/audit.service.ts";
import { recordWebhookEvent } from "../src/services/billing/stripe/webhook-ledger.ts";
import { createTestApp, FIXED_NOW, type TestApp } from "./harness.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
beforeEach(() => t.reset());
afterAll(() => t.close());

const rollback = new Error("roll back");
const rolledBack = async (work: Promise<unknown>) => expect(work).rejects.toBe(rollback);

describe("recordAudit", () => {
  const event = (label: string): AuditEvent => ({
    eventType: "login_failure",
    tenantId: null,
    userId: null,
    context: {
      ipAddress: "203.0.113.9",
      userAgent: "vitest",
      deviceHash: "dev",
      riskScore: 0.25,
      geo: { country: "GB", city: "London", latitude: 51.5, longitude: -0.1 },
    },
    details: { label, nested: { list: [1, "two", null], flag: true } },
  });

  it("writes the same row through Prisma, a Prisma transaction, the pool and a pg transaction", async () => {
    await recordAudit(t.deps.prisma, event("prisma"), FIXED_NOW);
    await t.deps.prisma.$transaction((tx) => recordAudit(tx, event("prisma-tx"), FIXED_NOW));
    await recordAudit(t.deps.database, event("pool"), FIXED_NOW);
    await t.deps.database.transaction((q) => recordAudit(q, event("pg-tx"), FIXED_NOW));
    const rows = await t.deps.prisma.authAuditLog.findMany({ orderBy: { id: "asc" } });
    expect(rows).toHaveLength(4);
    const shapes = rows.map(({ id, details, ...rest }) => ({
      ...rest,
      details: { ...(details as object), label: "" },
    }));
    for (const shape of shapes) expect(shape).toEqual(shapes[0]);
    expect(rows[0]).toMatchObject({
      eventType: "login_failure",
      ipAddress: "203.0.113.9",
      riskScore: 0.25,
      geoLocation: "GB, London",
      createdAt: FIXED_NOW,
    });
    expect(rows.map((r) => (r.details as { label: string }).label).sort()).toEqual([
      "pg-tx",
      "pool",
      "prisma",
      "prisma-tx",
    ]);
  });

  it("commits and rolls back with the caller's transaction, on either side", async () => {
    await rolledBack(
      t.deps.prisma.$transaction(async (tx) => {
        await recordAudit(tx, event("prisma-tx"), FIXED_NOW);
        throw rollback;
      }),
    );
    await rolledBack(
      t.deps.database.transaction(async (q) => {
        await recordAudit(q, event("pg-tx"), FIXED_NOW);
        throw rollback;
      }),
    );
    expect(await t.deps.prisma.authAuditLog.count()).toBe(0);
  });
});

describe("recordWebhookEvent", () => {
  const stripeEvent = (id: string) =>
    ({ id, type: "payment_intent.succeeded", created: 1_767_000_000 }) as Stripe.Event;

  it("records an event once, whichever kind of transaction sees it first", async () => {
    expect(await t.deps.prisma.$transaction((tx) => recordWebhookEvent(tx, stripeEvent("evt_1"), FIXED_NOW))).toBe(
      true,
    );
    expect(await t.deps.database.transaction((q) => recordWebhookEvent(q, stripeEvent("evt_1"), FIXED_NOW))).toBe(
      false,
    );
    expect(await t.deps.database.transaction((q) => recordWebhookEvent(q, stripeEvent("evt_2"), FIXED_NOW))).toBe(true);
    expect(await t.deps.prisma.$transaction((tx) => recordWebhookEvent(tx, stripeEvent("evt_2"), FIXED_NOW))).toBe(
      false,
    );
    const rows = await t.deps.prisma.processedWebhookEvent.findMany({ orderBy: { eventId: "asc" } });
    expect(rows).toMatchObject([
      { provider: "stripe", eventId: "evt_1", eventType: "payment_intent.succeeded", processedAt: FIXED_NOW },
      { provider: "stripe", eventId: "evt_2", eventCreatedAt: new Date(1_767_000_000_000) },
    ]);
  });

  it("a rolled-back effect leaves no ledger row: the next delivery applies it", async () => {
    await rolledBack(
      t.deps.database.transaction(async (q) => {
        await recordWebhookEvent(q, stripeEvent("evt_3"), FIXED_NOW);
        throw rollback;
      }),
    );
    expect(await t.deps.prisma.$transaction((tx) => recordWebhookEvent(tx, stripeEvent("evt_3"), FIXED_NOW))).toBe(
      true,
    );
  });
});
