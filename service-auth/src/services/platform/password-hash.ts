// OWASP's argon2id recommendation (m = 19 MiB, t = 2, p = 1): 12–16 ms a hash on the 2-vCPU CI machine
// with @node-rs/argon2 (bench/RESULTS.md). OWASP's cheaper-looking alternatives (m 12 MiB t 3, m 9 MiB t 4 …)
// cost the same by design; going faster means going below OWASP's minimum, which we do not.
const ARGON2ID = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** The native argon2 binding loads at the first code hashed or checked, not at boot. */
const argon2 = () => import("@node-rs/argon2");

/** argon2id PHC string of a low-entropy secret (OTP and backup codes). */
export async function hashLowEntropySecret(secret: string): Promise<string> {
  return (await argon2()).hash(secret, ARGON2ID);
}

/** Constant-time verification against a PHC string; false on any malformed input. */
export async function verifyLowEntropySecret(phc: string, secret: string): Promise<boolean> {
  const { verify } = await argon2();
  try {
    return await verify(phc, secret);
  } catch {
    return false;
  }
}
