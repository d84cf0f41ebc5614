import { describe, expect, it } from "vitest";
import { BILLING_EVENT_TYPES, consumerOf, isBillingEventType, outboxRow } from "../src/index.ts";

const succeeded = {
  tenantId: "t1",
  userId: "u1",
  invoiceId: "inv_1",
  amountMinor: 2000,
  currency: "usd",
  provider: "stripe" as const,
  reference: "pi_123",
};

describe("billing event contract", () => {
  it("lists the event types of api.md", () => {
    expect(BILLING_EVENT_TYPES).toEqual(
      expect.arrayContaining([
        "customer.created",
        "subscription.updated",
        "subscription.canceled",
        "invoice.finalized",
        "payment.succeeded",
        "payment.failed",
      ]),
    );
    expect(isBillingEventType("payment.succeeded")).toBe(true);
    expect(isBillingEventType("payment.refunded")).toBe(true);
    expect(isBillingEventType("payment.teleported")).toBe(false);
  });

  it("refunds and disputes name a positive amount and their Stripe reference", () => {
    const refund = {
      tenantId: "t1",
      userId: "u1",
      invoiceId: "inv_1",
      amountMinor: 500,
      currency: "usd",
      reason: null,
      reference: "re_1",
    };
    expect(outboxRow("payment.refunded", refund, "service-auth", "k").payload).toEqual(refund);
    expect(() => outboxRow("payment.refunded", { ...refund, amountMinor: 0 }, "service-auth", "k")).toThrow();
    expect(() => outboxRow("payment.disputed", { ...refund, reference: "" }, "service-auth", "k")).toThrow();
    const { reason: _reason, ...reinstated } = refund;
    expect(outboxRow("dispute.funds_reinstated", reinstated, "service-auth", "k").payload).toEqual(reinstated);
  });

  it("builds a validated outbox row", () => {
    expect(outboxRow("payment.succeeded", succeeded, "service-auth", "payment:inv_1")).toEqual({
      eventType: "payment.succeeded",
      sourceService: "service-auth",
      payload: succeeded,
      dedupeKey: "payment:inv_1",
    });
  });

  it("rejects payloads that break the contract (unknown field, negative amount, bad currency)", () => {
    expect(() =>
      outboxRow("payment.succeeded", { ...succeeded, extra: 1 } as typeof succeeded, "service-auth", "k"),
    ).toThrow();
    expect(() => outboxRow("payment.succeeded", { ...succeeded, amountMinor: -1 }, "service-auth", "k")).toThrow();
    expect(() => outboxRow("payment.succeeded", { ...succeeded, currency: "USD" }, "service-auth", "k")).toThrow();
    expect(() => outboxRow("payment.succeeded", succeeded, "service-auth", "")).toThrow(RangeError);
  });

  it("routes each event to the other side of the saga", () => {
    expect(consumerOf("invoice.finalized")).toBe("service-auth");
    expect(consumerOf("payment.succeeded")).toBe("service-cloud-api");
    expect(consumerOf("subscription.updated")).toBe("service-cloud-api");
    expect(consumerOf("payment.refunded")).toBe("service-cloud-api");
    expect(consumerOf("payment.disputed")).toBe("service-cloud-api");
    expect(consumerOf("dispute.funds_reinstated")).toBe("service-cloud-api");
  });

  it("carries who collects the plan fee and what an invoice leaves to charge (both optional)", () => {
    const sub = {
      tenantId: "t1",
      userId: "u1",
      subscriptionId: "s1",
      planId: "pro",
      status: "active" as const,
      currentPeriodStart: "2026-01-01T00:00:00.000Z",
      currentPeriodEnd: "2026-02-01T00:00:00.000Z",
      cancelAtPeriodEnd: false,
      limits: { maxObjectBytes: 10, maxStorageBytes: 100 },
    };
    expect(outboxRow("subscription.updated", sub, "service-auth", "k").payload).toEqual(sub);
    const stripe = { ...sub, collection: "stripe_subscription" as const };
    expect(outboxRow("subscription.updated", stripe, "service-auth", "k").payload.collection).toBe(
      "stripe_subscription",
    );
    expect(() =>
      outboxRow("subscription.updated", { ...sub, collection: "cash" } as unknown as typeof sub, "service-auth", "k"),
    ).toThrow();
    const invoice = { tenantId: "t1", userId: "u1", invoiceId: "i1", number: 1, totalMinor: 2500, currency: "usd" };
    expect(outboxRow("invoice.finalized", invoice, "service-cloud-api", "k").payload.amountDueMinor).toBeUndefined();
    const due = { ...invoice, amountDueMinor: 500 };
    expect(outboxRow("invoice.finalized", due, "service-cloud-api", "k").payload.amountDueMinor).toBe(500);
    expect(() =>
      outboxRow("invoice.finalized", { ...invoice, amountDueMinor: -1 }, "service-cloud-api", "k"),
    ).toThrow();
  });

  it("invoice.finalized may carry its due date; invoice.voided goes to service-auth", () => {
    const invoice = { tenantId: "t1", userId: "u1", invoiceId: "i1", number: 1, totalMinor: 2500, currency: "usd" };
    const dueAt = "2026-04-15T00:10:00.000Z";
    expect(outboxRow("invoice.finalized", { ...invoice, dueAt }, "service-cloud-api", "k").payload.dueAt).toBe(dueAt);
    expect(() => outboxRow("invoice.finalized", { ...invoice, dueAt: "soon" }, "service-cloud-api", "k")).toThrow();
    const voided = { tenantId: "t1", userId: "u1", invoiceId: "i1" };
    expect(outboxRow("invoice.voided", voided, "service-cloud-api", "invoice.voided:i1").payload).toEqual(voided);
    expect(consumerOf("invoice.voided")).toBe("service-auth");
  });
});
