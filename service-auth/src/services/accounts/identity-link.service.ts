import { AppError } from "@atlas/errors";
import type { Identity } from "../../../generated/prisma/client.ts";
import type { Deps } from "../../ports.ts";
import { recordAudit } from "../audit/audit.service.ts";
import { consumeChallenge, issueChallenge } from "../challenges/challenge-store.ts";
import type { RequestContext } from "../login/request-context.ts";
import { normaliseEmail } from "../methods/email/magic-link.service.ts";
import { emailLinkConfirmationMail } from "../notifications/templates.ts";
import type { ResolvedTenant } from "../tenancy/tenant.service.ts";

/**
 * Explicit linking, step 1: a logged-in user asks to add an e-mail address; a single-use link
 * proves they control it. Nothing is linked until step 2.
 */
export async function startEmailLink(
  deps: Deps,
  input: { tenant: ResolvedTenant; userId: string; email: string; context: RequestContext },
): Promise<void> {
  const email = normaliseEmail(input.email);
  const token = await issueChallenge(deps, "link_email", {
    tenantId: input.tenant.id,
    userId: input.userId,
    data: { email },
  });
  const link = `${deps.config.WEB_ORIGIN}/account/link-email?token=${token}`;
  void deps.email
    .send({ to: email, ...emailLinkConfirmationMail({ tenantName: input.tenant.name, link, token }) })
    .catch((error: unknown) => {
      deps.logger.error({ err: error instanceof Error ? error.message : String(error) }, "link e-mail failed");
    });
}

/**
 * Explicit linking, step 2: consumes the link (single use, same user, same tenant, unexpired)
 * and links the address. An address that already belongs to another user is a 409 CONFLICT:
 * accounts are never merged implicitly.
 */
export async function verifyEmailLink(
  deps: Deps,
  input: { tenant: ResolvedTenant; userId: string; token: string; context: RequestContext },
): Promise<Identity> {
  const now = deps.now();
  const consumed = await consumeChallenge(deps, "link_email", input.token, {
    tenantId: input.tenant.id,
    userId: input.userId,
  });
  if (!consumed.ok)
    throw new AppError("INVALID_CREDENTIALS", { detail: "This confirmation link is invalid, used or expired" });
  const { email } = consumed.challenge.data;
  return deps.prisma.$transaction(async (tx) => {
    const existing = await tx.identity.findUnique({
      where: { tenantId_provider_subject: { tenantId: input.tenant.id, provider: "email", subject: email } },
    });
    if (existing && existing.userId !== input.userId) {
      throw new AppError("CONFLICT", { detail: "This address belongs to another account" });
    }
    if (existing) return existing;
    const owner = await tx.user.findUnique({ where: { tenantId_email: { tenantId: input.tenant.id, email } } });
    if (owner && owner.id !== input.userId)
      throw new AppError("CONFLICT", { detail: "This address belongs to another account" });
    const user = await tx.user.findUniqueOrThrow({ where: { id: input.userId } });
    if (!user.email) await tx.user.update({ where: { id: user.id }, data: { email, emailVerifiedAt: now } });
    const identity = await tx.identity.create({
      data: { tenantId: input.tenant.id, userId: input.userId, provider: "email", subject: email, createdAt: now },
    });
    await recordAudit(
      tx,
      {
        eventType: "identity_linked",
        tenantId: input.tenant.id,
        userId: input.userId,
        context: input.context,
        details: { provider: "email" },
      },
      now,
    );
    return identity;
  });
}

/**
 * Unlinks one of the user's identities, as long as another way to log in remains (404 for
 * another user's id, 409 CONFLICT for the last one). An unlinked e-mail or phone identity also
 * leaves the user's primary `email`/`phone` column (and its verified flag) when it holds that
 * address, so the address no longer reaches the account in any way. One transaction, audited.
 */
export async function unlinkIdentity(
  deps: Pick<Deps, "prisma" | "now">,
  input: { tenantId: string; userId: string; id: string; context: RequestContext },
): Promise<void> {
  const now = deps.now();
  const { userId, id } = input;
  await deps.prisma.$transaction(async (tx) => {
    // Lock the user's identities so two parallel unlinks cannot remove the last two at once.
    await tx.$queryRaw`SELECT id FROM "auth"."auth_identities" WHERE "userId" = ${userId} FOR UPDATE`;
    const identity = await tx.identity.findFirst({ where: { id, userId } });
    if (!identity) throw new AppError("NOT_FOUND", { detail: "No such identity" });
    const passkeys = await tx.webAuthnCredential.count({ where: { userId } });
    const others = await tx.identity.count({ where: { userId, id: { not: id } } });
    if (others + passkeys === 0) {
      throw new AppError("CONFLICT", { detail: "This is your last way to log in; add another before removing it" });
    }
    await tx.identity.delete({ where: { id } });
    if (identity.provider === "email") {
      await tx.user.updateMany({
        where: { id: userId, email: identity.subject },
        data: { email: null, emailVerifiedAt: null },
      });
    } else if (identity.provider === "sms") {
      await tx.user.updateMany({
        where: { id: userId, phone: identity.subject },
        data: { phone: null, phoneVerifiedAt: null },
      });
    }
    await recordAudit(
      tx,
      {
        eventType: "identity_unlinked",
        tenantId: input.tenantId,
        userId,
        context: input.context,
        details: { provider: identity.provider },
      },
      now,
    );
  });
}
