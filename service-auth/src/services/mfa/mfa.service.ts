import { AppError } from "@atlas/errors";
import type { Deps, Principal } from "../../ports.ts";
import { recordAudit } from "../audit/audit.service.ts";
import {
  CHALLENGE_KINDS,
  type ChallengeData,
  consumeChallenge,
  findLiveChallenge,
  issueChallenge,
} from "../challenges/challenge-store.ts";
import { assertNotBackedOff, clearPairBackoff, recordLoginFailure } from "../login/lockout.service.ts";
import type { RequestContext } from "../login/request-context.ts";
import { countLogin } from "../platform/business-metrics.ts";
import { constantTimeEqual, sha256Hex } from "../platform/crypto.ts";
import type { ResolvedTenant } from "../tenancy/tenant.service.ts";
import { createSession, stepUpSession, type TokenResponse } from "../tokens/session.service.ts";
import { consumeBackupCode, consumeTotp, replaceBackupCodes } from "./mfa-factors.service.ts";

export const MFA_TOKEN_TTL_MS = CHALLENGE_KINDS.mfa_token.ttlMs;
export const MFA_MAX_ATTEMPTS = CHALLENGE_KINDS.mfa_token.maxAttempts;

/** Second factors a user can answer with; `totp_setup` when the tenant demands one not yet enrolled. */
export type MfaMethod = "totp" | "webauthn" | "backup_code" | "totp_setup";

type MfaTokenData = ChallengeData<"mfa_token">;

/** The user's enrolled second factors: none until TOTP is enabled. */
export async function mfaMethodsOf(deps: Pick<Deps, "prisma">, userId: string): Promise<MfaMethod[]> {
  const settings = await deps.prisma.mFASettings.findUnique({ where: { userId } });
  if (!settings?.totpEnabled) return [];
  const methods: MfaMethod[] = ["totp"];
  if ((await deps.prisma.webAuthnCredential.count({ where: { userId } })) > 0) methods.push("webauthn");
  if ((await deps.prisma.backupCode.count({ where: { userId, usedAt: null } })) > 0) methods.push("backup_code");
  return methods;
}

export async function issueMfaToken(
  deps: Pick<Deps, "prisma" | "now" | "random">,
  input: { tenantId: string; userId: string; data: MfaTokenData; methods: MfaMethod[]; context: RequestContext },
): Promise<AppError> {
  const now = deps.now();
  const token = await issueChallenge(deps, "mfa_token", {
    tenantId: input.tenantId,
    userId: input.userId,
    data: input.data,
  });
  await recordAudit(
    deps.prisma,
    {
      eventType: "mfa_challenge",
      tenantId: input.tenantId,
      userId: input.userId,
      context: input.context,
      details: { purpose: input.data.purpose, methods: input.methods },
    },
    now,
  );
  return new AppError("MFA_REQUIRED", {
    detail: "A second factor is required",
    extensions: { mfaToken: token, methods: input.methods },
  });
}

/**
 * Step-up for sensitive operations: users with MFA need a verification at most
 * MFA_STEP_UP_MAX_AGE_MIN old on this session, else 401 MFA_REQUIRED (with an `mfaToken` that
 * `POST /auth/mfa/verify` turns into a fresh access token). Users without MFA pass.
 */
export async function assertRecentMfa(
  deps: Deps,
  input: { principal: Principal; tenant: ResolvedTenant; context: RequestContext },
): Promise<void> {
  const { principal } = input;
  const methods = await mfaMethodsOf(deps, principal.userId);
  if (methods.length === 0) return;
  const session = await deps.prisma.session.findUnique({ where: { id: principal.sessionId } });
  const maxAgeMs = deps.config.MFA_STEP_UP_MAX_AGE_MIN * 60_000;
  if (session?.mfaVerifiedAt && deps.now().getTime() - session.mfaVerifiedAt.getTime() <= maxAgeMs) return;
  throw await issueMfaToken(deps, {
    tenantId: input.tenant.id,
    userId: principal.userId,
    data: { purpose: "step_up", amr: session?.amr ?? principal.amr, sessionId: principal.sessionId },
    methods,
    context: input.context,
  });
}

export interface MfaAnswer {
  code?: string | undefined;
  backupCode?: string | undefined;
  /** A WebAuthn assertion, checked (after the attempt is counted) by this callback: its owner's id. */
  webauthn?: (() => Promise<string>) | undefined;
}

export type MfaResult =
  | {
      purpose: "login";
      tokens: TokenResponse;
      deviceToken: string | null;
      backupCodes?: string[];
      backupCodesRemaining?: number;
    }
  | { purpose: "step_up"; tokens: Omit<TokenResponse, "refreshToken">; backupCodesRemaining?: number };

/**
 * Completes an MFA challenge. Each call spends one of the token's 5 attempts (atomically,
 * before the factor is checked); the 5th failure kills it. An unknown, used, expired or spent
 * token is 401 INVALID_TOKEN; a wrong factor 401 INVALID_CREDENTIALS. Audited either way.
 */
export async function verifyMfa(
  deps: Deps,
  input: { tenant: ResolvedTenant; mfaToken: string; answer: MfaAnswer; trustDevice: boolean; context: RequestContext },
): Promise<MfaResult> {
  const now = deps.now();
  const { tenant, context } = input;
  const audit = (eventType: "mfa_success" | "mfa_failure", userId: string | null, details: Record<string, unknown>) =>
    recordAudit(deps.prisma, { eventType, tenantId: tenant.id, userId, context, details }, now);
  // The attempt is spent before the factor is checked; the 5th failure kills the token.
  const outcome: { enrolling?: boolean; factor?: "otp" | "backup_code" | "hwk"; backupCodesRemaining?: number } = {};
  const consumed = await consumeChallenge(deps, "mfa_token", input.mfaToken, {
    tenantId: tenant.id,
    verify: async ({ userId }) => {
      if (!userId) return false;
      await assertNotBackedOff(deps, { tenant, account: { userId }, context });
      const enrolling = (await mfaMethodsOf(deps, userId)).length === 0;
      outcome.enrolling = enrolling;
      if (input.answer.code !== undefined) {
        if (await consumeTotp(deps, userId, input.answer.code)) outcome.factor = "otp";
      } else if (input.answer.backupCode !== undefined && !enrolling) {
        const remaining = await consumeBackupCode(deps, userId, input.answer.backupCode);
        if (remaining !== null) {
          outcome.factor = "backup_code";
          outcome.backupCodesRemaining = remaining;
          await recordAudit(
            deps.prisma,
            { eventType: "backup_code_used", tenantId: tenant.id, userId, context, details: { remaining } },
            now,
          );
        }
      } else if (input.answer.webauthn !== undefined && !enrolling) {
        const owner = await input.answer.webauthn().catch(() => null);
        if (owner === userId) outcome.factor = "hwk";
      }
      return outcome.factor !== undefined;
    },
  });
  if (!consumed.ok) {
    if (consumed.reason === "raced")
      throw new AppError("INVALID_TOKEN", { detail: "This MFA session was already used" });
    if (consumed.reason === "rejected" && consumed.challenge.userId) {
      const { userId, attempts, data } = consumed.challenge;
      await audit("mfa_failure", userId, { reason: "wrong_factor", attempt: attempts, purpose: data.purpose });
      await recordLoginFailure(deps, { tenant, account: { userId }, context, userId });
      if (data.purpose !== "step_up") countLogin(deps, "mfa", "failure");
      throw new AppError("INVALID_CREDENTIALS", { detail: "The second factor was not accepted" });
    }
    await audit("mfa_failure", null, { reason: "invalid_mfa_token" });
    throw new AppError("INVALID_TOKEN", { detail: "This MFA session is invalid, used or expired; log in again" });
  }
  const { userId, data } = consumed.challenge;
  const { factor, enrolling, backupCodesRemaining } = outcome;
  // Accepted means `verify` found both (which the types cannot know).
  if (!userId || !factor) throw new Error("an accepted MFA token without its user or factor");
  await clearPairBackoff(deps, { tenant, account: { userId }, context });
  await audit("mfa_success", userId, { factor, purpose: data.purpose, ...(enrolling ? { enrolled: "totp" } : {}) });

  const amr = [...new Set([...data.amr, factor, "mfa"])];
  if (data.purpose === "step_up" && data.sessionId) {
    const tokens = await stepUpSession(deps, { sessionId: data.sessionId, amr, audience: tenant.jwtAudience });
    return { purpose: "step_up", tokens, ...(backupCodesRemaining !== undefined ? { backupCodesRemaining } : {}) };
  }
  // Enrolment required by the tenant: the code just proved the new secret; TOTP is on now.
  const backupCodes = enrolling
    ? await deps.prisma.$transaction(async (tx) => {
        await tx.mFASettings.update({ where: { userId }, data: { totpEnabled: true, totpEnabledAt: now } });
        await recordAudit(tx, { eventType: "totp_enabled", tenantId: tenant.id, userId, context }, now);
        return replaceBackupCodes(tx, deps.random, userId, now);
      })
    : undefined;
  const user = await deps.prisma.user.findUniqueOrThrow({ where: { id: userId } });
  const tokens = await createSession(deps, { user, audience: tenant.jwtAudience, amr, context, mfaVerified: true });
  const deviceToken = input.trustDevice ? await trustDevice(deps, { userId, tenantId: tenant.id, context }) : null;
  // The first factor was counted as `mfa_required` under its method; the login ends here.
  countLogin(deps, "mfa", "success");
  return {
    purpose: "login",
    tokens,
    deviceToken,
    ...(backupCodes ? { backupCodes } : {}),
    ...(backupCodesRemaining !== undefined ? { backupCodesRemaining } : {}),
  };
}

/**
 * For a tenant that requires MFA: a user without a second factor enrols TOTP with the
 * `mfaToken` of their login (no session exists yet), then answers `/auth/mfa/verify` with a code.
 */
export async function mfaTokenOwner(deps: Pick<Deps, "prisma" | "now">, tenant: ResolvedTenant, mfaToken: string) {
  const challenge = await findLiveChallenge(deps, "mfa_token", mfaToken, { tenantId: tenant.id });
  if (!challenge?.userId)
    throw new AppError("INVALID_TOKEN", { detail: "This MFA session is invalid, used or expired" });
  return deps.prisma.user.findUniqueOrThrow({ where: { id: challenge.userId } });
}

// ─── trusted devices ─────────────────────────────────────────────────────────────────────────

/**
 * Trusts this device for MFA_TRUSTED_DEVICE_DAYS: a random token (`id.secret`) for an HttpOnly
 * cookie; the row keeps SHA-256(secret) and the device hash it is bound to.
 */
async function trustDevice(
  deps: Pick<Deps, "prisma" | "now" | "config" | "random">,
  input: { userId: string; tenantId: string; context: RequestContext },
): Promise<string> {
  const now = deps.now();
  const secret = deps.random.token(32);
  const device = await deps.prisma.trustedDevice.create({
    data: {
      userId: input.userId,
      deviceHash: input.context.deviceHash ?? "",
      tokenHash: sha256Hex(secret),
      label: input.context.userAgent?.slice(0, 120) ?? null,
      createdAt: now,
      expiresAt: new Date(now.getTime() + deps.config.MFA_TRUSTED_DEVICE_DAYS * 86_400_000),
    },
  });
  await recordAudit(
    deps.prisma,
    {
      eventType: "trusted_device_added",
      tenantId: input.tenantId,
      userId: input.userId,
      context: input.context,
      details: { deviceId: device.id },
    },
    now,
  );
  return `${device.id}.${secret}`;
}

/** Whether the request carries a live trusted-device token of this user, from the same device. */
export async function isTrustedDevice(
  deps: Pick<Deps, "prisma" | "now">,
  userId: string,
  context: RequestContext,
): Promise<boolean> {
  const [id, secret] = (context.deviceToken ?? "").split(".");
  if (!id || !secret || !/^[0-9a-f-]{36}$/.test(id)) return false;
  const now = deps.now();
  const device = await deps.prisma.trustedDevice.findUnique({ where: { id } });
  if (!device || device.userId !== userId || device.revokedAt || device.expiresAt <= now) return false;
  if (!constantTimeEqual(device.tokenHash, sha256Hex(secret))) return false;
  if (device.deviceHash !== (context.deviceHash ?? "")) return false;
  await deps.prisma.trustedDevice.update({ where: { id }, data: { lastUsedAt: now } });
  return true;
}
