import { type Context, requireToken } from "../context.ts";
import { table } from "../format.ts";
import { CliError, requestJson } from "../http.ts";
import { ALL_SCOPES } from "./login.ts";

interface Pat {
  id: string;
  name: string;
  scopes: string[];
  displayPrefix: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : "-");

/** `atlas pat create <name>`: a new PAT (shown once) with a subset of the login's scopes. */
export async function patCreate(
  ctx: Context,
  name: string,
  opts: { scopes: string[]; expiresInDays?: number },
): Promise<void> {
  const unknown = opts.scopes.filter((s) => !(ALL_SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0)
    throw new CliError(`Unknown scope(s): ${unknown.join(", ")}`, { hint: `Known: ${ALL_SCOPES.join(", ")}` });
  const created = await requestJson<Pat & { token: string }>(`${ctx.authUrl}/auth/pats`, "Creating the token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      name,
      scopes: opts.scopes,
      ...(opts.expiresInDays ? { expiresInDays: opts.expiresInDays } : {}),
    }),
    token: requireToken(ctx),
    tenant: ctx.tenant,
  });
  ctx.print(
    [
      `Created token ${created.id} (${created.name}; scopes: ${created.scopes.join(", ")}; expires: ${day(created.expiresAt)}).`,
      "It is shown only now; store it somewhere safe:",
      created.token,
    ].join("\n"),
    created,
  );
}

/** `atlas pat list`: the live PATs of the account (never their secrets). */
export async function patList(ctx: Context): Promise<void> {
  const token = requireToken(ctx);
  const { items } = await requestJson<{ items: Pat[] }>(`${ctx.authUrl}/auth/pats`, "Listing tokens", {
    token,
    tenant: ctx.tenant,
  });
  const rows = items.map((p) => [
    `${p.id}${token.startsWith(p.displayPrefix) ? " *" : ""}`,
    p.name,
    p.scopes.join(","),
    day(p.createdAt),
    day(p.expiresAt),
    day(p.lastUsedAt),
  ]);
  ctx.print(
    items.length === 0
      ? "No tokens."
      : `${table(["ID", "NAME", "SCOPES", "CREATED", "EXPIRES", "LAST USED"], rows)}\n(* the token in use)`,
    { items },
  );
}

/** `atlas pat revoke <id>`: revokes one PAT; revoking the login's own token ends the login. */
export async function patRevoke(ctx: Context, id: string): Promise<void> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
    throw new CliError(`Not a token id: ${id}`, { hint: "Ids are listed by `atlas pat list`." });
  }
  await requestJson<void>(`${ctx.authUrl}/auth/pats/${id}`, "Revoking the token", {
    method: "DELETE",
    token: requireToken(ctx),
    tenant: ctx.tenant,
  });
  const own = ctx.tokenSource === "config" && ctx.stored?.patId === id;
  ctx.print(
    own ? `Revoked ${id}: that was this login's token; run \`atlas login\` to sign in again.` : `Revoked ${id}.`,
    { revoked: id, wasLoginToken: own },
  );
}
