// The checks every login passes through once its method proved the first factor, in order, as a
// table of small named functions (node-oidc-provider's interaction policy): risk → passkey →
// MFA → tenant MFA → step-up. Each check hands the login on, ends it with a session, or refuses
// it by throwing (403, or 401 MFA_REQUIRED naming what to prove next). `completeLogin`
// (complete-login.ts) runs them.
import { AppError } from "@atlas/errors";
import type { User } from "../../../generated/prisma/client.ts";
import type { Deps } from "../../ports.ts";
import { recordAudit } from "../audit/audit.service.ts";
import { startMagicLink } from "../methods/email/magic-link.service.ts";
import { issueMfaToken, isTrustedDevice, mfaMethodsOf } from "../mfa/mfa.service.ts";
import type { ResolvedTenant } from "../tenancy/tenant.service.ts";
import type { RequestContext } from "./request-context.ts";
import type { RiskAssessment } from "./risk.service.ts";

/** One login on its way through the checks. */
export interface LoginAttempt {
  user: User;
  tenant: ResolvedTenant;
  /** The factor(s) the method proved (`email`, `sms`, `hwk`, `wallet`, `fed`). */
  amr: string[];
  /** The request, with the risk assessment's location and score (every audit row carries them). */
  context: RequestContext;
  risk: RiskAssessment;
  /**
   * Stronger proof is due: the score reached the tenant's `challengeAt`, or the account is under
   * attack — whatever the score (lockout without DoS: the owner can still prove more).
   */
  elevated: boolean;
  /** When the risk was assessed: the time of the risk audit rows. */
  now: Date;
}

/** Hand the login to the next check, or end it here with a session (second factor verified or not). */
export type LoginVerdict = "next" | { mfaVerified: boolean };

export interface LoginCheck {
  name: "risk" | "passkey" | "mfa" | "tenant_mfa" | "step_up";
  check(deps: Deps, attempt: LoginAttempt): Promise<LoginVerdict>;
}

const NEXT: LoginVerdict = "next";

const riskAudit = (deps: Deps, a: LoginAttempt, eventType: "risk_denied" | "risk_challenge", outcome: string) =>
  recordAudit(
    deps.prisma,
    {
      eventType,
      tenantId: a.tenant.id,
      userId: a.user.id,
      context: a.context,
      details: { score: a.risk.score, reasons: a.risk.reasons, outcome },
    },
    a.now,
  );

/** A score at the tenant's `denyAt` refuses the login outright (403). */
async function risk(deps: Deps, a: LoginAttempt): Promise<LoginVerdict> {
  if (a.risk.score < a.tenant.risk.denyAt) return NEXT;
  await riskAudit(deps, a, "risk_denied", "denied");
  throw new AppError("FORBIDDEN", { detail: "This sign-in was blocked for your protection; try again later" });
}

/** A passkey with user verification is two factors in itself (possession + biometrics/PIN). */
async function passkey(_deps: Deps, a: LoginAttempt): Promise<LoginVerdict> {
  return a.amr.includes("hwk") ? { mfaVerified: true } : NEXT;
}

/**
 * A user with a second factor answers it (401 MFA_REQUIRED with a single-use `mfaToken` and the
 * methods), unless the device is one they trusted and the login does not look risky.
 */
async function mfa(deps: Deps, a: LoginAttempt): Promise<LoginVerdict> {
  const methods = await mfaMethodsOf(deps, a.user.id);
  if (methods.length === 0) return NEXT;
  if (!a.elevated && (await isTrustedDevice(deps, a.user.id, a.context))) return { mfaVerified: false };
  if (a.elevated) await riskAudit(deps, a, "risk_challenge", "second_factor");
  throw await issueMfaToken(deps, {
    tenantId: a.tenant.id,
    userId: a.user.id,
    data: { purpose: "login", amr: a.amr },
    methods,
    context: a.context,
  });
}

/** A tenant that requires MFA has a user without a second factor enrol one (TOTP) before any session. */
async function tenantMfa(deps: Deps, a: LoginAttempt): Promise<LoginVerdict> {
  if (!a.tenant.mfaRequired) return NEXT;
  throw await issueMfaToken(deps, {
    tenantId: a.tenant.id,
    userId: a.user.id,
    data: { purpose: "login", amr: a.amr },
    methods: ["totp_setup"],
    context: a.context,
  });
}

/**
 * Without a second factor, the stronger proof for a risky login is a fresh e-mail link: sent
 * now, unless the first factor already was one. (No e-mail address: nothing stronger exists;
 * the login proceeds, audited with its score.)
 */
async function stepUp(deps: Deps, a: LoginAttempt): Promise<LoginVerdict> {
  if (!a.elevated) return NEXT;
  if (!a.amr.includes("email") && a.user.email) {
    await riskAudit(deps, a, "risk_challenge", "email_link");
    await startMagicLink(deps, { tenant: a.tenant, email: a.user.email, redirectTo: null, context: a.context });
    throw new AppError("MFA_REQUIRED", {
      detail: "For your protection, confirm this sign-in with the link we just e-mailed you",
      extensions: { methods: ["email_link"] },
    });
  }
  await riskAudit(
    deps,
    a,
    "risk_challenge",
    a.amr.includes("email") ? "proven_by_email_link" : "allowed_no_stronger_factor",
  );
  return NEXT;
}

/** The checks of every login, in order. A login that passes them all gets a session (no second factor). */
export const LOGIN_CHECKS: readonly LoginCheck[] = [
  { name: "risk", check: risk },
  { name: "passkey", check: passkey },
  { name: "mfa", check: mfa },
  { name: "tenant_mfa", check: tenantMfa },
  { name: "step_up", check: stepUp },
];
