import type { AccountApi } from "../account-api.ts";
import { money, useLoad } from "./ui.tsx";

/**
 * The customer's credit balance (overpayments, partial and double payments), applied to the next
 * invoices before anything is charged. Nothing is shown while there is none.
 */
export function CreditBalance({ api }: { api: AccountApi }) {
  const credits = useLoad(api.credits);
  if (credits.state.kind !== "ready") return null;
  const positive = credits.state.data.balances.filter((b) => b.amountMinor > 0);
  if (positive.length === 0) return null;
  return (
    <p className="hint" role="status" aria-label="Account credit">
      Account credit: <b>{positive.map((b) => money(b.amountMinor, b.currency)).join(" + ")}</b> · applied to your next
      invoices before anything is charged.
    </p>
  );
}
