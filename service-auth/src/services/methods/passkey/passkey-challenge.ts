// WebAuthn challenges: where a ceremony may happen, and its challenge stored as a hash (single
// use, 5 minutes), bound to the tenant, RP ID and origin (and the user, when known).
import { AppError } from "@atlas/errors";
import { z } from "zod";
import type { AuthChallenge } from "../../../../generated/prisma/client.ts";
import type { Deps } from "../../../ports.ts";
import { sha256Hex } from "../../platform/crypto.ts";
import type { ResolvedTenant } from "../../tenancy/tenant.service.ts";

/** api.md: WebAuthn challenges are stored server-side, single use, 5 minutes. */
export const PASSKEY_CHALLENGE_TTL_MS = 5 * 60_000;
/** AuthChallenge kinds of the two ceremonies. */
export const REGISTER = "webauthn_register";
export const LOGIN = "webauthn_login";

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

/** What a stored challenge is bound to (and the name a registration asked for). */
export const ChallengeData = z.object({ rpID: z.string(), origin: z.string(), friendlyName: z.string().nullish() });
export type ChallengeData = z.infer<typeof ChallengeData>;

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

export async function storeChallenge(
  deps: Deps,
  input: { kind: string; tenantId: string; userId: string | null; challenge: string; data: ChallengeData },
): Promise<void> {
  const now = deps.now();
  await deps.prisma.authChallenge.create({
    data: {
      tenantId: input.tenantId,
      kind: input.kind,
      challengeHash: sha256Hex(input.challenge),
      userId: input.userId,
      data: input.data,
      createdAt: now,
      expiresAt: new Date(now.getTime() + PASSKEY_CHALLENGE_TTL_MS),
    },
  });
}

/**
 * Consumes the pending challenge the response answers: this kind, this tenant's (and user's, for a
 * registration), unused, unexpired, in one atomic update. On failure, the reason for the audit log.
 */
export async function consumeChallenge(
  deps: Deps,
  input: { kind: string; tenantId: string; userId?: string; challenge: string },
): Promise<{ challenge: AuthChallenge; data: ChallengeData } | { reason: string }> {
  const now = deps.now();
  const challengeHash = sha256Hex(input.challenge);
  const [challenge] = await deps.prisma.authChallenge.updateManyAndReturn({
    where: {
      challengeHash,
      kind: input.kind,
      tenantId: input.tenantId,
      ...(input.userId ? { userId: input.userId } : {}),
      consumedAt: null,
      expiresAt: { gt: now },
    },
    data: { consumedAt: now },
  });
  if (challenge) return { challenge, data: ChallengeData.parse(challenge.data) };
  const row = await deps.prisma.authChallenge.findUnique({ where: { challengeHash } });
  if (!row || row.kind !== input.kind) return { reason: "unknown_challenge" };
  if (row.tenantId !== input.tenantId) return { reason: "foreign_tenant_challenge" };
  if (input.userId && row.userId !== input.userId) return { reason: "foreign_user_challenge" };
  if (row.consumedAt) return { reason: "reused_challenge" };
  return { reason: "expired_challenge" };
}
