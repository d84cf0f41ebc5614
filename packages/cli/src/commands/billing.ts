import type { CloudSchema } from "@atlas/client";
import { formatBytes, formatCount, UNITS_NOTE } from "@atlas/client/units";
import { type Context, requireToken } from "../context.ts";
import { money, table } from "../format.ts";
import { CliError, cloudClient, must } from "../http.ts";

/** `atlas usage`: requests, storage and transfer per bucket (default: the last 7 days by day). */
export async function usage(
  ctx: Context,
  opts: { from?: string; to?: string; granularity?: string; days?: number },
): Promise<void> {
  const granularity = opts.granularity ?? "day";
  if (granularity !== "hour" && granularity !== "day") {
    throw new CliError(`--granularity must be hour or day, not ${granularity}`);
  }
  const to = opts.to ? new Date(opts.to) : new Date();
  const from = opts.from ? new Date(opts.from) : new Date(to.getTime() - (opts.days ?? 7) * 86_400_000);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) {
    throw new CliError("--from and --to take ISO 8601 dates, e.g. 2026-01-01 or 2026-01-01T12:00:00Z");
  }
  const api = cloudClient(ctx.apiUrl, { token: requireToken(ctx), tenant: ctx.tenant });
  const query = { from: from.toISOString(), to: to.toISOString(), granularity } as const;
  const data = await must("Reading usage", api.GET("/v1/usage", { params: { query } }));
  const byTime = new Map<string, Record<string, number>>();
  for (const s of data.series) {
    for (const p of s.points) byTime.set(p.t, { ...byTime.get(p.t), [s.metric]: p.value });
  }
  const rows = [...byTime.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([t, v]) => [
      granularity === "day" ? t.slice(0, 10) : t.slice(0, 16).replace("T", " "),
      formatCount(v.requests ?? 0),
      formatBytes(v.storage_bytes ?? 0),
      formatBytes(v.transfer_bytes ?? 0),
    ]);
  // STORED is a level (api.md "Usage levels"): the bucket's highest bytes stored, never an average.
  ctx.print(
    rows.length === 0
      ? "No usage in this period."
      : `${table(["PERIOD (UTC)", "REQUESTS", "STORED (HIGHEST)", "TRANSFER"], rows)}\n${UNITS_NOTE}`,
    data,
  );
}

type Invoice = CloudSchema<"Invoice">;
type InvoicePage = CloudSchema<"InvoiceList">;

/** `atlas invoices [id]`: the invoice list, or one invoice with its lines. */
export async function invoices(ctx: Context, id: string | undefined): Promise<void> {
  const api = cloudClient(ctx.apiUrl, { token: requireToken(ctx), tenant: ctx.tenant });
  if (id) {
    const inv = await must("Reading the invoice", api.GET("/v1/invoices/{id}", { params: { path: { id } } }));
    const lines = inv.lines.map((l) => [l.description, l.quantity, money(l.amountMinor, inv.currency)]);
    ctx.print(
      [
        `Invoice ${inv.number ?? inv.id} (${inv.status}), ${inv.periodStart.slice(0, 10)} – ${inv.periodEnd.slice(0, 10)}`,
        table(["LINE", "QTY", "AMOUNT"], lines),
        `Total ${money(inv.totalMinor, inv.currency)}; due ${money(inv.amountDueMinor, inv.currency)}`,
      ].join("\n"),
      inv,
    );
    return;
  }
  const items: Invoice[] = [];
  let cursor: string | null = null;
  do {
    const query = { limit: 100, ...(cursor ? { cursor } : {}) };
    const page: InvoicePage = await must("Listing invoices", api.GET("/v1/invoices", { params: { query } }));
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  const rows = items.map((i) => [
    i.id,
    i.number ?? "-",
    `${i.periodStart.slice(0, 10)} – ${i.periodEnd.slice(0, 10)}`,
    i.status,
    money(i.totalMinor, i.currency),
    money(i.amountDueMinor, i.currency),
  ]);
  ctx.print(items.length === 0 ? "No invoices yet." : table(["ID", "NO.", "PERIOD", "STATUS", "TOTAL", "DUE"], rows), {
    items,
  });
}
