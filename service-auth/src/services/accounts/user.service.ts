import { AppError } from "@atlas/errors";
import { Prisma, type User } from "../../../generated/prisma/client.ts";
import type { Deps } from "../../ports.ts";
import { recordAudit } from "../audit/audit.service.ts";
import type { RequestContext } from "../login/request-context.ts";
import { countLogin } from "../platform/business-metrics.ts";

/**
 * Runs a find-or-create transaction, once more if it lost a race to a concurrent twin (a
 * unique violation): the second run finds what the winner created.
 */
export async function retryOnUniqueViolation<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") return work();
    throw error;
  }
}

/** A proven address: an e-mail (magic link) or a phone number (SMS code). */
export type ProvenAddress = { kind: "email"; value: string } | { kind: "phone"; value: string };

/**
 * The user a proven e-mail or phone number logs in: the owner of its identity, else a new user
 * on first login (with the address as primary address, marked verified). The identity is
 * recorded (`lastUsedAt` now). One transaction.
 *
 * There is no fallback to the users' primary `email`/`phone` columns: an address reaches an
 * account only while it is one of that account's identities, so unlinking it (which also clears
 * the column) really removes it as a way in. An address that is some account's primary address
 * without being its identity answers 409 CONFLICT rather than opening or shadowing that account.
 */
export async function userForProvenAddress(
  deps: Pick<Deps, "prisma" | "metrics">,
  input: { tenantId: string; address: ProvenAddress; context: RequestContext },
  now: Date,
): Promise<User> {
  const { tenantId, address } = input;
  const provider = address.kind === "email" ? "email" : "sms";
  const identityKey = { tenantId_provider_subject: { tenantId, provider, subject: address.value } };
  const user = await retryOnUniqueViolation(() =>
    deps.prisma.$transaction(async (tx) => {
      const identity = await tx.identity.findUnique({ where: identityKey, include: { user: true } });
      if (identity) {
        await tx.identity.update({ where: { id: identity.id }, data: { lastUsedAt: now } });
        return identity.user;
      }
      const holder =
        address.kind === "email"
          ? await tx.user.findUnique({ where: { tenantId_email: { tenantId, email: address.value } } })
          : await tx.user.findUnique({ where: { tenantId_phone: { tenantId, phone: address.value } } });
      if (holder) return null;
      const verified = address.kind === "email" ? { emailVerifiedAt: now } : { phoneVerifiedAt: now };
      const created = await tx.user.create({ data: { tenantId, [address.kind]: address.value, ...verified } });
      await tx.identity.create({
        data: { tenantId, userId: created.id, provider, subject: address.value, createdAt: now, lastUsedAt: now },
      });
      return created;
    }),
  );
  if (user) return user;
  countLogin(deps, provider, "failure");
  await recordAudit(
    deps.prisma,
    {
      eventType: "login_failure",
      tenantId,
      context: input.context,
      details: { method: provider, reason: "address_not_linked" },
    },
    now,
  );
  throw new AppError("CONFLICT", {
    detail: "This address is not a sign-in method of its account; sign in another way and link it",
  });
}

/**
 * The user an identity that carries no address (a wallet) logs in: its owner, or a new user on
 * first login. The identity's `lastUsedAt` is now. One transaction, race-safe.
 */
export async function userForIdentity(
  deps: Pick<Deps, "prisma">,
  tenantId: string,
  identity: { provider: string; subject: string; chainFamily?: string; metadata?: Record<string, string> },
  now: Date,
): Promise<User> {
  const key = { tenantId_provider_subject: { tenantId, provider: identity.provider, subject: identity.subject } };
  return retryOnUniqueViolation(() =>
    deps.prisma.$transaction(async (tx) => {
      const found = await tx.identity.findUnique({ where: key, include: { user: true } });
      if (found) {
        await tx.identity.update({ where: { id: found.id }, data: { lastUsedAt: now } });
        return found.user;
      }
      const user = await tx.user.create({ data: { tenantId, createdAt: now } });
      await tx.identity.create({
        data: {
          tenantId,
          userId: user.id,
          provider: identity.provider,
          subject: identity.subject,
          chainFamily: identity.chainFamily ?? null,
          metadata: identity.metadata ?? {},
          createdAt: now,
          lastUsedAt: now,
        },
      });
      return user;
    }),
  );
}
