import { AppError } from "@atlas/errors";
import type { Deps } from "../../../ports.ts";
import { recordAudit } from "../../audit/audit.service.ts";
import { CHALLENGE_KINDS, issueChallenge } from "../../challenges/challenge-store.ts";
import { sixDigits } from "../../challenges/kinds.ts";
import type { RequestContext } from "../../login/request-context.ts";
import { magicLinkMail } from "../../notifications/templates.ts";
import { sha256Hex } from "../../platform/crypto.ts";
import { hashLowEntropySecret } from "../../platform/password-hash.ts";
import type { ResolvedTenant } from "../../tenancy/tenant.service.ts";

export const MAGIC_LINK_TTL_MS = CHALLENGE_KINDS.magic_link.ttlMs;

/** Lower-cased, trimmed: the one form an address is stored and compared in. */
export const normaliseEmail = (email: string) => email.trim().toLowerCase();

/** The pending sign-in a login page holds while the user reads the mail: where the code goes. */
export interface PendingEmailLogin {
  /** Names the pending sign-in when its 6-digit code is entered (POST /auth/email/verify-code). */
  codeToken: string;
  /** When the link and the code stop working. */
  expiresAt: Date;
}

/**
 * Refuses another link to an address whose previous link, still unused, was sent less than
 * EMAIL_RESEND_COOLDOWN_SEC ago (429 RATE_LIMITED with Retry-After), as SMS codes are. A used
 * link does not count: signing in again is not a resend. The answer is the same whether or not
 * an account has the address.
 */
export async function assertEmailResendAllowed(
  deps: Deps,
  input: { tenant: ResolvedTenant; email: string },
): Promise<void> {
  const cooldownMs = deps.config.EMAIL_RESEND_COOLDOWN_SEC * 1000;
  if (cooldownMs === 0) return;
  const now = deps.now();
  const last = await deps.prisma.magicLink.findFirst({
    where: {
      tenantId: input.tenant.id,
      email: normaliseEmail(input.email),
      consumedAt: null,
      createdAt: { gt: new Date(now.getTime() - cooldownMs) },
    },
    orderBy: { createdAt: "desc" },
    select: { createdAt: true },
  });
  if (!last) return;
  const wait = Math.max(1, Math.ceil((last.createdAt.getTime() + cooldownMs - now.getTime()) / 1000));
  throw new AppError("RATE_LIMITED", {
    detail: "A sign-in link was sent to this address moments ago",
    headers: { "Retry-After": String(wait) },
  });
}

/**
 * Starts an e-mail login. The work does not depend on whether an account exists (no lookup
 * happens here), and the e-mail is sent after the response is decided, so status, body and
 * timing say nothing about the address. With `withCode` (the login page), the mail also carries
 * a 6-digit code, and the answer names the pending sign-in it opens.
 */
export async function startMagicLink(
  deps: Deps,
  input: {
    tenant: ResolvedTenant;
    email: string;
    redirectTo: string | null;
    context: RequestContext;
    withCode?: boolean;
  },
): Promise<PendingEmailLogin | null> {
  const email = normaliseEmail(input.email);
  const token = await issueChallenge(
    deps,
    "magic_link",
    {
      tenantId: input.tenant.id,
      subject: email,
      data: { redirectTo: input.redirectTo, ipAddress: input.context.ipAddress },
    },
    (tx, now) =>
      recordAudit(
        tx,
        {
          eventType: "magic_link_requested",
          tenantId: input.tenant.id,
          context: input.context,
          details: { emailHash: sha256Hex(email) },
        },
        now,
      ),
  );
  let pending: PendingEmailLogin | null = null;
  let code: string | undefined;
  if (input.withCode) {
    code = sixDigits(deps.random);
    const codeHash = await hashLowEntropySecret(code);
    const codeToken = await issueChallenge(deps, "email_code", {
      tenantId: input.tenant.id,
      data: { email, codeHash, redirectTo: input.redirectTo, linkHash: sha256Hex(token) },
    });
    pending = { codeToken, expiresAt: new Date(deps.now().getTime() + CHALLENGE_KINDS.email_code.ttlMs) };
  }
  const origin = input.redirectTo ? new URL(input.redirectTo).origin : deps.config.WEB_ORIGIN;
  const link = `${origin}/auth/callback?token=${token}`;
  const message = {
    to: email,
    ...magicLinkMail({
      tenantName: input.tenant.name,
      link,
      token,
      brand: input.tenant.brand,
      ...(code ? { code } : {}),
    }),
  };
  // Not awaited by the request: delivery time must not reveal anything, and a provider outage
  // must not turn into a different answer. Failures are logged (never with the link).
  void deps.email.send(message).catch((error: unknown) => {
    deps.logger.error({ err: error instanceof Error ? error.message : String(error) }, "magic-link e-mail failed");
  });
  return pending;
}
