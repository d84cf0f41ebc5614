import { AppError } from "@atlas/errors";
import type { User } from "../../../generated/prisma/client.ts";
import type { Deps } from "../../ports.ts";
import { recordAudit } from "../audit/audit.service.ts";
import { newDeviceMail } from "../notifications/templates.ts";
import { countLogin } from "../platform/business-metrics.ts";
import type { ResolvedTenant } from "../tenancy/tenant.service.ts";
import { createSession, type TokenResponse } from "../tokens/session.service.ts";
import { geoLabel } from "./geo.service.ts";
import { LOGIN_CHECKS, type LoginAttempt } from "./login-checks.ts";
import type { LoginMethod } from "./method-ids.ts";
import type { RequestContext } from "./request-context.ts";
import { assessLoginRisk } from "./risk.service.ts";

/**
 * Where every login method ends once its first factor is proven: the login's risk is assessed,
 * then it passes the checks of LOGIN_CHECKS in order (login-checks.ts). A user with MFA (or in a
 * tenant that requires it) on a device they have not trusted gets 401 MFA_REQUIRED with a
 * single-use `mfaToken` and the available methods; everyone else gets a session. A passkey with
 * user verification is two factors in itself and is not asked again.
 */
export async function completeLogin(
  deps: Deps,
  input: { user: User; tenant: ResolvedTenant; method: LoginMethod; amr: string[]; context: RequestContext },
): Promise<TokenResponse> {
  try {
    const tokens = await passLoginChecks(deps, input);
    countLogin(deps, input.method, "success");
    return tokens;
  } catch (error) {
    // 401 MFA_REQUIRED, 403 risk or lockout refusals: the outcome is the error's code.
    countLogin(deps, input.method, error instanceof AppError ? error.code.toLowerCase() : "error");
    throw error;
  }
}

async function passLoginChecks(
  deps: Deps,
  input: { user: User; tenant: ResolvedTenant; amr: string[]; context: RequestContext },
): Promise<TokenResponse> {
  const { user, tenant } = input;
  // Risk first: every check, and the audit rows, carry its score and location.
  const risk = await assessLoginRisk(deps, { user, tenant, context: input.context });
  const attempt: LoginAttempt = {
    user,
    tenant,
    amr: input.amr,
    risk,
    context: { ...input.context, geo: risk.geo, riskScore: risk.score },
    now: deps.now(),
    elevated: risk.score >= tenant.risk.challengeAt || risk.reasons.includes("account_under_attack"),
  };
  for (const { check } of LOGIN_CHECKS) {
    const verdict = await check(deps, attempt);
    if (verdict !== "next") return openSession(deps, attempt, verdict.mfaVerified);
  }
  return openSession(deps, attempt, false);
}

async function openSession(deps: Deps, attempt: LoginAttempt, mfaVerified: boolean): Promise<TokenResponse> {
  const { user, tenant, context } = attempt;
  const tokens = await createSession(deps, {
    user,
    audience: tenant.jwtAudience,
    amr: attempt.amr,
    context,
    mfaVerified,
  });
  if (attempt.risk.newDevice) await notifyNewDevice(deps, { user, tenant, context });
  return tokens;
}

/** Tells the user about a sign-in from a device they never used (fire and forget; audited). */
async function notifyNewDevice(
  deps: Deps,
  input: { user: User; tenant: ResolvedTenant; context: RequestContext },
): Promise<void> {
  const { user, tenant, context } = input;
  await recordAudit(
    deps.prisma,
    {
      eventType: "new_device",
      tenantId: tenant.id,
      userId: user.id,
      context,
      details: { notified: Boolean(user.email) },
    },
    deps.now(),
  );
  if (!user.email) return;
  const mail = newDeviceMail({
    tenantName: tenant.name,
    device: context.userAgent?.slice(0, 120) ?? "an unknown device",
    where: geoLabel(context.geo) ?? "an unknown location",
    at: deps.now(),
  });
  void deps.email.send({ to: user.email, ...mail }).catch((error: unknown) => {
    deps.logger.error({ err: error instanceof Error ? error.message : String(error) }, "new-device e-mail failed");
  });
}
