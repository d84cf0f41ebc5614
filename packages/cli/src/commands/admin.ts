import { type Context, requireToken } from "../context.ts";
import { table } from "../format.ts";
import { CliError, requestJson } from "../http.ts";

/** Personal access tokens start with this (service-auth's PAT_PREFIX). */
const PAT_PREFIX = "atlas_pat_";

const ADMIN_HINT =
  "Admin commands need a platform admin's session access token (a JWT of an admin of the default tenant) in ATLAS_TOKEN; personal access tokens never carry the admin role.";

/**
 * The token for admin routes. They take only session access tokens (PATs carry no roles, so a
 * long-lived PAT can never discard billing events): a PAT is refused here, before it is sent.
 */
function adminToken(ctx: Context): string {
  const token = requireToken(ctx);
  if (token.startsWith(PAT_PREFIX)) {
    throw new CliError("A personal access token cannot call admin routes", { hint: ADMIN_HINT, code: "FORBIDDEN" });
  }
  return token;
}

/** An admin call; 401/403 get the admin hint instead of the scope hint. */
async function adminRequest<T>(ctx: Context, path: string, what: string, init: RequestInit = {}): Promise<T> {
  try {
    return await requestJson<T>(`${ctx.authUrl}${path}`, what, { ...init, token: adminToken(ctx), tenant: ctx.tenant });
  } catch (error) {
    if (error instanceof CliError && (error.options.status === 401 || error.options.status === 403)) {
      throw new CliError(error.message, { ...error.options, hint: ADMIN_HINT });
    }
    throw error;
  }
}

interface ParkedEvent {
  id: string;
  eventType: string;
  sourceService: string;
  aggregateKey: string | null;
  attempts: number;
  lastError: string | null;
  parkedAt: string;
  createdAt: string;
  payload: unknown;
}

const short = (text: string | null, max = 60) =>
  !text ? "-" : text.length > max ? `${text.slice(0, max - 1)}…` : text.replace(/\s+/g, " ");

/** `atlas admin outbox list`: one page of parked billing events, most recently parked first. */
export async function outboxList(ctx: Context, opts: { limit?: number; cursor?: string }): Promise<void> {
  const q = new URLSearchParams({ limit: String(opts.limit ?? 50) });
  if (opts.cursor) q.set("cursor", opts.cursor);
  const page = await adminRequest<{ items: ParkedEvent[]; nextCursor: string | null }>(
    ctx,
    `/admin/billing/outbox/parked?${q}`,
    "Listing parked events",
  );
  const rows = page.items.map((e) => [
    e.id,
    e.eventType,
    e.sourceService,
    e.aggregateKey ?? "-",
    e.attempts,
    e.parkedAt.slice(0, 19).replace("T", " "),
    short(e.lastError),
  ]);
  ctx.print(
    rows.length === 0
      ? "No parked events."
      : table(["ID", "TYPE", "SOURCE", "AGGREGATE", "ATTEMPTS", "PARKED (UTC)", "LAST ERROR"], rows),
    page,
  );
  if (page.nextCursor) ctx.info(`More: atlas admin outbox list --cursor ${page.nextCursor}`);
}

const jsonBody = (body: Record<string, unknown>): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

/** `atlas admin outbox retry <id>`: back into its consumer's queue, due now (audited). */
export async function outboxRetry(ctx: Context, id: string, opts: { reason?: string }): Promise<void> {
  const event = await adminRequest<ParkedEvent>(
    ctx,
    `/admin/billing/outbox/${encodeURIComponent(id)}/retry`,
    "Retrying the event",
    jsonBody(opts.reason ? { reason: opts.reason } : {}),
  );
  ctx.print(`Queued ${event.eventType} ${event.id} again (it had failed ${event.attempts} times).`, event);
}

/** `atlas admin outbox discard <id> --reason …`: never consumed, kept for the audit trail. */
export async function outboxDiscard(ctx: Context, id: string, opts: { reason: string }): Promise<void> {
  const event = await adminRequest<ParkedEvent & { discardedAt: string }>(
    ctx,
    `/admin/billing/outbox/${encodeURIComponent(id)}/discard`,
    "Discarding the event",
    jsonBody({ reason: opts.reason }),
  );
  ctx.print(`Discarded ${event.eventType} ${event.id}: it will never be applied.`, event);
}
