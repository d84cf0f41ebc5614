// Issue 20 item 3: argon2id (OWASP's minimum, m = 19 MiB, t = 2) must not stall other requests.
// service-auth's `GET /health` is driven at a fixed rate (so that its p99 is a latency, not a
// queue the load generator builds) for DURATION seconds alone, then again while 50 concurrent
// workers answer MFA challenges with backup codes over HTTP (`POST /auth/mfa/verify`: each
// request checks the typed code against the user's unused codes, one argon2id verification per
// code until one matches). Target: the p99 grows at most 2×.
import autocannon from "autocannon";
import type { Deps } from "../service-auth/src/ports.ts";
import { issueMfaToken } from "../service-auth/src/services/mfa/mfa.service.ts";
import { replaceBackupCodes } from "../service-auth/src/services/mfa/mfa-factors.service.ts";

export interface HashingRun {
  /** `/health` at a fixed rate, alone. */
  alone: { p50: number; p99: number; rps: number };
  /** The same, while the verifications run. */
  loaded: { p50: number; p99: number; rps: number };
  /** p99 loaded ÷ p99 alone. */
  ratio: number;
  /** Backup-code verifications answered 200 during the loaded run, and per second. */
  verifications: number;
  verificationsPerSec: number;
  /** Verification requests that did not answer 200 (must be 0). */
  failures: number;
  concurrency: number;
  healthRate: number;
}

const CONTEXT = { ipAddress: "127.0.0.1", userAgent: "bench-hashing", deviceHash: null };

/** A user with TOTP on and 10 backup codes, and one MFA token per code (each answers one login). */
async function prepareUser(deps: Deps, tenantId: string, i: number): Promise<{ token: string; code: string }[]> {
  const user = await deps.prisma.user.create({ data: { tenantId, email: `hashing${i}@example.test` } });
  await deps.prisma.mFASettings.create({ data: { userId: user.id, totpEnabled: true, totpEnabledAt: deps.now() } });
  const codes = await deps.prisma.$transaction((tx) => replaceBackupCodes(tx, deps.random, user.id, deps.now()));
  const out = [];
  for (const code of codes) {
    const challenge = await issueMfaToken(deps, {
      tenantId,
      userId: user.id,
      data: { purpose: "login", amr: ["email"] },
      methods: ["totp", "backup_code"],
      context: CONTEXT,
    });
    out.push({ token: String(challenge.extensions?.mfaToken), code });
  }
  return out;
}

async function healthAt(url: string, rate: number, seconds: number) {
  const r = await autocannon({ url, duration: seconds, connections: 4, overallRate: rate });
  if (r.non2xx + r.errors + r.timeouts > 0) throw new Error(`/health answered ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { p50: r.latency.p50, p99: r.latency.p99, rps: Math.round(r.requests.average) };
}

/**
 * Runs the measurement against a running service-auth (`authUrl`) whose database `deps` (built
 * by the bench on the same database) writes to.
 */
export async function hashingUnderLoad(
  deps: Deps,
  tenantId: string,
  authUrl: string,
  seconds: number,
  { concurrency = 50, healthRate = 500 } = {},
): Promise<HashingRun> {
  // Enough challenges that the workers never run dry before the loaded run ends (a verification
  // costs ~5 argon2id checks on average, ~15 ms each on one core).
  const users = Math.max(concurrency, Math.ceil((seconds * 200) / 10));
  const work: { token: string; code: string }[] = [];
  for (let i = 0; i < users; i++) work.push(...(await prepareUser(deps, tenantId, i)));

  const alone = await healthAt(`${authUrl}/health`, healthRate, seconds);
  let verifications = 0;
  let failures = 0;
  let stop = false;
  const worker = async () => {
    for (let next = work.pop(); next && !stop; next = work.pop()) {
      const res = await fetch(`${authUrl}/auth/mfa/verify`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ mfaToken: next.token, backupCode: next.code }),
      });
      await res.arrayBuffer();
      if (res.status === 200) verifications += 1;
      else failures += 1;
    }
  };
  const t0 = performance.now();
  const workers = Array.from({ length: concurrency }, worker);
  // Let every worker have a request in flight before measuring.
  await new Promise((r) => setTimeout(r, 500));
  const loaded = await healthAt(`${authUrl}/health`, healthRate, seconds);
  stop = true;
  await Promise.all(workers);
  const elapsed = (performance.now() - t0) / 1000;
  if (work.length === 0) throw new Error("the verification workers ran out of MFA challenges during the run");
  return {
    alone,
    loaded,
    ratio: loaded.p99 / Math.max(alone.p99, 1),
    verifications,
    verificationsPerSec: verifications / elapsed,
    failures,
    concurrency,
    healthRate,
  };
}
