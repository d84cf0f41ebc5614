import { configPath, readConfig, type StoredConfig } from "./config.ts";
import { CliError, type Endpoints } from "./http.ts";

/** The global options every command takes. */
export interface GlobalOptions {
  json?: boolean;
  apiUrl?: string;
  authUrl?: string;
  tenant?: string;
}

export interface Context extends Endpoints {
  json: boolean;
  configFile: string;
  stored: StoredConfig | null;
  /** The token in force: ATLAS_TOKEN, else the stored login. */
  token: string | undefined;
  tokenSource: "env" | "config" | "none";
  /** Writes the command's answer: JSON on stdout with --json, else the human text. */
  print(human: string, data: unknown): void;
  /** Progress and prompts: stderr, so stdout stays clean for pipes and --json. */
  info(line: string): void;
}

const trimSlash = (u: string) => u.replace(/\/+$/, "");

function url(value: string, name: string): string {
  try {
    const parsed = new URL(value);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error("protocol");
    return trimSlash(parsed.toString());
  } catch {
    throw new CliError(`${name} is not an http(s) URL: ${value}`);
  }
}

/**
 * Resolves endpoints and the token, in this order: flag, environment (ATLAS_API_URL,
 * ATLAS_AUTH_URL, ATLAS_TENANT, ATLAS_TOKEN), the stored login, then the local defaults.
 */
export async function resolveContext(opts: GlobalOptions, env: NodeJS.ProcessEnv = process.env): Promise<Context> {
  const configFile = configPath(env);
  const stored = await readConfig(configFile);
  const authUrl = url(opts.authUrl ?? env.ATLAS_AUTH_URL ?? stored?.authUrl ?? "http://localhost:4000", "auth URL");
  const apiUrl = url(opts.apiUrl ?? env.ATLAS_API_URL ?? stored?.apiUrl ?? "http://localhost:4001", "API URL");
  const tenant = opts.tenant ?? env.ATLAS_TENANT ?? stored?.tenant;
  const envToken = env.ATLAS_TOKEN?.trim();
  const token = envToken || stored?.token;
  const json = opts.json === true;
  return {
    authUrl,
    apiUrl,
    tenant,
    json,
    configFile,
    stored,
    token,
    tokenSource: envToken ? "env" : stored?.token ? "config" : "none",
    print(human, data) {
      process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${human}\n`);
    },
    info(line) {
      process.stderr.write(`${line}\n`);
    },
  };
}

/**
 * The warning for a token in ATLAS_TOKEN that is not the stored login's: the stored login is
 * ignored while it is set, which surprises people who just ran `atlas login`. Null otherwise.
 */
export function tokenOverrideWarning(ctx: Pick<Context, "tokenSource" | "stored" | "token" | "configFile">) {
  if (ctx.tokenSource !== "env" || !ctx.stored?.token || ctx.stored.token === ctx.token) return null;
  return `Warning: ATLAS_TOKEN is set and overrides the stored login (${ctx.configFile}); unset ATLAS_TOKEN to use it.`;
}

/** The token, or a CliError telling the user to log in. */
export function requireToken(ctx: Context): string {
  if (!ctx.token) {
    throw new CliError("Not logged in", { hint: "Run `atlas login` (or set ATLAS_TOKEN).", code: "NOT_LOGGED_IN" });
  }
  return ctx.token;
}
