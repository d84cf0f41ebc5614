import { useId, useState } from "react";
import type { AccountApi, Invoice, Plan, UsageSeries } from "../account-api.ts";
import { errorMessage } from "../api.ts";
import { bytes, formatDate, Loaded, money, Panel, useLoad } from "./ui.tsx";

interface MetricView {
  metric: string;
  title: string;
  /** Requests and transfer add up over the month; storage is a level. */
  cumulative: boolean;
  format: (n: number) => string;
  /** The plan's included amount for the month (storage: the average bytes it pays for). */
  limit: (plan: Plan) => number | undefined;
}

const METRICS: MetricView[] = [
  {
    metric: "requests",
    title: "Requests",
    cumulative: true,
    format: (n) => Math.round(n).toLocaleString(),
    limit: (p) => p.includedUsage.requests,
  },
  {
    metric: "transfer_bytes",
    title: "Transfer",
    cumulative: true,
    format: bytes,
    limit: (p) => p.includedUsage.transfer_bytes,
  },
  {
    metric: "storage_bytes",
    title: "Storage",
    cumulative: false,
    format: bytes,
    limit: (p) =>
      p.includedUsage.storage_byte_hours === undefined ? undefined : p.includedUsage.storage_byte_hours / 730,
  },
];

const W = 600;
const H = 160;
const PAD = { left: 8, right: 8, top: 12, bottom: 18 };

/** One metric over the period as an SVG line, the plan's included amount drawn as a dashed limit. */
function Chart({ view, points, plan }: { view: MetricView; points: { t: string; value: number }[]; plan: Plan }) {
  const id = useId();
  let running = 0;
  const values = points.map((p) => {
    running = view.cumulative ? running + p.value : p.value;
    return { t: p.t, v: running };
  });
  const limit = view.limit(plan);
  const current = values.at(-1)?.v ?? 0;
  const max = Math.max(1, limit ?? 0, ...values.map((p) => p.v)) * 1.1;
  const x = (i: number) => PAD.left + (values.length <= 1 ? 0 : (i / (values.length - 1)) * (W - PAD.left - PAD.right));
  const y = (v: number) => H - PAD.bottom - (v / max) * (H - PAD.top - PAD.bottom);
  const path = values.map((p, i) => `${i === 0 ? "M" : "L"}${x(i).toFixed(1)},${y(p.v).toFixed(1)}`).join(" ");
  const share = limit ? Math.round((current / limit) * 100) : null;
  const summary = `${view.title}: ${view.format(current)}${view.cumulative ? " so far this period" : " now"}${
    limit ? ` of ${view.format(limit)} included (${share}%)` : ""
  }.`;
  return (
    <figure className="chart">
      <figcaption>
        <b>{view.title}</b> <span className={share !== null && share >= 100 ? "error" : "hint"}>{summary}</span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-desc`} preserveAspectRatio="none">
        <title id={`${id}-desc`}>{summary}</title>
        <line x1={PAD.left} x2={W - PAD.right} y1={H - PAD.bottom} y2={H - PAD.bottom} className="axis" />
        {limit !== undefined && (
          <line
            x1={PAD.left}
            x2={W - PAD.right}
            y1={y(limit)}
            y2={y(limit)}
            className="limit"
            data-testid="limit-line"
          />
        )}
        {values.length > 0 && <path d={path} className="series" />}
      </svg>
      <details>
        <summary>Show as a table</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">{view.cumulative ? "Total so far" : "Stored"}</th>
            </tr>
          </thead>
          <tbody>
            {values.map((p) => (
              <tr key={p.t}>
                <td>{formatDate(p.t)}</td>
                <td>{view.format(p.v)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

/** This billing period's usage (from the first of the month), per metric, against the plan. */
export function UsagePanel({ api, plan }: { api: AccountApi; plan: Plan }) {
  const { state, reload } = useLoad(() => {
    const now = new Date();
    const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    return api.usage(from, now, "day");
  });
  return (
    <Panel title="Usage this month">
      <Loaded state={state} retry={reload}>
        {(usage: UsageSeries) =>
          usage.series.every((s) => s.points.length === 0) ? (
            <p className="notice">No usage yet this month.</p>
          ) : (
            <div className="charts">
              {METRICS.map((view) => (
                <Chart
                  key={view.metric}
                  view={view}
                  plan={plan}
                  points={usage.series.find((s) => s.metric === view.metric)?.points ?? []}
                />
              ))}
            </div>
          )
        }
      </Loaded>
    </Panel>
  );
}

const INVOICE_STATUS: Record<string, string> = {
  draft: "Draft",
  finalized: "Due",
  paid: "Paid",
  failed: "Payment failed",
  void: "Void",
};

const invoiceTitle = (i: Invoice) => (i.number ? `Invoice #${i.number}` : "Draft invoice");

/** Invoices: the list, one invoice's lines, and its PDF (the API's, or the browser's print to PDF). */
export function InvoicesPanel({ api }: { api: AccountApi }) {
  const { state, reload } = useLoad(async () => {
    const r = await api.invoices();
    return Array.isArray(r) ? r : r.items;
  });
  const [open, setOpen] = useState<Invoice | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function show(i: Invoice) {
    setError(null);
    try {
      setOpen(await api.invoice(i.id));
    } catch (e) {
      setError(errorMessage(e));
    }
  }
  return (
    <Panel title="Invoices">
      <Loaded state={state} retry={reload}>
        {(items) =>
          items.length === 0 ? (
            <p className="notice">No invoices yet.</p>
          ) : (
            <ul className="rows">
              {items.map((i) => (
                <li key={i.id} className="row">
                  <div>
                    <b>{invoiceTitle(i)}</b> <span className="badge">{INVOICE_STATUS[i.status] ?? i.status}</span>
                    <p className="hint">
                      {formatDate(i.periodStart)} – {formatDate(i.periodEnd)} · {money(i.totalMinor, i.currency)}
                    </p>
                  </div>
                  <button type="button" onClick={() => show(i)} aria-label={`View ${invoiceTitle(i)}`}>
                    View
                  </button>
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
      {error && (
        <p className="form-status error" role="alert">
          {error}
        </p>
      )}
      {open && <InvoiceDetail invoice={open} onClose={() => setOpen(null)} />}
    </Panel>
  );
}

function InvoiceDetail({ invoice, onClose }: { invoice: Invoice; onClose: () => void }) {
  const id = useId();
  return (
    <section className="invoice printable" aria-labelledby={id}>
      <h3 id={id}>{invoiceTitle(invoice)}</h3>
      <p className="hint">
        Period {formatDate(invoice.periodStart)} – {formatDate(invoice.periodEnd)} ·{" "}
        {INVOICE_STATUS[invoice.status] ?? invoice.status}
        {invoice.paidAt ? ` · paid ${formatDate(invoice.paidAt)}` : ""}
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">Item</th>
            <th scope="col">Quantity</th>
            <th scope="col">Amount</th>
          </tr>
        </thead>
        <tbody>
          {(invoice.lines ?? []).map((l) => (
            <tr key={`${l.description}-${l.amountMinor}`}>
              <td>{l.description}</td>
              <td>{Number(l.quantity).toLocaleString()}</td>
              <td>{money(l.amountMinor, invoice.currency)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={2}>
              Total
            </th>
            <td>{money(invoice.totalMinor, invoice.currency)}</td>
          </tr>
        </tfoot>
      </table>
      <div className="button-row no-print">
        {invoice.pdfUrl ? (
          <a className="button" href={invoice.pdfUrl} download>
            Download PDF
          </a>
        ) : (
          <button type="button" onClick={() => window.print()}>
            Download PDF (print)
          </button>
        )}
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </section>
  );
}
