// Benchmarks beyond plain HTTP load, used by bench/run.ts: wallet and passkey logins end to end,
// argon2id, process memory and cold start. Every figure comes with a baseline measured in the
// same run (see bench/README.md).
import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { hashLowEntropySecret } from "../service-auth/src/services/platform/password-hash.ts";
import { SoftAuthenticator } from "../service-auth/test/soft-authenticator.ts";

/** The web origin the default tenant allows (DEFAULT_TENANT_ORIGINS' default). */
const ORIGIN = "http://localhost:3000";

export interface Spawned {
  child: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
}

/**
 * A service's production build (`node dist/main.js`), the way `pnpm --filter … start` runs it;
 * `entry` names another bundle (the peer and the bare baselines in bench/peer/dist/).
 */
export function spawnDist(serviceDir: string, env: Record<string, string>, entry = "dist/main.js"): Spawned {
  const child = spawn(process.execPath, [entry], {
    cwd: serviceDir,
    env: { PATH: process.env.PATH, ...env } as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, exited, output: () => out };
}

/** Resident set size of a process in MB (10^6 bytes; Linux /proc reports KiB). */
export function rssMB(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? Number.NaN);
  return (kib * 1024) / 1e6;
}

/** Samples a process's RSS every 100 ms until stopped; answers the peak. */
export function rssSampler(pid: number | undefined): { stop(): number } {
  let peak = 0;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssMB(pid));
    } catch {
      /* the process ended */
    }
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Milliseconds from spawn to the first 200 of `url`, polling every 5 ms. */
async function timeToFirst200(start: () => Spawned, url: string): Promise<number> {
  const t0 = performance.now();
  const proc = start();
  try {
    for (;;) {
      if (proc.child.exitCode !== null) throw new Error(`exited before answering: ${proc.output().slice(-800)}`);
      try {
        const res = await fetch(url);
        if (res.status === 200) return performance.now() - t0;
      } catch {
        /* not listening yet */
      }
      if (performance.now() - t0 > 30_000) throw new Error(`no 200 from ${url} in 30 s: ${proc.output().slice(-800)}`);
      await sleep(5);
    }
  } finally {
    proc.child.kill("SIGTERM");
    await proc.exited;
  }
}

export interface ColdStart {
  medianMs: number;
  runs: number[];
}

/** Spawn-to-first-200, `runs` times (the median is reported: the first spawn also warms the page cache). */
export async function coldStart(start: () => Spawned, url: string, runs = 5): Promise<ColdStart> {
  const all: number[] = [];
  for (let i = 0; i < runs; i++) all.push(await timeToFirst200(start, url));
  const sorted = [...all].sort((a, b) => a - b);
  return { medianMs: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN, runs: all };
}

/** The baseline process: a bare node:http server answering 200, spawned the same way. */
export function bareNodeServer(port: number): () => Spawned {
  const code = `require("node:http").createServer((q, s) => s.end("ok")).listen(${port}, "127.0.0.1")`;
  return () => {
    const child = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
    return { child, exited, output: () => out };
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** RSS of the baseline bare node:http server after it answered once. */
export async function bareServerRss(port: number): Promise<number> {
  const proc = bareNodeServer(port)();
  try {
    for (let i = 0; i < 400; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/`)).status === 200) break;
      } catch {
        /* not listening yet */
      }
      await sleep(5);
    }
    await sleep(500);
    return rssMB(proc.child.pid);
  } finally {
    proc.child.kill("SIGTERM");
    await proc.exited;
  }
}

export interface TimingStats {
  count: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
}

function stats(samples: number[]): TimingStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / Math.max(samples.length, 1);
  return { count: samples.length, meanMs: mean, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) };
}

/** argon2id with the service's parameters (OWASP: m = 19 MiB, t = 2, p = 1), one hash at a time. */
export async function argon2Timing(iterations = 60): Promise<{ argon2id: TimingStats; sha256: TimingStats }> {
  const secrets = Array.from({ length: iterations }, () => randomBytes(6).toString("hex"));
  await hashLowEntropySecret("warm-up");
  const argon: number[] = [];
  for (const s of secrets) {
    const t0 = performance.now();
    await hashLowEntropySecret(s);
    argon.push(performance.now() - t0);
  }
  // Baseline: what a high-entropy token costs to hash (SHA-256), the other way secrets are stored.
  const sha: number[] = [];
  for (let i = 0; i < iterations * 100; i++) {
    const t0 = performance.now();
    createHash("sha256")
      .update(secrets[i % secrets.length] as string)
      .digest();
    sha.push(performance.now() - t0);
  }
  return { argon2id: stats(argon), sha256: stats(sha) };
}

export interface LoginRun {
  logins: number;
  perSecond: number;
  failures: Record<string, number>;
  /** Latency of the verify request alone (the server's part of a login). */
  verify: TimingStats;
}

async function loop(
  seconds: number,
  workers: number,
  one: (worker: number) => Promise<{ ok: boolean; reason?: string; verifyMs: number }>,
): Promise<LoginRun> {
  const deadline = performance.now() + seconds * 1000;
  const failures: Record<string, number> = {};
  const verifyMs: number[] = [];
  let logins = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_x, w) => {
      while (performance.now() < deadline) {
        const r = await one(w);
        verifyMs.push(r.verifyMs);
        if (r.ok) logins += 1;
        else failures[r.reason ?? "?"] = (failures[r.reason ?? "?"] ?? 0) + 1;
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  return { logins, perSecond: logins / elapsed, failures, verify: stats(verifyMs) };
}

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { "content-type": "application/json", origin: ORIGIN, ...headers },
  body: JSON.stringify(body),
});

/**
 * Sign-In with Ethereum end to end over HTTP: nonce → EIP-4361 message signed by a viem wallet
 * (secp256k1, in this process) → verify (parse, domain/uri/chain/time checks, signature recovery,
 * nonce consumed, user and session made, tokens signed). One wallet per worker.
 */
export async function siweLogins(authUrl: string, seconds: number, workers = 8): Promise<LoginRun> {
  const accounts = Array.from({ length: workers }, () => privateKeyToAccount(generatePrivateKey()));
  return loop(seconds, workers, async (w) => {
    const account = accounts[w] as (typeof accounts)[number];
    const { nonce } = (await (await fetch(`${authUrl}/auth/siwe/nonce`)).json()) as { nonce: string };
    const message = [
      "localhost:3000 wants you to sign in with your Ethereum account:",
      account.address,
      "",
      "Sign in to Atlas",
      "",
      `URI: ${ORIGIN}`,
      "Version: 1",
      "Chain ID: 1",
      `Nonce: ${nonce}`,
      `Issued At: ${new Date().toISOString()}`,
    ].join("\n");
    const signature = await account.signMessage({ message });
    const t0 = performance.now();
    const res = await fetch(`${authUrl}/auth/siwe/verify`, json({ message, signature }));
    const verifyMs = performance.now() - t0;
    const text = await res.text();
    return { ok: res.status === 200, reason: `${res.status} ${text.slice(0, 100)}`, verifyMs };
  });
}

/**
 * Passkey login end to end over HTTP with a software authenticator (P-256, ES256): options →
 * assertion → verify (challenge consumed, signature, counter compare-and-set, session made).
 * Each worker registers its own passkey first (as a logged-in user), so counters never collide.
 */
export async function passkeyLogins(
  authUrl: string,
  seconds: number,
  accessTokens: string[],
  workers = 8,
): Promise<LoginRun> {
  const authenticators: SoftAuthenticator[] = [];
  for (let w = 0; w < workers; w++) {
    const auth = { authorization: `Bearer ${accessTokens[w]}` };
    const options = await (await fetch(`${authUrl}/auth/passkey/register/options`, json({}, auth))).json();
    const authenticator = new SoftAuthenticator(ORIGIN);
    const res = await fetch(
      `${authUrl}/auth/passkey/register/verify`,
      json({ response: authenticator.create(options as never) }, auth),
    );
    if (res.status !== 201) throw new Error(`passkey registration: ${res.status} ${await res.text()}`);
    authenticators.push(authenticator);
  }
  return loop(seconds, workers, async (w) => {
    const authenticator = authenticators[w] as SoftAuthenticator;
    const options = (await (await fetch(`${authUrl}/auth/passkey/login/options`, json({}))).json()) as {
      challenge: string;
    };
    const response = authenticator.get(options);
    const t0 = performance.now();
    const res = await fetch(`${authUrl}/auth/passkey/login/verify`, json({ response }));
    const verifyMs = performance.now() - t0;
    const text = await res.text();
    return { ok: res.status === 200, reason: `${res.status} ${text.slice(0, 100)}`, verifyMs };
  });
}
