import { type MfaChallenge, parseMfaMethods } from "./auth.ts";

/**
 * The pending second step of a login, kept in this tab's sessionStorage so that a reload during
 * the MFA challenge does not lose the sign-in. Only the single-use mfaToken (5 answers, 5
 * minutes) is kept, never a session token; it is removed on success, cancel, sign-out and expiry.
 */
const KEY = "atlas.pending-mfa";
/** service-auth's mfa_token lifetime (CHALLENGE_KINDS.mfa_token.ttlMs): 5 minutes from issue. */
export const MFA_TOKEN_LIFETIME_MS = 5 * 60_000;

interface Stored {
  mfaToken: string;
  methods: string[];
  detail: string;
  expiresAt: number;
}

function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage disabled: a reload starts over, as before
  }
}

/** Keeps a login's challenge (one with a token to answer) until it expires. */
export function savePendingMfa(challenge: MfaChallenge, now = Date.now()): void {
  if (!challenge.mfaToken) return;
  const stored: Stored = {
    mfaToken: challenge.mfaToken,
    methods: challenge.methods,
    detail: challenge.detail,
    expiresAt: now + MFA_TOKEN_LIFETIME_MS,
  };
  try {
    storage()?.setItem(KEY, JSON.stringify(stored));
  } catch {
    // quota or privacy mode: nothing kept
  }
}

export function clearPendingMfa(): void {
  storage()?.removeItem(KEY);
}

/** The kept challenge if it is still alive; an expired or malformed one is removed. */
export function loadPendingMfa(now = Date.now()): (MfaChallenge & { expiresAt: number }) | null {
  const raw = storage()?.getItem(KEY);
  if (!raw) return null;
  try {
    const s = JSON.parse(raw) as Partial<Stored>;
    if (
      typeof s.mfaToken === "string" &&
      s.mfaToken !== "" &&
      typeof s.expiresAt === "number" &&
      s.expiresAt > now &&
      s.expiresAt <= now + MFA_TOKEN_LIFETIME_MS
    ) {
      return {
        mfaToken: s.mfaToken,
        methods: parseMfaMethods(s.methods),
        detail: typeof s.detail === "string" ? s.detail : "",
        expiresAt: s.expiresAt,
      };
    }
  } catch {
    // malformed: dropped below
  }
  clearPendingMfa();
  return null;
}
