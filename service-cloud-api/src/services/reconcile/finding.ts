/** The checks of the reconciliation job, by the kind of finding each reports (table in ../reconcile.ts). */
export type FindingKind =
  | "usage_vs_invoice"
  | "storage_total"
  | "orphan_blob"
  | "subscription_state"
  | "plan_catalogue"
  | "parked_event"
  | "underpaid_invoice";

/** One drift a check found, and whether it was repaired. */
export interface Finding {
  kind: FindingKind;
  tenantId: string | null;
  userId: string | null;
  subject: string;
  details: Record<string, unknown>;
  repaired: boolean;
}
