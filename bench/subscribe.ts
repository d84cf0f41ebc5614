// Shared by bench/run.ts and bench/hot.ts.
import pg from "pg";
import { outboxRow } from "../packages/billing-events/src/index.ts";
import { enqueueOutboxEvent } from "../packages/outbox/src/index.ts";

/**
 * Puts the benchmark user on a plan with overage, the way production does it: a
 * `subscription.updated` in the outbox, applied by cloud-api's running consumer. (On the free
 * plan the 10,001st request of the period answers 402 QUOTA_EXCEEDED, which would make the
 * metered /v1/me run measure refusals.)
 */
export async function subscribeToBusiness(
  databaseUrl: string,
  cloudUrl: string,
  userId: string,
  tenantId: string,
  token: string,
) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const now = new Date();
  const end = new Date(now.getTime() + 30 * 86_400_000);
  const row = outboxRow(
    "subscription.updated",
    {
      tenantId,
      userId,
      subscriptionId: `bench_${userId}`,
      planId: "business",
      status: "active",
      currentPeriodStart: now.toISOString(),
      currentPeriodEnd: end.toISOString(),
      cancelAtPeriodEnd: false,
      limits: { maxObjectBytes: 5 * 1024 ** 3, maxStorageBytes: 5_000 * 1024 ** 3 },
      collection: "stripe_subscription",
    },
    "service-auth",
    `bench:subscription:${userId}`,
  );
  await enqueueOutboxEvent(
    { query: async (text, values) => (await client.query(text, values)).rows },
    { ...row, aggregateKey: `subscription:bench_${userId}` },
    now,
  );
  await client.end();
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${cloudUrl}/v1/entitlements`, { headers: { authorization: `Bearer ${token}` } });
    if (res.ok && ((await res.json()) as { planId: string }).planId === "business") return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("cloud-api did not apply the benchmark user's subscription");
}
