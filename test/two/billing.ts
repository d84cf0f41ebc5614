// Billing input of the two-of-everything test: customers whose plan period has ended, announced
// the way service-auth announces a plan (a `subscription.updated` in the shared outbox).
import { randomUUID } from "node:crypto";
import pg from "pg";
import { outboxRow } from "../../packages/billing-events/src/index.ts";
import { enqueueOutboxEvent } from "../../packages/outbox/src/index.ts";
import type { Stack } from "./stack.ts";

const HOUR_MS = 3_600_000;

export interface Customer {
  userId: string;
  email: string;
}

/**
 * `n` users of the default tenant on the `pro` plan, invoiced by Atlas (`collection: invoice`),
 * whose 30-day period ended at the last full hour before now: cloud-api's billing job finalizes
 * it at its next run (INVOICE_GRACE_SEC 0), and service-auth's consumer charges the invoice. No
 * Stripe is configured, so each charge fails (`no_payment_method`) and dunning e-mails the user.
 */
export async function subscribeWithEndedPeriod(stack: Stack, n: number): Promise<Customer[]> {
  const client = new pg.Client({ connectionString: stack.databaseUrl });
  await client.connect();
  const tx = { query: async (text: string, values?: unknown[]) => (await client.query(text, values)).rows };
  try {
    const now = new Date();
    const end = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS - HOUR_MS);
    const start = new Date(end.getTime() - 30 * 24 * HOUR_MS);
    const customers: Customer[] = [];
    for (let i = 0; i < n; i++) {
      const customer = { userId: randomUUID(), email: `payer-${i}-${randomUUID().slice(0, 8)}@example.test` };
      await client.query(
        `INSERT INTO "auth"."auth_users" ("id", "tenantId", "email", "emailVerifiedAt", "createdAt", "updatedAt")
         VALUES ($1, $2, $3, $4, $4, $4)`,
        [customer.userId, stack.admin.tenantId, customer.email, now],
      );
      const subscriptionId = `sub_two_${customer.userId}`;
      const row = outboxRow(
        "subscription.updated",
        {
          tenantId: stack.admin.tenantId,
          userId: customer.userId,
          subscriptionId,
          planId: "pro",
          status: "active",
          currentPeriodStart: start.toISOString(),
          currentPeriodEnd: end.toISOString(),
          cancelAtPeriodEnd: false,
          limits: { maxObjectBytes: 1024 ** 3, maxStorageBytes: 100 * 1024 ** 3 },
          collection: "invoice",
        },
        "service-auth",
        `two:subscription:${subscriptionId}`,
      );
      await enqueueOutboxEvent(tx, { ...row, aggregateKey: `subscription:${subscriptionId}` }, now);
      customers.push(customer);
    }
    return customers;
  } finally {
    await client.end();
  }
}

/**
 * Holds the tenant's invoice-number row locked (an open transaction) until `release`: every
 * finalization of the tenant then stops there, so both cloud-api instances' billing jobs
 * meet on the same periods at the same time instead of one after the other by luck.
 */
export async function holdInvoiceNumbers(stack: Stack): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: stack.databaseUrl });
  await client.connect();
  await client.query("BEGIN");
  await client.query(
    `INSERT INTO "cloud"."cloud_invoice_sequences" ("tenantId", "lastNumber") VALUES ($1, 0)
     ON CONFLICT ("tenantId") DO UPDATE SET "lastNumber" = "cloud_invoice_sequences"."lastNumber"`,
    [stack.admin.tenantId],
  );
  return {
    async release() {
      await client.query("COMMIT");
      await client.end();
    },
  };
}

/** Whether a session of each cloud-api instance is waiting on a lock (the finalizers met). */
export async function bothFinalizersWaiting(stack: Stack): Promise<boolean> {
  const client = new pg.Client({ connectionString: stack.databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(DISTINCT application_name)::int AS n FROM pg_stat_activity
        WHERE application_name IN ('cloud-a', 'cloud-b') AND wait_event_type = 'Lock'`,
    );
    return rows[0]?.n === 2;
  } finally {
    await client.end();
  }
}
