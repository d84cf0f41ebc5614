import type { Deps } from "../../../ports.ts";
import { recordAudit } from "../../audit/audit.service.ts";
import { CHALLENGE_KINDS, issueChallenge } from "../../challenges/challenge-store.ts";
import type { RequestContext } from "../../login/request-context.ts";
import { magicLinkMail } from "../../notifications/templates.ts";
import { sha256Hex } from "../../platform/crypto.ts";
import type { ResolvedTenant } from "../../tenancy/tenant.service.ts";

export const MAGIC_LINK_TTL_MS = CHALLENGE_KINDS.magic_link.ttlMs;

/** Lower-cased, trimmed: the one form an address is stored and compared in. */
export const normaliseEmail = (email: string) => email.trim().toLowerCase();

/**
 * Starts an e-mail login. The work does not depend on whether an account exists (no lookup
 * happens here), and the e-mail is sent after the response is decided, so status, body and
 * timing say nothing about the address.
 */
export async function startMagicLink(
  deps: Deps,
  input: { tenant: ResolvedTenant; email: string; redirectTo: string | null; context: RequestContext },
): Promise<void> {
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
  const origin = input.redirectTo ? new URL(input.redirectTo).origin : deps.config.WEB_ORIGIN;
  const link = `${origin}/auth/callback?token=${token}`;
  const message = {
    to: email,
    ...magicLinkMail({ tenantName: input.tenant.name, link, token, brand: input.tenant.brand }),
  };
  // Not awaited by the request: delivery time must not reveal anything, and a provider outage
  // must not turn into a different answer. Failures are logged (never with the link).
  void deps.email.send(message).catch((error: unknown) => {
    deps.logger.error({ err: error instanceof Error ? error.message : String(error) }, "magic-link e-mail failed");
  });
}
