import { availableParallelism } from "node:os";
import { createLimiter } from "./limiter.ts";

// OWASP's argon2id recommendation (m = 19 MiB, t = 2, p = 1): 12–16 ms a hash on the 2-vCPU CI machine
// with @node-rs/argon2 (bench/RESULTS.md). OWASP's cheaper-looking alternatives (m 12 MiB t 3, m 9 MiB t 4 …)
// cost the same by design; going faster means going below OWASP's minimum, which we do not.
const ARGON2ID = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** The native argon2 binding loads at the first code hashed or checked, not at boot. */
const argon2 = () => import("@node-rs/argon2");

/**
 * Hashes run on libuv's threadpool (4 threads by default), off the event loop — but on a machine
 * with few cores, 4 hashes at once take every core, and the event loop (every other request)
 * waits for CPU time: with 50 concurrent verifications `/health`'s p99 grew far beyond 2×
 * (bench/hashing.ts). So at most (cores − 1) hashes run at once (at least one), leaving a core
 * to the event loop, and the rest queue in order. It also bounds hashing's memory at
 * (cores − 1) × 19 MiB instead of the threadpool's 4 × 19 MiB.
 */
export const HASH_CONCURRENCY = Math.max(1, availableParallelism() - 1);
const limit = createLimiter(HASH_CONCURRENCY);

/** argon2id PHC string of a low-entropy secret (OTP and backup codes). */
export async function hashLowEntropySecret(secret: string): Promise<string> {
  const { hash } = await argon2();
  return limit(() => hash(secret, ARGON2ID));
}

/** Constant-time verification against a PHC string; false on any malformed input. */
export async function verifyLowEntropySecret(phc: string, secret: string): Promise<boolean> {
  const { verify } = await argon2();
  try {
    return await limit(() => verify(phc, secret));
  } catch {
    return false;
  }
}
