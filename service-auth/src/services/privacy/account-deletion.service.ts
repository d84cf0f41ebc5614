// DELETE /auth/me: the right to erasure. One transaction removes every way the account can be
// used or recognised; the user row stays (its id is referenced by invoices, payments and the
// audit trail) but holds no personal data; the audit trail is pseudonymised, not deleted.
import { AppError } from "@atlas/errors";
import type { Identity } from "../../../generated/prisma/client.ts";
import type { Deps, Principal } from "../../ports.ts";
import { recordAudit } from "../audit/audit.service.ts";
import { pseudonymiseAuditTrail, truncateIp } from "../audit/audit-retention.service.ts";
import { cancelBillingInTransaction, stopStripeBilling } from "../billing/account-billing.ts";
import type { RequestContext } from "../login/request-context.ts";
import { sha256Hex } from "../platform/crypto.ts";

export interface AccountDeletionSummary {
  identities: number;
  sessions: number;
  subscriptionsCanceled: number;
  auditRowsPseudonymised: number;
}

/** Strings that identify the person: addresses, subjects, profile values, and the hashes Atlas logs of them. */
function identifiersOf(
  user: { email: string | null; phone: string | null; displayName: string | null },
  identities: Identity[],
) {
  const emails = new Set<string>();
  const phones = new Set<string>();
  const others = new Set<string>();
  if (user.email) emails.add(user.email);
  if (user.phone) phones.add(user.phone);
  if (user.displayName) others.add(user.displayName);
  for (const i of identities) {
    if (i.provider === "email") emails.add(i.subject);
    else if (i.provider === "sms") phones.add(i.subject);
    else others.add(i.subject);
    for (const v of Object.values((i.metadata ?? {}) as Record<string, unknown>)) {
      if (typeof v !== "string") continue;
      if (v.includes("@")) emails.add(v.toLowerCase());
      else others.add(v);
    }
  }
  // Atlas logs and keys some identifiers by their SHA-256 (audit details, lockout counters).
  const plain = [...emails, ...phones, ...others];
  const hashes = plain.flatMap((v) => [sha256Hex(v), sha256Hex(v.toLowerCase())]);
  return { emails: [...emails], phones: [...phones], all: [...new Set([...plain, ...hashes])] };
}

/**
 * Deletes the caller's account. Billing stops at Stripe first, outside any transaction
 * (`stopStripeBilling`: the subscription ends now, open PaymentIntents are canceled; Stripe
 * unreachable answers 503 and deletes nothing). Then, in one transaction:
 * 1. lock the user row (a concurrent deletion waits, then finds it deleted: 404; the charge saga
 *    and dunning read it `FOR SHARE`, so no charge starts in between);
 * 2. end live subscriptions (`subscription.canceled`) and cancel open charges
 *    (`charge.canceled`: cloud-api voids their invoices);
 * 3. delete sessions (their refresh-token families and tokens cascade), identities, PATs,
 *    passkeys, MFA settings, backup codes, trusted devices, pending challenges, sign-in links and
 *    SMS codes sent to the person's addresses, lockout counters and idempotency records;
 * 4. erase e-mail, phone and display name from the user row and set `deletedAt`;
 * 5. pseudonymise the audit trail; 6. audit `account_deleted` (truncated IP, no user agent).
 * Afterwards Stripe is asked once more for anything created while this ran (a charge that
 * started before the lock); nothing can start after it.
 * The caller has already passed `assertRecentMfa` (users with MFA re-prove their second factor).
 */
export async function deleteAccount(
  deps: Pick<Deps, "prisma" | "now" | "stripe" | "logger">,
  input: { principal: Principal; context: RequestContext },
): Promise<AccountDeletionSummary> {
  const { userId } = input.principal;
  const now = deps.now();
  const stopped = await stopStripeBilling(deps, userId);
  const summary = await deps.prisma.$transaction(
    async (tx) => {
      await tx.$queryRaw`SELECT id FROM "auth"."auth_users" WHERE id = ${userId} FOR UPDATE`;
      const user = await tx.user.findUnique({ where: { id: userId }, include: { identities: true } });
      if (!user || user.deletedAt) throw new AppError("NOT_FOUND", { detail: "No such account" });
      const ids = identifiersOf(user, user.identities);
      const { tenantId } = user;
      const subscriptionsCanceled = await cancelBillingInTransaction(tx, { tenantId, userId, now });

      const byUser = { where: { userId } };
      const sessions = await tx.session.deleteMany(byUser);
      const identities = await tx.identity.deleteMany(byUser);
      await tx.personalAccessToken.deleteMany(byUser);
      await tx.deviceAuthorization.deleteMany(byUser);
      await tx.webAuthnCredential.deleteMany(byUser);
      await tx.mFASettings.deleteMany(byUser);
      await tx.backupCode.deleteMany(byUser);
      await tx.trustedDevice.deleteMany(byUser);
      await tx.authChallenge.deleteMany(byUser);
      await tx.magicLink.deleteMany({ where: { tenantId, email: { in: ids.emails } } });
      await tx.otpCode.deleteMany({ where: { tenantId, phone: { in: ids.phones } } });
      await tx.idempotencyKey.deleteMany({ where: { scope: userId } });
      // The OpenID Provider's consents, grants, codes and refresh tokens of the user.
      await tx.oidcConsent.deleteMany(byUser);
      await tx.$executeRaw`DELETE FROM "auth"."auth_oidc_payloads" WHERE "tenantId" = ${tenantId} AND payload->>'accountId' = ${userId}`;
      const lockoutPatterns = [userId, ...ids.all].map((v) => `%${v.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      await tx.$executeRaw`
        DELETE FROM "auth"."auth_lockout_states"
        WHERE "tenantId" = ${tenantId} AND key ILIKE ANY(${lockoutPatterns}::text[])`;

      await tx.user.update({
        where: { id: userId },
        data: {
          email: null,
          emailVerifiedAt: null,
          phone: null,
          phoneVerifiedAt: null,
          displayName: null,
          roles: [],
          deletedAt: now,
        },
      });
      const auditRowsPseudonymised = await pseudonymiseAuditTrail(tx, { tenantId, userId, identifiers: ids.all });
      const summary = {
        identities: identities.count,
        sessions: sessions.count,
        subscriptionsCanceled,
        auditRowsPseudonymised,
      };
      await recordAudit(
        tx,
        {
          eventType: "account_deleted",
          tenantId,
          userId,
          context: { ...input.context, ipAddress: truncateIp(input.context.ipAddress), userAgent: null },
          details: summary,
        },
        now,
      );
      return summary;
    },
    { timeout: 60_000 },
  );
  await stopLatecomers(deps, userId, stopped);
  return summary;
}

/**
 * A charge that began before the deletion took its lock was canceled by the transaction, but its
 * PaymentIntent may still be open at Stripe: cancel those now. The account is gone either way, so
 * a Stripe failure here is logged for the operators, not answered to the user.
 */
async function stopLatecomers(
  deps: Pick<Deps, "prisma" | "stripe" | "logger">,
  userId: string,
  stopped: Awaited<ReturnType<typeof stopStripeBilling>>,
) {
  const profile = await deps.prisma.billingProfile.findUnique({ where: { customerId: userId } });
  if (!deps.stripe || !profile) return;
  const late = await deps.prisma.charge.findMany({
    where: { billingProfileId: profile.id, failureCode: "account_deleted", stripePaymentIntentId: { not: null } },
  });
  for (const charge of late) {
    const piId = charge.stripePaymentIntentId as string;
    if (stopped.paymentIntents.has(piId)) continue;
    try {
      const pi = await deps.stripe.retrievePaymentIntent(piId);
      if (pi && !["succeeded", "canceled"].includes(pi.status)) {
        await deps.stripe.cancelPaymentIntent(piId, `atlas:account-deletion:payment-intent:${piId}`);
      }
    } catch (error) {
      deps.logger.error(
        { err: (error as Error).message, paymentIntentId: piId },
        "account deletion: PaymentIntent left open",
      );
    }
  }
}
