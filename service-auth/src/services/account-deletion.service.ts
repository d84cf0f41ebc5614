// DELETE /auth/me: the right to erasure. One transaction removes every way the account can be
// used or recognised; the user row stays (its id is referenced by invoices, payments and the
// audit trail) but holds no personal data; the audit trail is pseudonymised, not deleted.
import { outboxRow } from "@atlas/billing-events";
import { AppError } from "@atlas/errors";
import type { Deps } from "../deps.ts";
import type { Identity, Prisma } from "../generated/prisma/client.ts";
import type { Principal } from "../middleware/auth.ts";
import { recordAudit } from "./audit.service.ts";
import { pseudonymiseAuditTrail, truncateIp } from "./audit-retention.service.ts";
import { sha256Hex } from "./crypto.ts";
import type { RequestContext } from "./request-context.ts";

type Tx = Prisma.TransactionClient;

/** Subscription states that still entitle (and bill) the customer: deletion cancels them. */
const LIVE_SUBSCRIPTION = ["active", "trialing", "past_due", "unpaid", "incomplete"];

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

/** The `subscription.canceled` billing events for the customer's live subscriptions (transactional outbox). */
async function cancelSubscriptions(tx: Tx, input: { tenantId: string; userId: string; now: Date }): Promise<number> {
  const profile = await tx.billingProfile.findUnique({ where: { customerId: input.userId } });
  if (!profile) return 0;
  const live = await tx.subscription.findMany({
    where: { billingProfileId: profile.id, status: { in: LIVE_SUBSCRIPTION } },
  });
  for (const sub of live) {
    await tx.billingEvent.create({
      data: outboxRow(
        "subscription.canceled",
        {
          tenantId: input.tenantId,
          userId: input.userId,
          subscriptionId: sub.id,
          planId: sub.planId,
          canceledAt: input.now.toISOString(),
        },
        "service-auth",
        `subscription.canceled:${sub.id}:account_deleted`,
      ),
    });
  }
  return live.length;
}

/**
 * Deletes the caller's account, as an ordered list of steps in one transaction:
 * 1. lock the user row (a concurrent deletion waits, then finds it deleted: 404);
 * 2. announce `subscription.canceled` for live subscriptions (billing consumes it);
 * 3. delete sessions (their refresh-token families and tokens cascade), identities, PATs,
 *    passkeys, MFA settings, backup codes, trusted devices, pending challenges, sign-in links and
 *    SMS codes sent to the person's addresses, lockout counters and idempotency records;
 * 4. erase e-mail, phone and display name from the user row and set `deletedAt`;
 * 5. pseudonymise the audit trail; 6. audit `account_deleted` (truncated IP, no user agent).
 * The caller has already passed `assertRecentMfa` (users with MFA re-prove their second factor).
 */
export async function deleteAccount(
  deps: Pick<Deps, "prisma" | "now">,
  input: { principal: Principal; context: RequestContext },
): Promise<AccountDeletionSummary> {
  const { userId } = input.principal;
  const now = deps.now();
  return deps.prisma.$transaction(
    async (tx) => {
      await tx.$queryRaw`SELECT id FROM "auth"."auth_users" WHERE id = ${userId} FOR UPDATE`;
      const user = await tx.user.findUnique({ where: { id: userId }, include: { identities: true } });
      if (!user || user.deletedAt) throw new AppError("NOT_FOUND", { detail: "No such account" });
      const ids = identifiersOf(user, user.identities);
      const { tenantId } = user;
      const subscriptionsCanceled = await cancelSubscriptions(tx, { tenantId, userId, now });

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
}
