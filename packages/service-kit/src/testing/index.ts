import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const TSX = fileURLToPath(new URL("../../../../node_modules/.bin/tsx", import.meta.url));

export interface SpawnedProcess {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
}

/** Runs a TypeScript entry point (through tsx) as a real child process. */
export function spawnTs(
  entry: string,
  options: { cwd: string; env: Record<string, string | undefined> },
): SpawnedProcess {
  const child = spawn(TSX, [entry], {
    cwd: options.cwd,
    // Only what the test passes (plus PATH): the developer's own env must not leak in.
    env: { PATH: process.env.PATH, ...options.env } as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Polls `url` until it answers 200 or `timeoutMs` passes. */
export async function waitForHttpOk(url: string, timeoutMs = 30_000, proc?: SpawnedProcess): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.status === 200) return res;
      last = res.status;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const output = proc ? `\nprocess output:\n${proc.output().slice(-4000)}` : "";
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms (last: ${String(last)})${output}`);
}

/** Validates a document against the official OpenAPI 3.1 JSON schema; `errors` says where it fails. */
export async function validateOpenApi31(doc: unknown): Promise<{ valid: boolean; errors: unknown }> {
  const { Validator } = await import("@seriousme/openapi-schema-validator");
  const result = await new Validator().validate(doc as Record<string, unknown>);
  const version = (doc as { openapi?: unknown }).openapi;
  return { valid: result.valid && typeof version === "string" && version.startsWith("3.1."), errors: result.errors };
}
