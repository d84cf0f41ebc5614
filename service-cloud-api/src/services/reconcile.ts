/**
 * The reconciliation job: recomputes what cloud-api derived and compares it with what it stored,
 * and with the billing side's own view; reports drift and repairs what is safe to repair.
 *
 * | check | compares | repair |
 * |---|---|---|
 * | `usage_vs_invoice` | each issued invoice's total vs the same period priced again (by its plan segments) from the raw hourly counters | none: issued invoices are immutable; the difference is reported for a credit note or a manual charge |
 * | `storage_total` | a customer's running storage total vs the sum of their objects | set to the sum (under the customer's storage lock) |
 * | `orphan_blob` | stored chunks vs the objects that point to them | queued for garbage collection (never-referenced bytes: no object can lose data) |
 * | `subscription_state` | the entitlement vs the billing side's subscription row (`billing.billing_subscriptions`, read only) | re-apply the newest consumed subscription event when it agrees with the billing side; otherwise report (the billing side must announce its state) |
 * | `plan_catalogue` | this service's plan prices vs the billing side's live catalogue (`billing.billing_plans`, read only) | none: a price change is a deploy of the catalogue copy |
 * | `parked_event` | billing events cloud-api consumes that were parked | none: fix the cause, then unpark |
 * | `underpaid_invoice` | a paid invoice's paid amount vs its amount due | none |
 *
 * Each check is a module of `./reconcile/` (invoices, storage, subscriptions, catalogue, reported);
 * this file runs them in order and records what they found.
 */
import { randomUUID } from "node:crypto";
import type { DatabaseConnection } from "@atlas/db";
import { checkCatalogue } from "./reconcile/catalogue.ts";
import type { Finding } from "./reconcile/finding.ts";
import { checkInvoices } from "./reconcile/invoices.ts";
import { checkParkedAndPayments } from "./reconcile/reported.ts";
import { checkOrphanBlobs, checkStorage } from "./reconcile/storage.ts";
import { checkSubscriptions } from "./reconcile/subscriptions.ts";

export type { Finding, FindingKind } from "./reconcile/finding.ts";

export interface ReconciliationReport {
  runId: string;
  ranAt: string;
  findings: Finding[];
  /** Findings per kind, repaired and not. */
  summary: Record<string, { found: number; repaired: number }>;
}

export interface ReconcileOptions {
  /** Issued invoices whose period ended within this window are re-priced (default 120 days). */
  invoiceWindowMs?: number;
  /** Repair what is safe (default true); false only reports. */
  repair?: boolean;
}

/** Runs every check once, records the findings (cloud_reconciliation_findings) and returns the report. */
export async function reconcile(
  db: DatabaseConnection,
  now: Date,
  options: ReconcileOptions = {},
): Promise<ReconciliationReport> {
  const repair = options.repair ?? true;
  const findings = [
    ...(await checkInvoices(db, now, options.invoiceWindowMs ?? 120 * 86_400_000)),
    ...(await checkStorage(db, now, repair)),
    ...(await checkOrphanBlobs(db, now, repair)),
    ...(await checkSubscriptions(db, now, repair)),
    ...(await checkCatalogue(db)),
    ...(await checkParkedAndPayments(db)),
  ];
  const runId = randomUUID();
  for (const f of findings) {
    await db.query(
      `INSERT INTO "cloud"."cloud_reconciliation_findings" ("id", "runId", "kind", "tenantId", "userId", "subject", "details", "repaired", "createdAt")
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9)`,
      [randomUUID(), runId, f.kind, f.tenantId, f.userId, f.subject, JSON.stringify(f.details), f.repaired, now],
    );
  }
  const summary: ReconciliationReport["summary"] = {};
  for (const f of findings) {
    const s = summary[f.kind] ?? { found: 0, repaired: 0 };
    s.found += 1;
    if (f.repaired) s.repaired += 1;
    summary[f.kind] = s;
  }
  return { runId, ranAt: now.toISOString(), findings, summary };
}
