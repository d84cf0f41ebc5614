import { AppError } from "@atlas/errors";
import type { Deps } from "../../../ports.ts";
import { userForProvenAddress } from "../../accounts/user.service.ts";
import { recordAudit } from "../../audit/audit.service.ts";
import { consumeChallenge } from "../../challenges/challenge-store.ts";
import { completeLogin } from "../../login/complete-login.ts";
import type { RequestContext } from "../../login/request-context.ts";
import { countLogin } from "../../platform/business-metrics.ts";
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
