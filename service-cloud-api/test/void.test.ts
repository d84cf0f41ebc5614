// Voiding invoices (issue 17 §15), invoices past due (§6, cloud side), amounts by currency.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { AppError } from "@atlas/errors";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cloudConsumer } from "../src/services/consumer.ts";
import { finalizeInvoice } from "../src/services/invoicing/finalize-invoice.ts";
import { paymentHandlers } from "../src/services/invoicing/payments.ts";
import { formatMinor, minorUnitDigits } from "../src/services/invoicing/pdf.ts";
import { voidInvoice } from "../src/services/invoicing/void-invoice.ts";
import { runPeriodicJobs } from "../src/services/jobs.ts";
import { reconcile } from "../src/services/reconcile.ts";
import { emitEvent, subscriptionUpdated } from "./events.ts";
import { bodyOf, type CloudTestApp, createCloudTestApp } from "./harness.ts";

let t: CloudTestApp;
beforeAll(async () => {
  t = await createCloudTestApp();
});
beforeEach(async () => {
  await t.reset();
});
afterAll(async () => {
  await t.close();
});

const FINALIZED_AT = new Date("2026-04-01T00:10:00Z");
const db = () => t.deps.database;
const consume = async () => {
  const consumer = cloudConsumer(t.deps, paymentHandlers(t.deps), { listen: false });
  return (consumer as NonNullable<typeof consumer>).drain();
};

async function invoiceFor(userId: string, collection: "invoice" | "stripe_subscription" = "invoice") {
  await emitEvent(db(), "subscription.updated", subscriptionUpdated(userId, { collection }), {
    at: new Date(t.clock.now.getTime() - 60_000),
  });
  await consume();
  const [period] = await db().query<{ id: string }>(
    `SELECT "id" FROM "cloud"."cloud_billing_periods" WHERE "userId" = $1`,
    [userId],
  );
  const { invoiceId } = await finalizeInvoice(db(), period?.id as string, FINALIZED_AT);
  t.clock.now = new Date("2026-04-02T00:00:00Z");
  return invoiceId;
}
const statusOf = async (id: string) =>
  (
    await db().query<{ status: string; voidedAt: Date | null; voidReason: string | null }>(
      `SELECT "status", "voidedAt", "voidReason" FROM "cloud"."cloud_invoices" WHERE "id" = $1`,
      [id],
    )
  )[0];
const voidedEvents = () =>
  db().query<{ payload: unknown; aggregateKey: string; sourceService: string }>(
    `SELECT "payload", "aggregateKey", "sourceService" FROM "billing"."billing_events" WHERE "eventType" = 'invoice.voided'`,
  );
const pastDue = async (sub: string) =>
  (await bodyOf(await t.app.request("/v1/entitlements", { headers: await t.as(sub) }))).pastDue as boolean;

describe("voiding an invoice", () => {
  it("a finalized invoice goes void once, announcing invoice.voided after its invoice.finalized", async () => {
    const id = await invoiceFor("alice");
    const now = new Date("2026-04-03T09:00:00Z");
    const first = await voidInvoice(db(), id, "billed in error", now);
    expect(first).toEqual({
      invoiceId: id,
      number: 1,
      tenantId: "tenant_a",
      userId: "alice",
      voided: true,
      voidedAt: now.toISOString(),
    });
    const again = await voidInvoice(db(), id, "twice", new Date("2026-04-04T00:00:00Z"));
    expect(again).toMatchObject({ voided: false, voidedAt: now.toISOString() });
    expect(await statusOf(id)).toEqual({ status: "void", voidedAt: now, voidReason: "billed in error" });
    expect(await voidedEvents()).toEqual([
      {
        sourceService: "service-cloud-api",
        aggregateKey: `invoice:${id}`,
        payload: { tenantId: "tenant_a", userId: "alice", invoiceId: id },
      },
    ]);
    const [order] = await db().query<{ finalizedFirst: boolean }>(
      `SELECT (SELECT "seq" FROM "billing"."billing_events" WHERE "eventType" = 'invoice.finalized')
            < (SELECT "seq" FROM "billing"."billing_events" WHERE "eventType" = 'invoice.voided') AS "finalizedFirst"`,
    );
    expect(order?.finalizedFirst).toBe(true);
    const shown = await bodyOf(await t.app.request(`/v1/invoices/${id}`, { headers: await t.as("alice") }));
    expect(shown).toMatchObject({ status: "void", voidedAt: now.toISOString(), totalMinor: 2_000, number: 1 });
    // A void invoice is no drift for the reconciliation.
    expect((await reconcile(db(), now)).summary.usage_vs_invoice).toBeUndefined();
  });

  it("a paid invoice cannot be voided (409 CONFLICT); unknown ids and empty reasons are refused", async () => {
    const id = await invoiceFor("alice");
    await db().query(`UPDATE "cloud"."cloud_invoices" SET "status" = 'paid' WHERE "id" = $1`, [id]);
    const refused = await voidInvoice(db(), id, "too late", t.clock.now).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: "CONFLICT", status: 409 });
    expect(await statusOf(id)).toMatchObject({ status: "paid", voidedAt: null });
    await expect(voidInvoice(db(), "no-such-invoice", "x", t.clock.now)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(voidInvoice(db(), id, "   ", t.clock.now)).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    expect(await voidedEvents()).toEqual([]);
  });

  it("the trigger allows exactly finalized/failed → void, and nothing after", async () => {
    const paid = await invoiceFor("alice");
    const failed = await invoiceFor("bob");
    await db().query(`UPDATE "cloud"."cloud_invoices" SET "status" = 'paid' WHERE "id" = $1`, [paid]);
    await db().query(`UPDATE "cloud"."cloud_invoices" SET "status" = 'failed' WHERE "id" = $1`, [failed]);
    const now = new Date("2026-04-03T00:00:00Z");
    await expect(
      db().query(`UPDATE "cloud"."cloud_invoices" SET "status" = 'void', "voidedAt" = $2 WHERE "id" = $1`, [paid, now]),
    ).rejects.toThrow(/paid and cannot be voided/);
    await expect(
      db().query(`UPDATE "cloud"."cloud_invoices" SET "status" = 'void' WHERE "id" = $1`, [failed]),
    ).rejects.toThrow(/needs voidedAt/);
    await expect(
      db().query(`UPDATE "cloud"."cloud_invoices" SET "voidReason" = 'x' WHERE "id" = $1`, [failed]),
    ).rejects.toThrow(/only when voiding/);
    await expect(
      db().query(`UPDATE "cloud"."cloud_invoices" SET "dueAt" = $2 WHERE "id" = $1`, [failed, now]),
    ).rejects.toThrow(/immutable/);
    await voidInvoice(db(), failed, "settled outside Atlas", now);
    for (const change of [
      `"status" = 'paid'`,
      `"status" = 'failed'`,
      `"voidReason" = 'other'`,
      `"updatedAt" = now()`,
    ]) {
      await expect(
        db().query(`UPDATE "cloud"."cloud_invoices" SET ${change} WHERE "id" = $1`, [failed]),
      ).rejects.toThrow(/void and cannot change/);
    }
  });

  it("a payment outcome that crosses the void leaves the invoice void (consumed, not parked)", async () => {
    const id = await invoiceFor("alice");
    await voidInvoice(db(), id, "billed in error", t.clock.now);
    const at = new Date(t.clock.now.getTime() - 1_000);
    const base = { tenantId: "tenant_a", userId: "alice", invoiceId: id };
    await emitEvent(
      db(),
      "payment.succeeded",
      { ...base, amountMinor: 2_000, currency: "usd", provider: "stripe", reference: "pi_1" },
      { at },
    );
    await emitEvent(db(), "payment.failed", { ...base, provider: "stripe", failureCode: "card_declined" }, { at });
    expect(await consume()).toMatchObject({ processed: 2, parked: 0 });
    expect(await statusOf(id)).toMatchObject({ status: "void" });
  });

  it("the void-invoice command voids, and exits 1 with CONFLICT for a paid invoice", async () => {
    const id = await invoiceFor("alice");
    const paid = await invoiceFor("bob");
    await db().query(`UPDATE "cloud"."cloud_invoices" SET "status" = 'paid' WHERE "id" = $1`, [paid]);
    const run = (...args: string[]) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, ["--import", "tsx", "src/void-invoice-cli.ts", ...args], {
          cwd: fileURLToPath(new URL("..", import.meta.url)),
          env: { PATH: process.env.PATH, DATABASE_URL: t.url, NODE_ENV: "test" } as NodeJS.ProcessEnv,
          stdio: ["ignore", "pipe", "pipe"],
        });
        let out = "";
        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
        child.stderr.on("data", (d: Buffer) => (out += d.toString()));
        child.once("exit", (code) => resolve({ code, out }));
      });
    const ok = await run(id, "--reason", "duplicate charge");
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ invoiceId: id, voided: true });
    expect(await statusOf(id)).toMatchObject({ status: "void", voidReason: "duplicate charge" });
    const conflict = await run(paid, "--reason", "too late");
    expect(conflict.code).toBe(1);
    expect(conflict.out).toContain('"code":"CONFLICT"');
    expect((await run(id)).code).toBe(2);
  });
});

describe("invoices past due (cloud side of §6)", () => {
  it("an unpaid invoice past its dueAt makes the customer pastDue whatever the subscription says; paid or void clears it", async () => {
    const id = await invoiceFor("alice");
    const [row] = await db().query<{ dueAt: Date }>(`SELECT "dueAt" FROM "cloud"."cloud_invoices" WHERE "id" = $1`, [
      id,
    ]);
    expect(row?.dueAt).toEqual(new Date("2026-04-15T00:10:00Z"));
    t.clock.now = new Date("2026-04-15T00:09:59Z");
    expect(await pastDue("alice")).toBe(false);
    t.clock.now = new Date("2026-04-15T00:10:00Z");
    // The subscription is still `active`; the invoice alone makes it past due.
    expect(await bodyOf(await t.app.request("/v1/entitlements", { headers: await t.as("alice") }))).toMatchObject({
      status: "active",
      pastDue: true,
    });
    await voidInvoice(db(), id, "settled outside Atlas", t.clock.now);
    expect(await pastDue("alice")).toBe(false);

    const bobs = await invoiceFor("bob");
    t.clock.now = new Date("2026-05-01T00:00:00Z");
    expect(await pastDue("bob")).toBe(true);
    await emitEvent(
      db(),
      "payment.succeeded",
      {
        tenantId: "tenant_a",
        userId: "bob",
        invoiceId: bobs,
        amountMinor: 2_000,
        currency: "usd",
        provider: "crypto",
        reference: "0xabc",
      },
      { at: new Date(t.clock.now.getTime() - 1_000) },
    );
    await consume();
    expect(await pastDue("bob")).toBe(false);
  });

  it("the periodic job dates invoices INVOICE_DUE_DAYS after finalization; invoice.finalized carries the date", async () => {
    const other = await createCloudTestApp({ INVOICE_DUE_DAYS: "30" });
    try {
      await emitEvent(db(), "subscription.updated", subscriptionUpdated("alice", { collection: "invoice" }), {
        at: new Date(t.clock.now.getTime() - 60_000),
      });
      await consume();
      other.clock.now = new Date("2026-04-01T01:00:00Z");
      await runPeriodicJobs(other.deps);
      const [row] = await db().query<{ dueAt: Date }>(`SELECT "dueAt" FROM "cloud"."cloud_invoices"`);
      expect(row?.dueAt).toEqual(new Date("2026-05-01T01:00:00Z"));
      const [event] = await db().query<{ payload: { dueAt: string } }>(
        `SELECT "payload" FROM "billing"."billing_events" WHERE "eventType" = 'invoice.finalized'`,
      );
      expect(event?.payload.dueAt).toBe("2026-05-01T01:00:00.000Z");
    } finally {
      await other.close();
    }
  });
});

describe("amounts by the currency's minor unit", () => {
  it("JPY has no decimals, USD/EUR two, KWD/BHD three; exact for large amounts", () => {
    expect(["jpy", "usd", "eur", "kwd", "bhd"].map(minorUnitDigits)).toEqual([0, 2, 2, 3, 3]);
    expect(formatMinor(1_500, "jpy")).toBe("1,500 JPY");
    expect(formatMinor(1_500, "usd")).toBe("15.00 USD");
    expect(formatMinor(5, "eur")).toBe("0.05 EUR");
    expect(formatMinor(1_500, "kwd")).toBe("1.500 KWD");
    expect(formatMinor(2_147_483_647, "bhd")).toBe("2,147,483.647 BHD");
    expect(formatMinor(-1_999, "usd")).toBe("-19.99 USD");
  });
});
