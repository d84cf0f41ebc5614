import { useId, useState } from "react";
import type { AccountApi, Invoice } from "../account-api.ts";
import { errorMessage } from "../api.ts";
import type { CryptoPaymentOption } from "../config.ts";
import { CryptoPay } from "./CryptoPay.tsx";
import { confirmInvoicePayment, type StripeTarget } from "./stripe.ts";
import { formatDate, Loaded, money, Panel, useLoad } from "./ui.tsx";

export { UsagePanel } from "./UsagePanel.tsx";

const INVOICE_STATUS: Record<Invoice["status"], string> = {
  finalized: "Due",
  paid: "Paid",
  failed: "Payment failed",
  void: "Void",
};

const invoiceTitle = (i: Invoice) => (i.number ? `Invoice #${i.number}` : "Invoice");
/** Unpaid with something left to pay: the card charge failed, or the customer pays on chain. */
const payable = (i: Invoice) => (i.status === "finalized" || i.status === "failed") && i.amountDueMinor > 0;

/** Invoices: the list, one invoice's lines, its PDF, and paying it on chain. */
export function InvoicesPanel({
  api,
  crypto,
  stripe = { key: null, apiUrl: null },
}: {
  api: AccountApi;
  crypto: CryptoPaymentOption[];
  stripe?: StripeTarget;
}) {
  const { state, reload } = useLoad(() => api.invoices());
  const [open, setOpen] = useState<Invoice | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // Older pages, appended after the first one (which reloads after a payment).
  const [older, setOlder] = useState<{ items: Invoice[]; nextCursor: string | null } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  async function more(cursor: string) {
    setLoadingMore(true);
    setError(null);
    try {
      const page = await api.invoices(cursor);
      setOlder((prev) => ({ items: [...(prev?.items ?? []), ...page.items], nextCursor: page.nextCursor }));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setLoadingMore(false);
    }
  }
  async function show(id: string) {
    setError(null);
    setNotice(null);
    try {
      setOpen(await api.invoice(id));
    } catch (e) {
      setError(errorMessage(e));
    }
  }
  const [paying, setPaying] = useState<string | null>(null);
  /**
   * Pay now (a failed or authentication-needing card charge): the invoice's one PaymentIntent,
   * confirmed here with the customer present (Stripe's 3-D Secure when the bank asks), then the
   * list refreshes once cloud-api has the payment.
   */
  async function payNow(invoice: Invoice) {
    setPaying(invoice.id);
    setError(null);
    setNotice(null);
    try {
      const { clientSecret } = await api.payInvoice(invoice.id, globalThis.crypto.randomUUID());
      const methods = await api.paymentMethods();
      const card = methods.items.find((m) => m.isDefault) ?? methods.items[0];
      await confirmInvoicePayment(stripe, clientSecret, card?.id ?? null);
      await settled(invoice.id, "Payment sent; the invoice will show as paid in a moment.");
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setPaying(null);
    }
  }
  /** After a payment: cloud-api marks the invoice paid once it has the billing event (a moment). */
  async function settled(
    id: string,
    pending = "Payment confirmed on chain; the invoice will show as paid in a moment.",
  ) {
    for (let i = 0; i < 20; i++) {
      try {
        const invoice = await api.invoice(id);
        if (invoice.status === "paid" || i === 19) {
          setOpen(invoice);
          setNotice(invoice.status === "paid" ? `Payment confirmed: ${invoiceTitle(invoice)} is paid.` : pending);
          break;
        }
      } catch (e) {
        setError(errorMessage(e));
        break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    setOlder(null);
    reload();
  }
  return (
    <Panel title="Invoices">
      <Loaded state={state} retry={reload}>
        {(first) => {
          const items = [...first.items, ...(older?.items ?? [])];
          const next = older ? older.nextCursor : first.nextCursor;
          return items.length === 0 ? (
            <p className="notice">No invoices yet. The first one comes at the end of a paid billing period.</p>
          ) : (
            <ul className="rows">
              {items.map((i) => (
                <li key={i.id} className="row">
                  <div>
                    <b>{invoiceTitle(i)}</b>{" "}
                    <span className={`badge${i.status === "failed" ? " error" : ""}`}>{INVOICE_STATUS[i.status]}</span>
                    <p className="hint">
                      {formatDate(i.periodStart)} – {formatDate(i.periodEnd)} · {money(i.totalMinor, i.currency)}
                      {i.status === "paid"
                        ? i.paidAmountMinor !== null &&
                          i.paidAmountMinor !== i.totalMinor &&
                          ` · ${money(i.paidAmountMinor, i.currency)} paid`
                        : i.amountDueMinor !== i.totalMinor && ` · ${money(i.amountDueMinor, i.currency)} due`}
                    </p>
                  </div>
                  <div className="row-actions">
                    {i.status === "failed" && (
                      <button
                        type="button"
                        className="primary"
                        onClick={() => payNow(i)}
                        disabled={paying !== null}
                        aria-busy={paying === i.id}
                        aria-label={`Pay now: ${invoiceTitle(i)}`}
                      >
                        {paying === i.id ? "Paying…" : "Pay now"}
                      </button>
                    )}
                    <button type="button" onClick={() => show(i.id)} aria-label={`View ${invoiceTitle(i)}`}>
                      View
                    </button>
                  </div>
                </li>
              ))}
              {next && (
                <li className="row">
                  <button type="button" onClick={() => more(next)} disabled={loadingMore} aria-busy={loadingMore}>
                    {loadingMore ? "Loading…" : "Show older invoices"}
                  </button>
                </li>
              )}
            </ul>
          );
        }}
      </Loaded>
      {error && (
        <p className="form-status error" role="alert">
          {error}
        </p>
      )}
      <p className="form-status quiet" role="status">
        {notice}
      </p>
      {open && (
        <InvoiceDetail
          api={api}
          invoice={open}
          crypto={crypto}
          onClose={() => setOpen(null)}
          onPaid={() => void settled(open.id)}
        />
      )}
    </Panel>
  );
}

function InvoiceDetail({
  api,
  invoice,
  crypto,
  onClose,
  onPaid,
}: {
  api: AccountApi;
  invoice: Invoice;
  crypto: CryptoPaymentOption[];
  onClose: () => void;
  onPaid: () => void;
}) {
  const id = useId();
  const [pdf, setPdf] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  async function download() {
    setPdf({ busy: true, error: null });
    try {
      const blob = await api.invoicePdf(invoice.id);
      const url = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = url;
      a.download = `invoice-${invoice.number ?? invoice.id}.pdf`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setPdf({ busy: false, error: null });
    } catch (e) {
      setPdf({ busy: false, error: errorMessage(e) });
    }
  }
  const money$ = (minor: number) => money(minor, invoice.currency);
  return (
    <section className="invoice" aria-labelledby={id}>
      <h3 id={id}>{invoiceTitle(invoice)}</h3>
      <p className="hint">
        Period {formatDate(invoice.periodStart)} – {formatDate(invoice.periodEnd)} · {INVOICE_STATUS[invoice.status]}
        {invoice.paidAt ? ` · paid ${formatDate(invoice.paidAt)}` : ""}
      </p>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col">Quantity</th>
              <th scope="col">Amount</th>
            </tr>
          </thead>
          <tbody>
            {invoice.lines.map((l) => (
              <tr key={l.position}>
                <td>
                  {l.description}
                  {l.usedQuantity !== null && l.includedQuantity !== null && (
                    <span className="hint">
                      {" "}
                      ({l.usedQuantity.toLocaleString()} used, {l.includedQuantity.toLocaleString()} included)
                    </span>
                  )}
                </td>
                <td>{l.quantity.toLocaleString()}</td>
                <td>
                  {money$(l.amountMinor)}
                  {l.prepaid && <span className="hint"> (prepaid)</span>}
                </td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" colSpan={2}>
                Total
              </th>
              <td>{money$(invoice.totalMinor)}</td>
            </tr>
            {invoice.prepaidMinor > 0 && (
              <tr>
                <th scope="row" colSpan={2}>
                  Prepaid with your subscription
                </th>
                <td>−{money$(invoice.prepaidMinor)}</td>
              </tr>
            )}
            <tr>
              <th scope="row" colSpan={2}>
                {invoice.status === "paid" ? "Paid" : "Amount due"}
              </th>
              <td>{money$(invoice.status === "paid" ? (invoice.paidAmountMinor ?? 0) : invoice.amountDueMinor)}</td>
            </tr>
          </tfoot>
        </table>
      </div>
      {invoice.status === "failed" && (
        <p className="notice error">
          The card payment failed{invoice.failureCode ? ` (${invoice.failureCode})` : ""}: update your card, or pay
          below.
        </p>
      )}
      {payable(invoice) && crypto.length > 0 && (
        <CryptoPay api={api} invoice={invoice} options={crypto} onPaid={onPaid} />
      )}
      <div className="button-row">
        <button type="button" onClick={download} disabled={pdf.busy} aria-busy={pdf.busy}>
          {pdf.busy ? "Preparing PDF…" : "Download PDF"}
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      {pdf.error && (
        <p className="form-status error" role="alert">
          {pdf.error}
        </p>
      )}
    </section>
  );
}
