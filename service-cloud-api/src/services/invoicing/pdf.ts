import type { InvoiceView } from "./invoices.ts";

/**
 * Digits after the decimal point of a currency's minor unit (ISO 4217, from the runtime's ICU
 * data): JPY 0, USD/EUR 2, KWD/BHD 3. Amounts are stored in minor units, so this is the power of
 * ten between the stored integer and the amount shown.
 */
export function minorUnitDigits(currency: string): number {
  return new Intl.NumberFormat("en-US", { style: "currency", currency: currency.toUpperCase() }).resolvedOptions()
    .maximumFractionDigits as number;
}

/** An amount in minor units shown in its currency, exactly (integer arithmetic, no float rounding). */
export function formatMinor(minor: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  const scale = 10 ** digits;
  const abs = Math.abs(minor);
  const whole = Math.trunc(abs / scale).toLocaleString("en-US");
  const fraction = digits > 0 ? `.${String(abs % scale).padStart(digits, "0")}` : "";
  return `${minor < 0 ? "-" : ""}${whole}${fraction} ${currency.toUpperCase()}`;
}

/** An amount in minor units as printed on invoices and credit notes. */
export const money = formatMinor;

/**
 * Renders an invoice as a PDF (pdfkit, standard Helvetica: no font files to ship). The document's
 * dates come from the invoice, so the same invoice renders to the same bytes.
 */
export async function renderInvoicePdf(
  invoice: InvoiceView,
  customer: { tenantId: string; userId: string },
): Promise<Buffer> {
  const created = new Date(invoice.finalizedAt ?? invoice.periodEnd);
  // pdfkit (~24 MB and ~180 ms to load) loads at the first PDF rendered, not at boot.
  const { default: PDFDocument } = await import("pdfkit");
  const doc = new PDFDocument({
    size: "A4",
    margin: 50,
    info: {
      Title: `Invoice ${invoice.number ?? invoice.id}`,
      Author: "Atlas",
      CreationDate: created,
      ModDate: created,
    },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });

  doc
    .font("Helvetica-Bold")
    .fontSize(20)
    .text(`Invoice ${invoice.number ?? ""}`);
  doc.moveDown(0.5).font("Helvetica").fontSize(10);
  doc.text(`Invoice id: ${invoice.id}`);
  doc.text(`Customer: ${customer.userId} (tenant ${customer.tenantId})`);
  doc.text(`Period: ${invoice.periodStart.slice(0, 10)} to ${invoice.periodEnd.slice(0, 10)}`);
  doc.text(`Issued: ${created.toISOString().slice(0, 10)}`);
  doc.text(`Status: ${invoice.status}`);
  if (invoice.dueAt && invoice.status !== "void") doc.text(`Due: ${invoice.dueAt.slice(0, 10)}`);
  doc.moveDown();

  const cols = { description: 50, quantity: 330, unit: 390, amount: 470 };
  const header = doc.y;
  doc.font("Helvetica-Bold");
  doc.text("Description", cols.description, header, { width: 270 });
  doc.text("Qty", cols.quantity, header, { width: 55, align: "right" });
  doc.text("Unit", cols.unit, header, { width: 75, align: "right" });
  doc.text("Amount", cols.amount, header, { width: 75, align: "right" });
  doc.font("Helvetica").moveDown(0.5);
  for (const line of invoice.lines) {
    const y = doc.y;
    const description = line.prepaid ? `${line.description} — prepaid` : line.description;
    doc.text(description, cols.description, y, { width: 270 });
    const after = doc.y;
    doc.text(line.quantity.toLocaleString("en-US"), cols.quantity, y, { width: 55, align: "right" });
    doc.text(money(line.unitPriceMinor, invoice.currency), cols.unit, y, { width: 75, align: "right" });
    doc.text(money(line.amountMinor, invoice.currency), cols.amount, y, { width: 75, align: "right" });
    doc.y = Math.max(after, doc.y) + 4;
  }
  doc.moveDown();
  const totals: [string, number][] = [
    ["Total", invoice.totalMinor],
    ["Prepaid (plan fee collected by the subscription)", invoice.prepaidMinor],
    ["Amount due", invoice.amountDueMinor],
  ];
  for (const [label, amount] of totals) {
    const y = doc.y;
    doc.font(label === "Amount due" ? "Helvetica-Bold" : "Helvetica");
    doc.text(label, cols.description, y, { width: 400, align: "right" });
    doc.text(money(amount, invoice.currency), cols.amount, y, { width: 75, align: "right" });
  }
  doc.end();
  return done;
}
