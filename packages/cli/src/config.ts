import { chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

/** What `atlas login` stores. The token is a PAT: treat the file like a password. */
export interface StoredConfig {
  token: string;
  patId?: string;
  scopes?: string[];
  authUrl?: string;
  apiUrl?: string;
  tenant?: string;
  createdAt?: string;
}

/** `$XDG_CONFIG_HOME/atlas/config.json`, else `~/.config/atlas/config.json`. */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME?.trim() ? env.XDG_CONFIG_HOME : join(homedir(), ".config");
  return join(base, "atlas", "config.json");
}

function isStoredConfig(value: unknown): value is StoredConfig {
  return typeof value === "object" && value !== null && typeof (value as { token?: unknown }).token === "string";
}

/** The stored login, or null when there is none (a damaged file counts as none). */
export async function readConfig(path: string): Promise<StoredConfig | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return isStoredConfig(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

/**
 * Writes the config with mode 0600 in a 0700 folder. The file is written under a temporary name
 * created 0600 and renamed over the old one, so the token is never readable by others, not even
 * for a moment, and a crash never leaves half a file.
 */
export async function writeConfig(path: string, config: StoredConfig): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600, flag: "w" });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}

export async function deleteConfig(path: string): Promise<boolean> {
  try {
    await rm(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}
