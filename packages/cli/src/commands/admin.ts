import { type AuthSchema, PAT_PREFIX, type ServiceAuthClient } from "@atlas/client";
import { type Context, requireToken } from "../context.ts";
import { table } from "../format.ts";
import { authClient, CliError, must } from "../http.ts";

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
async function adminRequest<T>(
  ctx: Context,
  what: string,
  call: (auth: ServiceAuthClient) => Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  try {
    return await must(what, call(authClient(ctx.authUrl, { token: adminToken(ctx), tenant: ctx.tenant })));
  } catch (error) {
    if (error instanceof CliError && (error.options.status === 401 || error.options.status === 403)) {
      throw new CliError(error.message, { ...error.options, hint: ADMIN_HINT });
    }
    throw error;
  }
}

type ParkedEvent = AuthSchema<"ParkedOutboxEvent">;

const short = (text: string | null, max = 60) =>
  !text ? "-" : text.length > max ? `${text.slice(0, max - 1)}…` : text.replace(/\s+/g, " ");

/** `atlas admin outbox list`: one page of parked billing events, most recently parked first. */
export async function outboxList(ctx: Context, opts: { limit?: number; cursor?: string }): Promise<void> {
  const query = { limit: opts.limit ?? 50, ...(opts.cursor ? { cursor: opts.cursor } : {}) };
  const page = await adminRequest(ctx, "Listing parked events", (auth) =>
    auth.GET("/admin/billing/outbox/parked", { params: { query } }),
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

/** `atlas admin outbox retry <id>`: back into its consumer's queue, due now (audited). */
export async function outboxRetry(ctx: Context, id: string, opts: { reason?: string }): Promise<void> {
  const event: ParkedEvent = await adminRequest(ctx, "Retrying the event", (auth) =>
    auth.POST("/admin/billing/outbox/{id}/retry", {
      params: { path: { id } },
      body: opts.reason ? { reason: opts.reason } : {},
    }),
  );
  ctx.print(`Queued ${event.eventType} ${event.id} again (it had failed ${event.attempts} times).`, event);
}

/** `atlas admin outbox discard <id> --reason …`: never consumed, kept for the audit trail. */
export async function outboxDiscard(ctx: Context, id: string, opts: { reason: string }): Promise<void> {
  const event = await adminRequest(ctx, "Discarding the event", (auth) =>
    auth.POST("/admin/billing/outbox/{id}/discard", { params: { path: { id } }, body: { reason: opts.reason } }),
  );
  ctx.print(`Discarded ${event.eventType} ${event.id}: it will never be applied.`, event);
}
