import { USER_SCOPES } from "@atlas/client";
import { Command, InvalidArgumentError, Option } from "commander";
import { outboxDiscard, outboxList, outboxRetry } from "./commands/admin.ts";
import { invoices, usage } from "./commands/billing.ts";
import { login, logout, whoami } from "./commands/login.ts";
import { objectsGet, objectsList, objectsPut, objectsRemove } from "./commands/objects.ts";
import { patCreate, patList, patRevoke } from "./commands/pat.ts";
import { type Context, type GlobalOptions, resolveContext, tokenOverrideWarning } from "./context.ts";

export const VERSION = "0.1.0";

const scopeList = (value: string) =>
  value
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("a whole number of at least 1");
  return n;
};

/** Runs `fn` with the context resolved from the global options of the invoked command. */
const withContext =
  <A extends unknown[]>(fn: (ctx: Context, ...args: A) => Promise<void>) =>
  async (...args: [...A, Command]) => {
    const cmd = args[args.length - 1] as Command;
    const ctx = await resolveContext(cmd.optsWithGlobals<GlobalOptions>());
    // On stderr: stdout stays the command's answer (and valid JSON with --json).
    const warning = tokenOverrideWarning(ctx);
    if (warning) ctx.info(warning);
    await fn(ctx, ...(args.slice(0, -1) as A));
  };

/** The `atlas` command tree. */
export function buildProgram(): Command {
  const program = new Command("atlas")
    .description("Atlas from the command line: sign in, tokens, objects, usage and invoices.")
    .version(VERSION)
    .option("--json", "print machine-readable JSON on stdout")
    .option("--api-url <url>", "service-cloud-api base URL (env ATLAS_API_URL; default http://localhost:4001)")
    .option("--auth-url <url>", "service-auth base URL (env ATLAS_AUTH_URL; default http://localhost:4000)")
    .option("--tenant <slug>", "tenant slug (env ATLAS_TENANT; default: the default tenant)")
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText(
      "after",
      "\nEnvironment: ATLAS_TOKEN (a PAT; for `atlas admin`, a platform admin's session access token) overrides the stored login; XDG_CONFIG_HOME moves the config file.",
    );

  program
    .command("login")
    .description("sign in through the browser (device flow) and store a personal access token (0600)")
    .addOption(
      new Option("--scopes <scopes>", `scopes for the token, comma-separated (${USER_SCOPES.join(", ")})`)
        .argParser(scopeList)
        .default([...USER_SCOPES], "all"),
    )
    .action(withContext((ctx, opts: { scopes: string[] }) => login(ctx, opts)));

  program
    .command("logout")
    .description("revoke the stored token and delete it")
    .action(withContext((ctx) => logout(ctx)));

  program
    .command("whoami")
    .description("show the user, tenant and scopes of the token in use")
    .action(withContext((ctx) => whoami(ctx)));

  const pat = program.command("pat").description("personal access tokens");
  pat
    .command("create")
    .description("create a token (shown once); at most the scopes and lifetime of the login's token")
    .argument("<name>", "a name to recognise it by")
    .requiredOption("--scopes <scopes>", "scopes, comma-separated", scopeList)
    .option("--expires-in-days <days>", "expiry in days (1..365)", positiveInt)
    .action(
      withContext((ctx, name: string, opts: { scopes: string[]; expiresInDays?: number }) =>
        patCreate(ctx, name, opts),
      ),
    );
  pat
    .command("list")
    .alias("ls")
    .description("list live tokens (never their secrets)")
    .action(withContext((ctx) => patList(ctx)));
  pat
    .command("revoke")
    .description("revoke a token by id")
    .argument("<id>", "token id (from `atlas pat list`)")
    .action(withContext((ctx, id: string) => patRevoke(ctx, id)));

  const objects = program.command("objects").description("stored objects");
  objects
    .command("put")
    .description("upload a file (streamed; `-` reads stdin)")
    .argument("<key>", "object key")
    .argument("<file>", "file to upload, or - for stdin")
    .option("--content-type <type>", "media type to store", "application/octet-stream")
    .action(
      withContext((ctx, key: string, file: string, opts: { contentType?: string }) => objectsPut(ctx, key, file, opts)),
    );
  objects
    .command("get")
    .description("download an object (streamed) to a file, or to stdout")
    .argument("<key>", "object key")
    .argument("[file]", "where to write it; - or absent: stdout")
    .action(withContext((ctx, key: string, file: string | undefined) => objectsGet(ctx, key, file)));
  objects
    .command("ls")
    .alias("list")
    .description("list objects")
    .option("--prefix <prefix>", "only keys starting with this")
    .action(withContext((ctx, opts: { prefix?: string }) => objectsList(ctx, opts)));
  objects
    .command("rm")
    .description("delete an object")
    .argument("<key>", "object key")
    .action(withContext((ctx, key: string) => objectsRemove(ctx, key)));

  program
    .command("usage")
    .description("usage per day or hour: requests, bytes stored, bytes transferred")
    .option("--from <date>", "start (ISO 8601); default: --days before --to")
    .option("--to <date>", "end (ISO 8601); default: now")
    .option("--days <n>", "length of the default period", positiveInt, 7)
    .addOption(new Option("--granularity <g>", "bucket size").choices(["hour", "day"]).default("day"))
    .action(
      withContext((ctx, opts: { from?: string; to?: string; granularity?: string; days?: number }) => usage(ctx, opts)),
    );

  program
    .command("invoices")
    .description("list invoices, or show one with its lines")
    .argument("[id]", "invoice id")
    .action(withContext((ctx, id: string | undefined) => invoices(ctx, id)));

  const admin = program
    .command("admin")
    .description("platform operators: needs a platform admin's session access token in ATLAS_TOKEN (not a PAT)");
  const outbox = admin.command("outbox").description("parked billing outbox events (dead letter)");
  outbox
    .command("list")
    .alias("ls")
    .description("list parked events, most recently parked first")
    .option("--limit <n>", "events per page (1..100)", positiveInt, 50)
    .option("--cursor <cursor>", "the page after this cursor (printed by the previous page)")
    .action(withContext((ctx, opts: { limit?: number; cursor?: string }) => outboxList(ctx, opts)));
  outbox
    .command("retry")
    .description("put a parked event back in its consumer's queue (audited)")
    .argument("<id>", "event id (from `atlas admin outbox list`)")
    .option("--reason <text>", "why it can succeed now (recorded in the audit log)")
    .action(withContext((ctx, id: string, opts: { reason?: string }) => outboxRetry(ctx, id, opts)));
  outbox
    .command("discard")
    .description("discard a parked event: it is never applied; the row stays for the audit trail (audited)")
    .argument("<id>", "event id (from `atlas admin outbox list`)")
    .requiredOption("--reason <text>", "why it must never be applied (recorded in the audit log)")
    .action(withContext((ctx, id: string, opts: { reason: string }) => outboxDiscard(ctx, id, opts)));

  return program;
}
