import { type Context, requireToken } from "../context.ts";
import { money, table } from "../format.ts";
import { CliError, requestJson } from "../http.ts";
import { formatBytes } from "../progress.ts";

interface UsageSeries {
  from: string;
  to: string;
  granularity: "hour" | "day";
  series: { metric: string; points: { t: string; value: number }[] }[];
}

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
  const q = new URLSearchParams({ from: from.toISOString(), to: to.toISOString(), granularity });
  const data = await requestJson<UsageSeries>(`${ctx.apiUrl}/v1/usage?${q}`, "Reading usage", {
    token: requireToken(ctx),
    tenant: ctx.tenant,
  });
  const byTime = new Map<string, Record<string, number>>();
  for (const s of data.series) {
    for (const p of s.points) byTime.set(p.t, { ...byTime.get(p.t), [s.metric]: p.value });
  }
  const rows = [...byTime.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([t, v]) => [
      granularity === "day" ? t.slice(0, 10) : t.slice(0, 16).replace("T", " "),
      v.requests ?? 0,
      formatBytes(v.storage_bytes ?? 0),
      formatBytes(v.transfer_bytes ?? 0),
    ]);
  ctx.print(
    rows.length === 0 ? "No usage in this period." : table(["PERIOD (UTC)", "REQUESTS", "STORED", "TRANSFER"], rows),
    data,
  );
}

interface Invoice {
  id: string;
  number: number | null;
  status: string;
  planId: string;
  currency: string;
  periodStart: string;
  periodEnd: string;
  totalMinor: number;
  amountDueMinor: number;
  lines: { description: string; quantity: number; amountMinor: number }[];
}

/** `atlas invoices [id]`: the invoice list, or one invoice with its lines. */
export async function invoices(ctx: Context, id: string | undefined): Promise<void> {
  const token = requireToken(ctx);
  if (id) {
    const inv = await requestJson<Invoice>(
      `${ctx.apiUrl}/v1/invoices/${encodeURIComponent(id)}`,
      "Reading the invoice",
      {
        token,
        tenant: ctx.tenant,
      },
    );
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
    const q = new URLSearchParams({ limit: "100" });
    if (cursor) q.set("cursor", cursor);
    const page: { items: Invoice[]; nextCursor: string | null } = await requestJson(
      `${ctx.apiUrl}/v1/invoices?${q}`,
      "Listing invoices",
      { token, tenant: ctx.tenant },
    );
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
