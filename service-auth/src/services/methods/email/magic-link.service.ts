import type { Deps } from "../../../ports.ts";
import { recordAudit } from "../../audit/audit.service.ts";
import type { RequestContext } from "../../login/request-context.ts";
import { randomToken, sha256Hex } from "../../platform/crypto.ts";
import type { ResolvedTenant } from "../../tenancy/tenant.service.ts";

export const MAGIC_LINK_TTL_MS = 15 * 60_000;

/** Lower-cased, trimmed: the one form an address is stored and compared in. */
export const normaliseEmail = (email: string) => email.trim().toLowerCase();

const escapeHtml = (s: string) =>
  s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");

/**
 * Starts an e-mail login. The work does not depend on whether an account exists (no lookup
 * happens here), and the e-mail is sent after the response is decided, so status, body and
 * timing say nothing about the address.
 */
export async function startMagicLink(
  deps: Deps,
  input: { tenant: ResolvedTenant; email: string; redirectTo: string | null; context: RequestContext },
): Promise<void> {
  const now = deps.now();
  const email = normaliseEmail(input.email);
  const token = randomToken(32);
  const origin = input.redirectTo ? new URL(input.redirectTo).origin : deps.config.WEB_ORIGIN;
  const link = `${origin}/auth/callback?token=${token}`;
  await deps.prisma.$transaction(async (tx) => {
    await tx.magicLink.create({
      data: {
        tenantId: input.tenant.id,
        email,
        tokenHash: sha256Hex(token),
        redirectTo: input.redirectTo,
        ipAddress: input.context.ipAddress,
        createdAt: now,
        expiresAt: new Date(now.getTime() + MAGIC_LINK_TTL_MS),
      },
    });
    await recordAudit(
      tx,
      {
        eventType: "magic_link_requested",
        tenantId: input.tenant.id,
        context: input.context,
        details: { emailHash: sha256Hex(email) },
      },
      now,
    );
  });
  const name = input.tenant.name;
  const message = {
    to: email,
    subject: `Your ${name} sign-in link`,
    text: `Sign in to ${name}: ${link}\n\nThe link works once and expires in 15 minutes. If you did not ask for it, ignore this e-mail.`,
    html: `<p>Sign in to <b>${escapeHtml(name)}</b>:</p><p><a href="${escapeHtml(link)}">Sign in</a></p><p>The link works once and expires in 15 minutes. If you did not ask for it, ignore this e-mail.</p>`,
    meta: { link, token },
  };
  // Not awaited by the request: delivery time must not reveal anything, and a provider outage
  // must not turn into a different answer. Failures are logged (never with the link).
  void deps.email.send(message).catch((error: unknown) => {
    deps.logger.error({ err: error instanceof Error ? error.message : String(error) }, "magic-link e-mail failed");
  });
}
