import type { CreditNoteView } from "./credit-notes.ts";
import { money } from "./pdf.ts";

const WHY: Record<CreditNoteView["kind"], string> = {
  refund: "Refund",
  dispute: "Payment disputed (chargeback)",
};

/**
 * Renders a credit note as a PDF in the invoices' style (pdfkit, standard Helvetica). Its dates
 * come from the note, so the same note renders to the same bytes; a reversed note says so.
 */
export async function renderCreditNotePdf(
  note: CreditNoteView,
  customer: { tenantId: string; userId: string },
): Promise<Buffer> {
  const issued = new Date(note.issuedAt);
  // pdfkit (~24 MB and ~180 ms to load) loads at the first PDF rendered, not at boot.
  const { default: PDFDocument } = await import("pdfkit");
  const doc = new PDFDocument({
    size: "A4",
    margin: 50,
    info: { Title: `Credit note ${note.number}`, Author: "Atlas", CreationDate: issued, ModDate: issued },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });

  doc.font("Helvetica-Bold").fontSize(20).text(`Credit note ${note.number}`);
  doc.moveDown(0.5).font("Helvetica").fontSize(10);
  doc.text(`Credit note id: ${note.id}`);
  doc.text(`Customer: ${customer.userId} (tenant ${customer.tenantId})`);
  doc.text(`Credits invoice: ${note.invoiceNumber ?? ""} (${note.invoiceId})`);
  doc.text(`Issued: ${note.issuedAt.slice(0, 10)}`);
  doc.text(`Reference: ${note.reference}`);
  if (note.reversedAt) {
    doc.text(`Reversed: ${note.reversedAt.slice(0, 10)} (dispute won: the payment stands)`);
  }
  doc.moveDown();

  const y = doc.y;
  doc.font("Helvetica-Bold");
  doc.text("Description", 50, y, { width: 400 });
  doc.text("Amount", 470, y, { width: 75, align: "right" });
  doc.font("Helvetica").moveDown(0.5);
  const line = doc.y;
  doc.text(`${WHY[note.kind]}${note.reason ? ` — ${note.reason.replaceAll("_", " ")}` : ""}`, 50, line, {
    width: 400,
  });
  doc.text(money(note.amountMinor, note.currency), 470, line, { width: 75, align: "right" });
  doc.moveDown();
  const total = doc.y;
  doc.font("Helvetica-Bold");
  doc.text("Total credited", 50, total, { width: 400, align: "right" });
  doc.text(money(note.amountMinor, note.currency), 470, total, { width: 75, align: "right" });
  doc.end();
  return done;
}
