import { USER_SCOPES } from "@atlas/client";
import { type Context, requireToken } from "../context.ts";
import { table } from "../format.ts";
import { authClient, CliError, must } from "../http.ts";
import { userScopes } from "./login.ts";

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : "-");

/** `atlas pat create <name>`: a new PAT (shown once) with a subset of the login's scopes. */
export async function patCreate(
  ctx: Context,
  name: string,
  opts: { scopes: string[]; expiresInDays?: number },
): Promise<void> {
  const { known: scopes, unknown } = userScopes(opts.scopes);
  if (unknown.length > 0)
    throw new CliError(`Unknown scope(s): ${unknown.join(", ")}`, { hint: `Known: ${USER_SCOPES.join(", ")}` });
  const auth = authClient(ctx.authUrl, { token: requireToken(ctx), tenant: ctx.tenant });
  const created = await must(
    "Creating the token",
    auth.POST("/auth/pats", {
      body: { name, scopes, ...(opts.expiresInDays ? { expiresInDays: opts.expiresInDays } : {}) },
    }),
  );
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
  const { items } = await must(
    "Listing tokens",
    authClient(ctx.authUrl, { token, tenant: ctx.tenant }).GET("/auth/pats"),
  );
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
  const auth = authClient(ctx.authUrl, { token: requireToken(ctx), tenant: ctx.tenant });
  await must("Revoking the token", auth.DELETE("/auth/pats/{id}", { params: { path: { id } } }));
  const own = ctx.tokenSource === "config" && ctx.stored?.patId === id;
  ctx.print(
    own ? `Revoked ${id}: that was this login's token; run \`atlas login\` to sign in again.` : `Revoked ${id}.`,
    { revoked: id, wasLoginToken: own },
  );
}
