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

/** What Node's fetch accepts as `dispatcher` (an undici Agent), without a dependency on undici. */
export type FetchDispatcher = NonNullable<RequestInit["dispatcher"]>;

/**
 * An undici Agent of Node's own fetch that keeps at most one connection per origin alive, so
 * every request of a test reuses the same socket (keep-alive), as a busy client's pool does.
 * Built from the constructor of fetch's global dispatcher: Node bundles undici without exporting it.
 */
export async function singleConnectionAgent(origin: string): Promise<FetchDispatcher> {
  const key = Symbol.for("undici.globalDispatcher.1");
  const holder = globalThis as unknown as Record<symbol, object | undefined>;
  // The global dispatcher is created by the first fetch.
  if (!holder[key]) await (await fetch(`${origin}/health`)).body?.cancel();
  const global = holder[key];
  if (!global) throw new Error("Node's fetch has no global undici dispatcher");
  const Agent = (global as { constructor: new (options: object) => FetchDispatcher }).constructor;
  return new Agent({ connections: 1, pipelining: 1, keepAliveTimeout: 30_000 });
}

/**
 * The value of one sample in a Prometheus text exposition (`/metrics`): the metric `name` whose
 * labels include `labels` (other labels, such as `service`, are ignored). 0 when absent, as a
 * counter that never counted.
 */
export function metricValue(exposition: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of exposition.split("\n")) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = new Map([...(match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => present.get(k) === v)) return Number(match[3]);
  }
  return 0;
}

/** Scrapes `/metrics` of an app (anything with Hono's `request`) and reads one sample ({@link metricValue}). */
export async function scrapeMetric(
  app: { request(path: string): Response | Promise<Response> },
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const res = await app.request("/metrics");
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return metricValue(await res.text(), name, labels);
}
