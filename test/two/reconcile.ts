// Reconciliation drift for the two-of-everything test: something each service's scheduled
// reconciliation reports on every run, so that the runs can be counted from their findings.
import { randomUUID } from "node:crypto";
import type { Stack } from "./stack.ts";
import { sql } from "./stack.ts";

/**
 * cloud-api: its copy of the `pro` plan disagrees with the billing side's catalogue
 * (`plan_catalogue`). service-auth: a finalized invoice an hour old that has no charge
 * (`invoice_without_charge`). Neither is repaired, so every run reports both again.
 */
export async function makeDrift(stack: Stack): Promise<{ invoiceId: string }> {
  await sql(
    stack.databaseUrl,
    `UPDATE "billing"."billing_plans" SET "monthlyPriceMinor" = "monthlyPriceMinor" + 1 WHERE "id" = 'pro'`,
  );
  const invoiceId = randomUUID();
  const hourAgo = new Date(Date.now() - 3_600_000);
  await sql(
    stack.databaseUrl,
    `INSERT INTO "cloud"."cloud_invoices" ("id", "tenantId", "userId", "number", "periodStart", "periodEnd", "planId",
       "status", "currency", "subtotalMinor", "totalMinor", "amountDueMinor", "finalizedAt", "dueAt", "createdAt", "updatedAt")
     VALUES ($1, $2, $3, 10000, $4, $5, 'pro', 'finalized', 'usd', 100, 100, 100, $5, $5, $5, $5)`,
    [invoiceId, stack.admin.tenantId, randomUUID(), new Date(hourAgo.getTime() - 30 * 86_400_000), hourAgo],
  );
  return { invoiceId };
}

/** Distinct reconciliation runs of each service that reported the drift since `since`. */
export async function reconciliationRuns(stack: Stack, since: Date): Promise<{ auth: number; cloud: number }> {
  const [auth] = await sql<{ n: number }>(
    stack.databaseUrl,
    `SELECT count(DISTINCT "runId")::int AS n FROM "billing"."billing_reconciliation_findings"
      WHERE "kind" = 'invoice_without_charge' AND "createdAt" >= $1`,
    [since],
  );
  const [cloud] = await sql<{ n: number }>(
    stack.databaseUrl,
    `SELECT count(DISTINCT "runId")::int AS n FROM "cloud"."cloud_reconciliation_findings"
      WHERE "kind" = 'plan_catalogue' AND "createdAt" >= $1`,
    [since],
  );
  return { auth: auth?.n ?? 0, cloud: cloud?.n ?? 0 };
}
