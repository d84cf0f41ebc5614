import { createRequire } from "node:module";
import { AppError } from "@atlas/errors";
import type { Identity } from "../../../../generated/prisma/client.ts";
import type { Deps } from "../../../ports.ts";
import { userForProvenAddress } from "../../accounts/user.service.ts";
import { recordAudit } from "../../audit/audit.service.ts";
import {
  CHALLENGE_KINDS,
  type ChallengeFailure,
  consumeChallenge,
  issueChallenge,
  lastIssuedAt,
} from "../../challenges/challenge-store.ts";
import { completeLogin } from "../../login/complete-login.ts";
import { assertNotBackedOff, recordLoginFailure } from "../../login/lockout.service.ts";
import type { RequestContext } from "../../login/request-context.ts";
import { smsCodeText } from "../../notifications/templates.ts";
import { countLogin } from "../../platform/business-metrics.ts";
import { sha256Hex } from "../../platform/crypto.ts";
import type { ResolvedTenant } from "../../tenancy/tenant.service.ts";
import type { TokenResponse } from "../../tokens/session.service.ts";

export const OTP_TTL_MS = CHALLENGE_KINDS.sms_otp.ttlMs;
export const OTP_MAX_ATTEMPTS = CHALLENGE_KINDS.sms_otp.maxAttempts;

/**
 * libphonenumber-js (its metadata is large) loads at the first phone number checked, not at boot;
 * required, not imported, because request validation (zod) and rate-limit keys call this synchronously.
 */
let phoneLib: typeof import("libphonenumber-js") | undefined;

/** The E.164 form of a valid phone number, or null. Only full international numbers are accepted. */
export function normalisePhone(input: string): string | null {
  const trimmed = input.trim();
  if (!/^\+[1-9]\d{6,14}$/.test(trimmed)) return null;
  phoneLib ??= createRequire(import.meta.url)("libphonenumber-js") as typeof import("libphonenumber-js");
  const parsed = phoneLib.parsePhoneNumberFromString(trimmed);
  return parsed?.isValid() ? parsed.number : null;
}

const invalid = () => new AppError("INVALID_CREDENTIALS", { detail: "The code is invalid or expired" });

/** The audit log's reason for each way a code is refused. */
const FAILURE_REASONS: Record<ChallengeFailure, string> = {
  unknown: "no_live_code",
  foreign_tenant: "no_live_code",
  foreign_user: "no_live_code",
  expired: "no_live_code",
  used: "attempts_exhausted",
  exhausted: "attempts_exhausted",
  rejected: "wrong_code",
  raced: "already_used",
};

/** Why a code is sent: to log in, or to add the number to a logged-in user's account. */
export type SmsPurpose = { kind: "login" } | { kind: "link"; userId: string };

/**
 * Sends a 6-digit code. Earlier codes for the number die (only the latest works); a new code
 * within the resend cooldown is refused with Retry-After.
 */
export async function startSmsOtp(
  deps: Deps,
  input: { tenant: ResolvedTenant; phone: string; context: RequestContext; purpose?: SmsPurpose },
): Promise<void> {
  const purpose = input.purpose ?? { kind: "login" };
  const now = deps.now();
  const cooldownMs = deps.config.SMS_RESEND_COOLDOWN_SEC * 1000;
  const last = await lastIssuedAt(deps, "sms_otp", { tenantId: input.tenant.id, subject: input.phone });
  if (last && now.getTime() - last.getTime() < cooldownMs) {
    const wait = Math.ceil((last.getTime() + cooldownMs - now.getTime()) / 1000);
    throw new AppError("RATE_LIMITED", {
      detail: "A code was sent moments ago",
      headers: { "Retry-After": String(wait) },
    });
  }
  // Issuing kills the number's earlier codes: only the latest works.
  const code = await issueChallenge(
    deps,
    "sms_otp",
    { tenantId: input.tenant.id, subject: input.phone, data: {} },
    (tx, issuedAt) =>
      recordAudit(
        tx,
        {
          eventType: "sms_code_requested",
          tenantId: input.tenant.id,
          userId: purpose.kind === "link" ? purpose.userId : null,
          context: input.context,
          details: { phoneHash: sha256Hex(input.phone), purpose: purpose.kind },
        },
        issuedAt,
      ),
  );
  const text = smsCodeText({ purpose: purpose.kind, code, tenantName: input.tenant.name });
  void deps.sms.send({ to: input.phone, text, code }).catch((error: unknown) => {
    deps.logger.error({ err: error instanceof Error ? error.message : String(error) }, "SMS code delivery failed");
  });
}

/**
 * Checks and consumes a code. Each attempt is counted before the comparison (atomically, so
 * parallel guesses cannot exceed the budget); after OTP_MAX_ATTEMPTS the code is dead, even for
 * the right digits. Failures are audited and answer 401 INVALID_CREDENTIALS.
 */
async function consumeSmsOtp(
  deps: Deps,
  input: { tenant: ResolvedTenant; phone: string; code: string; context: RequestContext; userId?: string },
): Promise<void> {
  const now = deps.now();
  const account = { identifier: `phone:${input.phone}` };
  const fail = async (reason: string) => {
    // Every failed verification counts against the number (and this IP), whatever the reason.
    await recordLoginFailure(deps, { tenant: input.tenant, account, context: input.context });
    countLogin(deps, "sms", "failure");
    await recordAudit(
      deps.prisma,
      {
        eventType: "login_failure",
        tenantId: input.tenant.id,
        userId: input.userId ?? null,
        context: input.context,
        details: { method: "sms", reason, purpose: input.userId ? "link" : "login" },
      },
      now,
    );
    return invalid();
  };
  await assertNotBackedOff(deps, { tenant: input.tenant, account, context: input.context });
  const consumed = await consumeChallenge(deps, "sms_otp", input.code, {
    tenantId: input.tenant.id,
    subject: input.phone,
  });
  if (!consumed.ok) throw await fail(FAILURE_REASONS[consumed.reason]);
}

/** Logs in with a code: the first login creates the user. */
export async function verifySmsOtp(
  deps: Deps,
  input: { tenant: ResolvedTenant; phone: string; code: string; context: RequestContext },
): Promise<TokenResponse> {
  await consumeSmsOtp(deps, input);
  const now = deps.now();
  const user = await userForProvenAddress(
    deps,
    { tenantId: input.tenant.id, address: { kind: "phone", value: input.phone }, context: input.context },
    now,
  );
  if (user.deletedAt) throw invalid();
  return completeLogin(deps, { user, tenant: input.tenant, method: "sms", amr: ["sms"], context: input.context });
}

/**
 * Explicit linking with a code sent by {@link startSmsOtp} (purpose link): the number becomes one
 * of the user's identities (and their phone, if they had none). A number that belongs to another
 * user is a 409 CONFLICT: accounts are never merged implicitly.
 */
export async function linkPhone(
  deps: Deps,
  input: { tenant: ResolvedTenant; userId: string; phone: string; code: string; context: RequestContext },
): Promise<Identity> {
  await consumeSmsOtp(deps, input);
  const now = deps.now();
  const { tenant, phone, userId } = input;
  return deps.prisma.$transaction(async (tx) => {
    const existing = await tx.identity.findUnique({
      where: { tenantId_provider_subject: { tenantId: tenant.id, provider: "sms", subject: phone } },
    });
    const owner = await tx.user.findUnique({ where: { tenantId_phone: { tenantId: tenant.id, phone } } });
    if ((existing && existing.userId !== userId) || (owner && owner.id !== userId)) {
      throw new AppError("CONFLICT", { detail: "This number belongs to another account" });
    }
    if (existing) return existing;
    const user = await tx.user.findUniqueOrThrow({ where: { id: userId } });
    if (!user.phone) await tx.user.update({ where: { id: userId }, data: { phone, phoneVerifiedAt: now } });
    const identity = await tx.identity.create({
      data: { tenantId: tenant.id, userId, provider: "sms", subject: phone, createdAt: now },
    });
    await recordAudit(
      tx,
      {
        eventType: "identity_linked",
        tenantId: tenant.id,
        userId,
        context: input.context,
        details: { provider: "sms" },
      },
      now,
    );
    return identity;
  });
}
