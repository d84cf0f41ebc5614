// BOLA: another customer's invoices and usage are never visible, on any route.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cloudConsumer } from "../src/services/consumer.ts";
import { finalizeInvoice } from "../src/services/invoicing/finalize-invoice.ts";
import { paymentHandlers } from "../src/services/invoicing/payments.ts";
import { emitEvent, subscriptionUpdated } from "./events.ts";
import { bodyOf, type CloudTestApp, createCloudTestApp } from "./harness.ts";

let t: CloudTestApp;
let invoiceId: string;
beforeAll(async () => {
  t = await createCloudTestApp();
});
beforeEach(async () => {
  await t.reset();
  await emitEvent(t.deps.database, "subscription.updated", subscriptionUpdated("alice", { collection: "invoice" }), {
    at: new Date(t.clock.now.getTime() - 60_000),
  });
  await cloudConsumer(t.deps, {}, { listen: false })?.drain();
  const [period] = await t.deps.database.query<{ id: string }>(`SELECT "id" FROM "cloud"."cloud_billing_periods"`);
  ({ invoiceId } = await finalizeInvoice(t.deps.database, period?.id as string, new Date("2026-04-02T00:00:00Z")));
  await t.app.request("/v1/me", { headers: await t.as("alice") });
  await t.deps.meter.flush();
});
afterAll(async () => {
  await t.close();
});

const get = async (path: string, sub: string, tid?: string) =>
  t.app.request(path, { headers: await t.as(sub, { tid }) });

describe("invoices and usage: no broken object level authorization", () => {
  it("GET /v1/invoices/:id of another user (or tenant) answers 404 like a missing id", async () => {
    expect((await get(`/v1/invoices/${invoiceId}`, "alice")).status).toBe(200);
    for (const res of [
      await get(`/v1/invoices/${invoiceId}`, "mallory"),
      await get(`/v1/invoices/${invoiceId}`, "alice", "tenant_b"),
    ]) {
      expect(res.status).toBe(404);
      expect(await bodyOf(res)).toMatchObject({ code: "NOT_FOUND", detail: "No such invoice" });
    }
    expect(await bodyOf(await get("/v1/invoices/no-such-id", "mallory"))).toMatchObject({
      code: "NOT_FOUND",
      detail: "No such invoice",
    });
  });

  it("GET /v1/invoices/:id/pdf of another user answers 404", async () => {
    expect((await get(`/v1/invoices/${invoiceId}/pdf`, "alice")).status).toBe(200);
    expect((await get(`/v1/invoices/${invoiceId}/pdf`, "mallory")).status).toBe(404);
    expect((await get(`/v1/invoices/${invoiceId}/pdf`, "alice", "tenant_b")).status).toBe(404);
  });

  it("GET /v1/invoices lists only the caller's invoices, also through a forged cursor", async () => {
    expect((await bodyOf(await get("/v1/invoices", "alice"))).items).toHaveLength(1);
    expect(await bodyOf(await get("/v1/invoices", "mallory"))).toEqual({ items: [], nextCursor: null });
    const cursor = Buffer.from(`9999-01-01T00:00:00.000Z|zzzz`).toString("base64url");
    expect((await bodyOf(await get(`/v1/invoices?cursor=${cursor}`, "mallory"))).items).toEqual([]);
  });

  it("GET /v1/usage and /v1/entitlements show only the caller's own", async () => {
    const q = "/v1/usage?from=2026-03-10T00:00:00Z&to=2026-03-11T00:00:00Z&granularity=day";
    const mine = await bodyOf(await get(q, "alice"));
    expect(mine.series[0].points[0].value).toBe(1);
    const theirs = await bodyOf(await get(q, "mallory"));
    expect(theirs.series[0].points[0].value).toBe(0);
    expect(await bodyOf(await get("/v1/entitlements", "mallory"))).toMatchObject({
      planId: "free",
      usage: { requests: 0 },
    });
    expect(await bodyOf(await get("/v1/entitlements", "alice"))).toMatchObject({ planId: "pro" });
  });

  it("invoices need billing:read (a PAT with other scopes gets 403)", async () => {
    const pat = t.issuer.addPat({ sub: "alice", tid: "tenant_a", scope: "objects:read usage:read" });
    for (const path of [
      "/v1/invoices",
      `/v1/invoices/${invoiceId}`,
      `/v1/invoices/${invoiceId}/pdf`,
      "/v1/entitlements",
    ]) {
      const res = await t.app.request(path, { headers: { authorization: `Bearer ${pat}` } });
      expect(res.status, path).toBe(403);
    }
  });

  it("ids and prefixes with control characters are a 400, never a database error (found by test/fuzz-cloud.test.ts)", async () => {
    const forged = (text: string) => Buffer.from(text).toString("base64url");
    for (const path of [
      "/v1/invoices/%00",
      "/v1/invoices/a%00b/pdf",
      "/v1/objects?prefix=%00",
      // Forged cursors: invalid base64url characters skipped by a lenient decoder left a NUL.
      "/v1/objects?cursor=AAas%21Z90-%3A",
      `/v1/objects?cursor=${forged("\u0000a")}`,
      `/v1/invoices?cursor=${forged("2026-01-01T00:00:00.000Z|\u0000")}`,
      `/v1/credit-notes?cursor=${forged("2026-01-01T00:00:00.000Z|\u0000")}`,
      "/v1/credit-notes/a%00b",
      "/v1/invoices?cursor=%FF%FE",
    ]) {
      const res = await get(path, "alice");
      expect(res.status, path).toBe(400);
      expect((await bodyOf(res)).code).toBe("VALIDATION_FAILED");
    }
  });
});

describe("credit notes: no broken object level authorization", () => {
  /** Alice's invoice is paid, then partly refunded: she has one credit note. */
  async function aliceCreditNote() {
    const base = { tenantId: "tenant_a", userId: "alice", invoiceId, currency: "usd" };
    const at = new Date(t.clock.now.getTime() + 1_000);
    const aggregateKey = `invoice:${invoiceId}`;
    await emitEvent(
      t.deps.database,
      "payment.succeeded",
      { ...base, amountMinor: 1_000, provider: "stripe", reference: "pi_1" },
      { at, aggregateKey },
    );
    await emitEvent(
      t.deps.database,
      "payment.refunded",
      { ...base, amountMinor: 400, reason: null, reference: "re_1" },
      { at: new Date(at.getTime() + 1_000), aggregateKey },
    );
    t.clock.now = new Date(at.getTime() + 2_000);
    for (let i = 0; i < 2; i++) await cloudConsumer(t.deps, paymentHandlers(t.deps), { listen: false })?.drain();
    const list = await bodyOf(await get("/v1/credit-notes", "alice"));
    expect(list.items).toHaveLength(1);
    return list.items[0].id as string;
  }

  it("GET /v1/credit-notes/:id and /pdf of another user (or tenant) answer 404 like a missing id", async () => {
    const id = await aliceCreditNote();
    expect((await get(`/v1/credit-notes/${id}`, "alice")).status).toBe(200);
    expect((await get(`/v1/credit-notes/${id}/pdf`, "alice")).status).toBe(200);
    for (const [sub, tid] of [
      ["mallory", undefined],
      ["alice", "tenant_b"],
    ] as const) {
      for (const path of [`/v1/credit-notes/${id}`, `/v1/credit-notes/${id}/pdf`]) {
        const res = await get(path, sub, tid);
        expect(res.status, path).toBe(404);
        expect(await bodyOf(res)).toMatchObject({ code: "NOT_FOUND", detail: "No such credit note" });
      }
    }
    // Another customer's refund shows nowhere in their own invoice view either.
    expect((await get(`/v1/invoices/${invoiceId}`, "mallory")).status).toBe(404);
  });

  it("GET /v1/credit-notes lists only the caller's, also through a forged cursor; needs billing:read", async () => {
    const id = await aliceCreditNote();
    expect(await bodyOf(await get("/v1/credit-notes", "mallory"))).toEqual({ items: [], nextCursor: null });
    expect(await bodyOf(await get("/v1/credit-notes", "alice", "tenant_b"))).toEqual({ items: [], nextCursor: null });
    const cursor = Buffer.from("9999-01-01T00:00:00.000Z|zzzz").toString("base64url");
    expect((await bodyOf(await get(`/v1/credit-notes?cursor=${cursor}`, "mallory"))).items).toEqual([]);
    const pat = t.issuer.addPat({ sub: "alice", tid: "tenant_a", scope: "objects:read usage:read" });
    for (const path of ["/v1/credit-notes", `/v1/credit-notes/${id}`, `/v1/credit-notes/${id}/pdf`]) {
      const res = await t.app.request(path, { headers: { authorization: `Bearer ${pat}` } });
      expect(res.status, path).toBe(403);
    }
  });
});
