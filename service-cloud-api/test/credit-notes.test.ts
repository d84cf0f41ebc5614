import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cloudConsumer } from "../src/services/consumer.ts";
import { finalizeInvoice } from "../src/services/invoicing/finalize-invoice.ts";
import { paymentHandlers } from "../src/services/invoicing/payments.ts";
import { emitEvent, subscriptionUpdated } from "./events.ts";
import { bodyOf, type CloudTestApp, createCloudTestApp } from "./harness.ts";

let t: CloudTestApp;
beforeAll(async () => {
  t = await createCloudTestApp();
});
beforeEach(async () => {
  await t.reset();
  t.clock.now = new Date("2026-04-02T00:00:00Z");
});
afterAll(async () => {
  await t.close();
});

const AFTER_MARCH = new Date("2026-04-01T00:10:00Z");
/** Consumes until nothing is left: events of one invoice are claimed one after another. */
const consume = async () => {
  const total = { processed: 0, parked: 0 };
  for (;;) {
    const consumer = cloudConsumer(t.deps, paymentHandlers(t.deps), { listen: false });
    const r = await (consumer as NonNullable<typeof consumer>).drain();
    if (r.claimed === 0) return total;
    total.processed += r.processed;
    total.parked += r.parked;
  }
};
let tick = 0;
/** Each event a second after the last: events of one invoice are stamped in order. */
const at = () => new Date(t.clock.now.getTime() - 3_600_000 + ++tick * 1_000);

/** A finalized March invoice of `userId`, paid 2,000 by card. */
async function paidInvoice(userId: string, tenantId = "tenant_a") {
  await emitEvent(t.deps.database, "subscription.updated", subscriptionUpdated(userId, { tenantId }), {
    at: new Date(t.clock.now.getTime() - 2 * 3_600_000),
  });
  await consume();
  const [period] = await t.deps.database.query<{ id: string }>(
    `SELECT "id" FROM "cloud"."cloud_billing_periods" WHERE "userId" = $1 AND "tenantId" = $2`,
    [userId, tenantId],
  );
  const { invoiceId } = await finalizeInvoice(t.deps.database, period?.id as string, AFTER_MARCH);
  const base = { tenantId, userId, invoiceId, currency: "usd" };
  await emitEvent(
    t.deps.database,
    "payment.succeeded",
    { ...base, amountMinor: 2_000, provider: "stripe", reference: `pi_${userId}` },
    { at: at(), aggregateKey: `invoice:${invoiceId}` },
  );
  await consume();
  return base;
}

type Base = Awaited<ReturnType<typeof paidInvoice>>;
const refunded = (b: Base, amountMinor: number, reference: string, dedupeKey?: string) =>
  emitEvent(
    t.deps.database,
    "payment.refunded",
    { ...b, amountMinor, reason: "requested_by_customer", reference },
    { at: at(), aggregateKey: `invoice:${b.invoiceId}`, ...(dedupeKey && { dedupeKey }) },
  );
const disputed = (b: Base, amountMinor: number, reference: string) =>
  emitEvent(
    t.deps.database,
    "payment.disputed",
    { ...b, amountMinor, reason: "fraudulent", reference },
    { at: at(), aggregateKey: `invoice:${b.invoiceId}` },
  );
const reinstated = (b: Base, amountMinor: number, reference: string, dedupeKey?: string) =>
  emitEvent(
    t.deps.database,
    "dispute.funds_reinstated",
    { ...b, amountMinor, reference },
    { at: at(), aggregateKey: `invoice:${b.invoiceId}`, ...(dedupeKey && { dedupeKey }) },
  );

const notes = () =>
  t.deps.database.query<{ tenantId: string; number: number; kind: string; reference: string; status: string }>(
    `SELECT "tenantId", "number", "kind", "reference", "status", "amountMinor" FROM "cloud"."cloud_credit_notes"
      ORDER BY "tenantId", "number"`,
  );
const invoice = async (b: Base) =>
  bodyOf(await t.app.request(`/v1/invoices/${b.invoiceId}`, { headers: await t.as(b.userId, { tid: b.tenantId }) }));

describe("credit notes from refunds", () => {
  it("one credit note per refund reference, numbered per tenant without gaps; the invoice shows what was refunded", async () => {
    const alice = await paidInvoice("alice");
    expect(await invoice(alice)).toMatchObject({ status: "paid", refundedMinor: 0, refundStatus: null });
    await refunded(alice, 500, "re_1");
    // The same refund announced again under another key (a second producer path): still one note.
    await refunded(alice, 500, "re_1", "payment.refunded:again");
    expect(await consume()).toEqual({ processed: 2, parked: 0 });
    expect(await notes()).toMatchObject([{ tenantId: "tenant_a", number: 1, kind: "refund", reference: "re_1" }]);
    expect(await invoice(alice)).toMatchObject({
      status: "paid",
      paidAmountMinor: 2_000,
      refundedMinor: 500,
      refundStatus: "partially_refunded",
    });
    await refunded(alice, 1_500, "re_2");
    await consume();
    expect(await invoice(alice)).toMatchObject({ status: "paid", refundedMinor: 2_000, refundStatus: "refunded" });
    // Another tenant counts from 1 on its own.
    const zed = await paidInvoice("zed", "tenant_b");
    await refunded(zed, 100, "re_3");
    await consume();
    expect((await notes()).map((n) => [n.tenantId, n.number])).toEqual([
      ["tenant_a", 1],
      ["tenant_a", 2],
      ["tenant_b", 1],
    ]);
  });

  it("parks credits that can never apply (more than was paid, unpaid or unknown invoice, another customer) without using a number", async () => {
    const alice = await paidInvoice("alice");
    await refunded(alice, 2_001, "re_too_much");
    await refunded({ ...alice, invoiceId: "no-such-invoice" }, 100, "re_unknown");
    await refunded({ ...alice, userId: "mallory" }, 100, "re_mallory");
    await refunded({ ...alice, currency: "eur" }, 100, "re_eur");
    await reinstated(alice, 100, "du_never_disputed");
    expect(await consume()).toMatchObject({ parked: 5 });
    // An invoice that is not paid (finalized only) is never credited.
    await emitEvent(t.deps.database, "subscription.updated", subscriptionUpdated("bob"), {
      at: new Date(t.clock.now.getTime() - 2 * 3_600_000),
    });
    await consume();
    const [period] = await t.deps.database.query<{ id: string }>(
      `SELECT "id" FROM "cloud"."cloud_billing_periods" WHERE "userId" = 'bob'`,
    );
    const { invoiceId } = await finalizeInvoice(t.deps.database, period?.id as string, AFTER_MARCH);
    await refunded({ ...alice, userId: "bob", invoiceId }, 100, "re_unpaid");
    expect(await consume()).toMatchObject({ parked: 1 });
    await refunded(alice, 2_000, "re_ok");
    expect(await consume()).toMatchObject({ processed: 1, parked: 0 });
    expect((await notes()).map((n) => n.number)).toEqual([1]);
  });
});

describe("credit notes from disputes", () => {
  it("a withdrawal issues a dispute credit note; a won dispute's reinstatement reverses it (once), and the invoice is paid in full again", async () => {
    const alice = await paidInvoice("alice");
    await disputed(alice, 2_000, "du_1");
    await consume();
    expect(await notes()).toMatchObject([{ number: 1, kind: "dispute", reference: "du_1", status: "issued" }]);
    expect(await invoice(alice)).toMatchObject({ status: "paid", refundedMinor: 2_000, refundStatus: "refunded" });
    await reinstated(alice, 2_000, "du_1");
    await reinstated(alice, 2_000, "du_1", "dispute.funds_reinstated:again");
    expect(await consume()).toEqual({ processed: 2, parked: 0 });
    expect(await notes()).toMatchObject([{ number: 1, kind: "dispute", status: "reversed" }]);
    expect(await invoice(alice)).toMatchObject({ status: "paid", refundedMinor: 0, refundStatus: null });
    const [note] = (await bodyOf(await t.app.request("/v1/credit-notes", { headers: await t.as("alice") }))).items;
    expect(note).toMatchObject({ status: "reversed", reversedAt: expect.any(String), kind: "dispute" });
    // After the reversal the whole payment can be refunded again.
    await refunded(alice, 2_000, "re_after");
    expect(await consume()).toMatchObject({ parked: 0 });
    expect((await notes()).map((n) => n.number)).toEqual([1, 2]);
  });
});

describe("credit notes are immutable", () => {
  it("the database refuses changes to an issued note, its deletion, and any reversal but a dispute's one", async () => {
    const alice = await paidInvoice("alice");
    await refunded(alice, 500, "re_1");
    await disputed(alice, 1_000, "du_1");
    await consume();
    const db = t.deps.database;
    const refusals = [
      `UPDATE "cloud"."cloud_credit_notes" SET "amountMinor" = 1 WHERE "reference" = 're_1'`,
      `UPDATE "cloud"."cloud_credit_notes" SET "number" = 9 WHERE "reference" = 're_1'`,
      `UPDATE "cloud"."cloud_credit_notes" SET "invoiceId" = 'x' WHERE "reference" = 're_1'`,
      `DELETE FROM "cloud"."cloud_credit_notes" WHERE "reference" = 're_1'`,
      `UPDATE "cloud"."cloud_credit_notes" SET "status" = 'reversed', "reversedAt" = now() WHERE "reference" = 're_1'`,
      `UPDATE "cloud"."cloud_credit_notes" SET "status" = 'reversed' WHERE "reference" = 'du_1'`,
    ];
    for (const sql of refusals) await expect(db.query(sql), sql).rejects.toThrow();
    await db.query(
      `UPDATE "cloud"."cloud_credit_notes" SET "status" = 'reversed', "reversedAt" = now() WHERE "reference" = 'du_1'`,
    );
    await expect(
      db.query(
        `UPDATE "cloud"."cloud_credit_notes" SET "status" = 'issued', "reversedAt" = NULL WHERE "reference" = 'du_1'`,
      ),
    ).rejects.toThrow();
    expect(await notes()).toMatchObject([
      { reference: "re_1", status: "issued" },
      { reference: "du_1", status: "reversed" },
    ]);
  });
});

describe("credit notes API", () => {
  it("lists the caller's credit notes newest first, paginated; one by id; as a PDF (same bytes each time)", async () => {
    const alice = await paidInvoice("alice");
    for (const [i, ref] of ["re_a", "re_b", "re_c"].entries()) {
      await refunded(alice, 100 * (i + 1), ref);
      await consume();
    }
    const headers = await t.as("alice");
    const first = await bodyOf(await t.app.request("/v1/credit-notes?limit=2", { headers }));
    expect(first.items.map((n: { number: number }) => n.number)).toEqual([3, 2]);
    expect(first.items[0]).toMatchObject({
      invoiceId: alice.invoiceId,
      invoiceNumber: 1,
      kind: "refund",
      status: "issued",
      amountMinor: 300,
      currency: "usd",
      reason: "requested_by_customer",
      reference: "re_c",
      reversedAt: null,
    });
    const second = await bodyOf(
      await t.app.request(`/v1/credit-notes?limit=2&cursor=${first.nextCursor}`, { headers }),
    );
    expect(second).toMatchObject({ items: [{ number: 1 }], nextCursor: null });
    expect((await t.app.request("/v1/credit-notes?cursor=bm9wZQ", { headers })).status).toBe(400);
    const one = await bodyOf(await t.app.request(`/v1/credit-notes/${first.items[0].id}`, { headers }));
    expect(one).toEqual(first.items[0]);
    const pdf = await t.app.request(`/v1/credit-notes/${one.id}/pdf`, { headers });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get("content-type")).toBe("application/pdf");
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect(bytes.subarray(0, 5).toString()).toBe("%PDF-");
    const again = Buffer.from(await (await t.app.request(`/v1/credit-notes/${one.id}/pdf`, { headers })).arrayBuffer());
    expect(again.equals(bytes)).toBe(true);
  });
});
