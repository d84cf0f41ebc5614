// Fault: one signed Stripe webhook delivered 100 times — 50 at once, then 50 one after another —
// to a real service-auth process (Stripe itself is the local fake that speaks its HTTP API).
import { freePort } from "@atlas/db";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outboxRow } from "../../packages/billing-events/src/index.ts";
import { enqueueOutboxEvent } from "../../packages/outbox/src/index.ts";
import { STRIPE_ENV, stripeSignature, WEBHOOK_SECRET } from "../../service-auth/test/billing-fixtures.ts";
import { FakeStripe } from "../../service-auth/test/fakes/stripe.ts";
import { chargeSucceeded } from "../../service-auth/test/fakes/stripe-refunds.ts";
import { cloneTestDatabase, type Login, type ServiceProcess, seedLogins, sql, startAuth } from "./harness.ts";

let db: Awaited<ReturnType<typeof cloneTestDatabase>>;
let stripe: FakeStripe;
let auth: ServiceProcess;
let login: Login;

beforeAll(async () => {
  db = await cloneTestDatabase("webhook");
  stripe = await FakeStripe.start();
  const env = { PORT: String(await freePort()), ...STRIPE_ENV(stripe) };
  [login] = (await seedLogins(db.url, 1, env)) as [Login];
  auth = await startAuth(db.url, env);
});
afterAll(async () => {
  await auth?.stop();
  await stripe?.stop();
  await db?.drop();
});

function deliver(event: unknown): Promise<Response> {
  const payload = JSON.stringify(event);
  // Signed now, on the real clock the process checks the 300 s tolerance against.
  const header = stripeSignature(payload, [WEBHOOK_SECRET], Math.floor(Date.now() / 1000));
  return fetch(`${auth.url}/webhooks/stripe`, {
    method: "POST",
    body: payload,
    headers: { "content-type": "application/json", "stripe-signature": header },
  });
}

async function post(path: string, key: string): Promise<Response> {
  return fetch(`${auth.url}${path}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${login.accessToken}`,
      "content-type": "application/json",
      "idempotency-key": key,
    },
  });
}

describe("Stripe webhook replayed 100 times (real process)", () => {
  it("applied once: one ledger entry, one payment.succeeded in the outbox, one charge state change", async () => {
    // A customer whose card needs authentication: the charge saga leaves its charge
    // action_required with a PaymentIntent that the customer then completes at Stripe.
    const customer = await post("/billing/customer", "fault-customer");
    expect(customer.status).toBe(201);
    const { stripeCustomerId } = (await customer.json()) as { stripeCustomerId: string };
    const pm = stripe.attachCard(stripeCustomerId, { decline: "authentication_required" });
    expect((await post(`/billing/payment-methods/${pm}/default`, "fault-pm")).status).toBe(200);

    // cloud-api's side: an invoice finalized into the outbox; the process's consumer charges it.
    const invoiceId = "inv_fault_replay";
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const row = outboxRow(
        "invoice.finalized",
        { tenantId: login.tenantId, userId: login.userId, invoiceId, number: 1, totalMinor: 700, currency: "usd" },
        "service-cloud-api",
        `invoice.finalized:${invoiceId}`,
      );
      await enqueueOutboxEvent({ query: async (t, v) => (await client.query(t, v)).rows }, row, new Date());
    } finally {
      await client.end();
    }
    let charge: { id: string; status: string; stripePaymentIntentId: string | null } | undefined;
    const deadline = Date.now() + 20_000;
    while (!charge?.stripePaymentIntentId) {
      if (Date.now() > deadline) throw new Error(`the invoice was not charged:\n${auth.proc.output().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
      [charge] = await sql<{ id: string; status: string; stripePaymentIntentId: string | null }>(
        db.url,
        `SELECT id, status, "stripePaymentIntentId" FROM "billing"."billing_charges" WHERE "invoiceId" = $1`,
        [invoiceId],
      );
    }
    expect(charge.status).toBe("action_required");

    // Every change of the charge's status, recorded by the database itself from here on.
    await sql(
      db.url,
      `CREATE TABLE public.fault_charge_changes ("chargeId" text, "from" text, "to" text);
       CREATE FUNCTION public.fault_record_charge() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF OLD.status IS DISTINCT FROM NEW.status THEN
           INSERT INTO public.fault_charge_changes VALUES (NEW.id, OLD.status, NEW.status);
         END IF;
         RETURN NEW;
       END $$;
       CREATE TRIGGER fault_record_charge AFTER UPDATE ON "billing"."billing_charges"
         FOR EACH ROW EXECUTE FUNCTION public.fault_record_charge();`,
    );

    // The customer completes authentication; Stripe reports the PaymentIntent paid, 100 times.
    const pi = stripe.paymentIntents.get(charge.stripePaymentIntentId) as Record<string, unknown>;
    Object.assign(pi, { status: "succeeded", payment_method: pm, last_payment_error: null });
    const event = stripe.event("payment_intent.succeeded", pi);
    const concurrent = await Promise.all(Array.from({ length: 50 }, () => deliver(event)));
    const sequential: Response[] = [];
    for (let i = 0; i < 50; i++) sequential.push(await deliver(event));
    const answers = [...concurrent, ...sequential];
    expect(answers.map((r) => r.status)).toEqual(Array(100).fill(200));
    const outcomes = await Promise.all(answers.map(async (r) => ((await r.json()) as { outcome: string }).outcome));
    expect(outcomes.filter((o) => o === "applied")).toHaveLength(1);
    expect(outcomes.filter((o) => o !== "applied")).toEqual(Array(99).fill("duplicate"));
    // The one applied delivery was one of the concurrent ones: the sequential replays came later.
    expect(outcomes.slice(50)).toEqual(Array(50).fill("duplicate"));

    expect(
      await sql(db.url, `SELECT 1 FROM "billing"."billing_processed_webhook_events" WHERE "eventId" = $1`, [event.id]),
    ).toHaveLength(1);
    const paid = await sql<{ payload: { invoiceId: string } }>(
      db.url,
      `SELECT payload FROM "billing"."billing_events" WHERE "eventType" = 'payment.succeeded'`,
    );
    expect(paid.map((e) => e.payload.invoiceId)).toEqual([invoiceId]);
    expect(await sql(db.url, `SELECT "chargeId", "from", "to" FROM public.fault_charge_changes`)).toEqual([
      { chargeId: charge.id, from: "action_required", to: "succeeded" },
    ]);
    // No second charge at Stripe either: one PaymentIntent for the invoice.
    expect(stripe.paymentIntents.size).toBe(1);
  });

  it("a refund's and a dispute's events, each delivered 20 times at once, are announced once", async () => {
    // The PaymentIntent of the invoice charged above (it succeeded): Stripe's charge behind it.
    const [pi] = [...stripe.paymentIntents.values()] as Record<string, unknown>[];
    const ch = chargeSucceeded(stripe, pi as Record<string, unknown>);
    const refundAt = await fetch(`${stripe.url}/v1/refunds`, {
      method: "POST",
      headers: { authorization: "Bearer sk_test_atlas", "content-type": "application/x-www-form-urlencoded" },
      body: `charge=${ch.id}&amount=200`,
    });
    expect(refundAt.status).toBe(200);
    const dispute = stripe.dispute(ch.id as string, 500, "fraudulent");
    // charge.refunded, refund.created, charge.dispute.created, charge.dispute.funds_withdrawn: all
    // at once, 20 times each. The charge's row lock serializes them; dedupe keys announce once.
    const events = stripe.takeEvents();
    expect(events).toHaveLength(4);
    const answers = await Promise.all(events.flatMap((e) => Array.from({ length: 20 }, () => deliver(e))));
    expect(answers.map((r) => r.status)).toEqual(Array(80).fill(200));
    const outcomes = await Promise.all(answers.map(async (r) => ((await r.json()) as { outcome: string }).outcome));
    expect(outcomes.filter((o) => o === "applied").length).toBeGreaterThanOrEqual(2);
    expect(outcomes.filter((o) => o === "duplicate")).toHaveLength(76);
    const announced = await sql<{ eventType: string; payload: { amountMinor: number; reference: string } }>(
      db.url,
      `SELECT "eventType", payload FROM "billing"."billing_events"
        WHERE "eventType" IN ('payment.refunded', 'payment.disputed') ORDER BY "seq"`,
    );
    expect(announced.map((e) => [e.eventType, e.payload.amountMinor])).toEqual(
      expect.arrayContaining([
        ["payment.refunded", 200],
        ["payment.disputed", 500],
      ]),
    );
    expect(announced).toHaveLength(2);
    expect(await sql(db.url, `SELECT "stripeId" FROM "billing"."billing_refunds" ORDER BY "kind" DESC`)).toEqual([
      { stripeId: expect.stringMatching(/^re_/) },
      { stripeId: dispute.id },
    ]);
  });
});
