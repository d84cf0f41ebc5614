// WebAuthn ceremonies: where one may happen, and how its challenge (kept by the challenge store:
// single use, 5 minutes, bound to the tenant, RP ID and origin, and the user when known) is read
// back from the browser's answer.
import { AppError } from "@atlas/errors";
import { z } from "zod";
import { CHALLENGE_KINDS, type ChallengeFailure } from "../../challenges/challenge-store.ts";
import type { ResolvedTenant } from "../../tenancy/tenant.service.ts";

/** api.md: WebAuthn challenges are stored server-side, single use, 5 minutes. */
export const PASSKEY_CHALLENGE_TTL_MS = CHALLENGE_KINDS.webauthn_login.ttlMs;

/** Where a ceremony happens: one of the tenant's allowed origins, and the RP ID it implies. */
export interface Ceremony {
  origin: string;
  rpID: string;
}

/**
 * The ceremony for a request's `Origin`: it must be one of the tenant's allowed origins (else 400
 * VALIDATION_FAILED); the RP ID is its host name, so passkeys are scoped to the site the user sees.
 */
export function ceremonyFor(tenant: ResolvedTenant, origin: string | undefined): Ceremony {
  if (origin && tenant.allowedOrigins.includes(origin)) {
    try {
      return { origin, rpID: new URL(origin).hostname };
    } catch {
      // A malformed allowed origin cannot host a ceremony: refused below like an unknown one.
    }
  }
  throw new AppError("VALIDATION_FAILED", { detail: "The Origin header must be one of the tenant's allowed origins" });
}

/** The WebAuthn user handle of a user: stable, and no personal data (the user id's bytes). */
export const userHandle = (userId: string) => Buffer.from(userId, "utf8");

const ClientData = z.looseObject({ type: z.string(), challenge: z.string().min(1), origin: z.string() });

/** The browser's clientDataJSON, or null when it is not the JSON WebAuthn prescribes. */
export function decodeClientData(encoded: string): z.infer<typeof ClientData> | null {
  try {
    const parsed = ClientData.safeParse(JSON.parse(Buffer.from(encoded, "base64url").toString("utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The audit log's reason when a response names no pending challenge it may use. */
export function challengeRefusal(failure: ChallengeFailure): string {
  return failure === "used" || failure === "raced" ? "reused_challenge" : `${failure}_challenge`;
}
