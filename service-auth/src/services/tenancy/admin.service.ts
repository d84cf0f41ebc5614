import type { Deps } from "../../ports.ts";
import { recordAudit } from "../audit/audit.service.ts";

/**
 * Makes a user an admin of a tenant — the documented way to create the first admin (there is
 * no open endpoint for it). Creates the user if the e-mail is unknown, so they can then log in
 * with any method that proves that address. Idempotent; audited as `role_granted`.
 */
export async function grantAdmin(deps: Pick<Deps, "prisma" | "now">, input: { email: string; tenantSlug: string }) {
  const email = input.email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new Error("not an e-mail address");
  const now = deps.now();
  return deps.prisma.$transaction(async (tx) => {
    const tenant = await tx.tenant.findUnique({ where: { slug: input.tenantSlug } });
    if (!tenant) throw new Error(`unknown tenant ${input.tenantSlug}`);
    // The address logs in only as an identity (no fallback to the e-mail column): the owner of its
    // identity, else the holder of the column, else a new user; the identity is made if missing.
    const identityKey = { tenantId_provider_subject: { tenantId: tenant.id, provider: "email", subject: email } };
    const identity = await tx.identity.findUnique({ where: identityKey, include: { user: true } });
    const existing =
      identity?.user ?? (await tx.user.findUnique({ where: { tenantId_email: { tenantId: tenant.id, email } } }));
    const user = existing
      ? await tx.user.update({
          where: { id: existing.id },
          data: { roles: existing.roles.includes("admin") ? existing.roles : [...existing.roles, "admin"] },
        })
      : await tx.user.create({ data: { tenantId: tenant.id, email, roles: ["admin"], createdAt: now } });
    if (!identity) {
      await tx.identity.create({
        data: { tenantId: tenant.id, userId: user.id, provider: "email", subject: email, createdAt: now },
      });
    }
    await recordAudit(
      tx,
      { eventType: "role_granted", tenantId: tenant.id, userId: user.id, details: { role: "admin", via: "admin-cli" } },
      now,
    );
    return user;
  });
}
