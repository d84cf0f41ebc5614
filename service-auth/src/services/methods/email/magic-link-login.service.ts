import { AppError } from "@atlas/errors";
import type { Deps } from "../../../ports.ts";
import { userForProvenAddress } from "../../accounts/user.service.ts";
import { recordAudit } from "../../audit/audit.service.ts";
import { consumeChallenge } from "../../challenges/challenge-store.ts";
import { completeLogin } from "../../login/complete-login.ts";
import { assertNotBackedOff, recordLoginFailure } from "../../login/lockout.service.ts";
import type { RequestContext } from "../../login/request-context.ts";
import { countLogin } from "../../platform/business-metrics.ts";
import { sha256Hex } from "../../platform/crypto.ts";
import { verifyLowEntropySecret } from "../../platform/password-hash.ts";
import type { ResolvedTenant } from "../../tenancy/tenant.service.ts";
import type { TokenResponse } from "../../tokens/session.service.ts";

// The second step of an e-mail login, apart from the first (magic-link.service.ts): the login
// checks send magic links themselves (a risky login's stronger proof), so they import the first
// step, and this one ends in them.

/**
 * Completes an e-mail login: the link is consumed atomically (single use, unexpired, this
 * tenant's); the first login creates the user. Everything else is 401 INVALID_CREDENTIALS.
 */
export async function verifyMagicLink(
  deps: Deps,
  input: { tenant: ResolvedTenant; token: string; context: RequestContext },
): Promise<TokenResponse & { redirectTo: string | null }> {
  const now = deps.now();
  const consumed = await consumeChallenge(deps, "magic_link", input.token, { tenantId: input.tenant.id });
  if (!consumed.ok || !consumed.challenge.subject) {
    countLogin(deps, "email", "failure");
    await recordAudit(
      deps.prisma,
      {
        eventType: "login_failure",
        tenantId: input.tenant.id,
        context: input.context,
        details: { method: "email", reason: "invalid_link" },
      },
      now,
    );
    throw new AppError("INVALID_CREDENTIALS", { detail: "This sign-in link is invalid, used or expired" });
  }
  // One e-mail, one sign-in: the code that came with this link dies with it.
  await deps.prisma.authChallenge.updateMany({
    where: {
      tenantId: input.tenant.id,
      kind: "email_code",
      consumedAt: null,
      data: { path: ["linkHash"], equals: sha256Hex(input.token) },
    },
    data: { consumedAt: now },
  });
  const user = await userForProvenAddress(
    deps,
    {
      tenantId: input.tenant.id,
      address: { kind: "email", value: consumed.challenge.subject },
      context: input.context,
    },
    now,
  );
  if (user.deletedAt)
    throw new AppError("INVALID_CREDENTIALS", { detail: "This sign-in link is invalid, used or expired" });
  const redirectTo = consumed.challenge.data.redirectTo;
  try {
    const tokens = await completeLogin(deps, {
      user,
      tenant: input.tenant,
      method: "email",
      amr: ["email"],
      context: input.context,
    });
    return { ...tokens, redirectTo };
  } catch (error) {
    // The link is used up: an MFA step carries the flow's redirectTo (validated when the flow
    // started), so the page the sign-in began on is restored after the second factor.
    if (redirectTo && error instanceof AppError && error.code === "MFA_REQUIRED") {
      throw new AppError("MFA_REQUIRED", {
        detail: error.detail,
        extensions: { ...error.extensions, redirectTo },
        headers: error.headers,
      });
    }
    throw error;
  }
}

const badCode = () => new AppError("INVALID_CREDENTIALS", { detail: "The code is invalid or expired" });

/**
 * Completes an e-mail login with the 6-digit code of the mail, in the browser that started it:
 * `codeToken` names that pending sign-in (single use, 15 minutes, 5 attempts, each spent before
 * the code is checked). Failures count against the address like SMS codes do, are audited, and
 * answer 401 INVALID_CREDENTIALS; the first login creates the user.
 */
export async function verifyEmailCode(
  deps: Deps,
  input: { tenant: ResolvedTenant; codeToken: string; code: string; context: RequestContext },
): Promise<TokenResponse & { redirectTo: string | null }> {
  const now = deps.now();
  const fail = async (reason: string, email: string | null) => {
    if (email) {
      await recordLoginFailure(deps, {
        tenant: input.tenant,
        account: { identifier: `email:${email}` },
        context: input.context,
      });
    }
    countLogin(deps, "email", "failure");
    await recordAudit(
      deps.prisma,
      {
        eventType: "login_failure",
        tenantId: input.tenant.id,
        context: input.context,
        details: { method: "email", reason },
      },
      now,
    );
    return badCode();
  };
  const consumed = await consumeChallenge(deps, "email_code", input.codeToken, {
    tenantId: input.tenant.id,
    verify: async (challenge) => {
      await assertNotBackedOff(deps, {
        tenant: input.tenant,
        account: { identifier: `email:${challenge.data.email}` },
        context: input.context,
      });
      return verifyLowEntropySecret(challenge.data.codeHash, input.code);
    },
  });
  if (!consumed.ok) {
    const reason =
      consumed.reason === "rejected"
        ? "wrong_code"
        : consumed.reason === "exhausted"
          ? "attempts_exhausted"
          : "no_live_code";
    throw await fail(reason, consumed.challenge?.data.email ?? null);
  }
  const { email, linkHash } = consumed.challenge.data;
  // One e-mail, one sign-in: the link that came with this code dies with it.
  await deps.prisma.magicLink.updateMany({
    where: { tenantId: input.tenant.id, tokenHash: linkHash, consumedAt: null },
    data: { consumedAt: now },
  });
  const user = await userForProvenAddress(
    deps,
    { tenantId: input.tenant.id, address: { kind: "email", value: email }, context: input.context },
    now,
  );
  if (user.deletedAt) throw badCode();
  const tokens = await completeLogin(deps, {
    user,
    tenant: input.tenant,
    method: "email",
    amr: ["email"],
    context: input.context,
  });
  return { ...tokens, redirectTo: consumed.challenge.data.redirectTo };
}
