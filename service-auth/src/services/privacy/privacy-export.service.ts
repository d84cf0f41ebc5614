// GET /auth/me/export: every piece of personal data Atlas holds about the caller, as JSON.
// Secrets are never part of it (token hashes, TOTP secrets, backup-code hashes, passkey public
// keys): they identify nothing about the person and would only weaken the account if leaked.
import type { Deps, Principal } from "../../ports.ts";
import { recordAudit } from "../audit/audit.service.ts";
import { type AuditItem, toAuditItem } from "../audit/audit-query.service.ts";
import type { RequestContext } from "../login/request-context.ts";

const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;

/** A billing row as JSON (every column, whatever the billing schema adds): dates as ISO 8601. */
function plain(row: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]));
}

export interface AccountExport {
  exportedAt: string;
  user: Record<string, unknown>;
  tenant: { id: string; slug: string; name: string };
  identities: Record<string, unknown>[];
  sessions: Record<string, unknown>[];
  passkeys: Record<string, unknown>[];
  personalAccessTokens: Record<string, unknown>[];
  /** Device logins (`atlas login`) the user approved or denied: where the device asked from. */
  deviceAuthorizations: Record<string, unknown>[];
  mfa: {
    totpEnabled: boolean;
    totpEnabledAt: string | null;
    backupCodes: { total: number; unused: number; createdAt: string | null };
  };
  trustedDevices: Record<string, unknown>[];
  pendingSignIns: { magicLinks: Record<string, unknown>[]; smsCodes: Record<string, unknown>[] };
  auditEvents: AuditItem[];
  billing: {
    profile: Record<string, unknown> | null;
    paymentMethods: Record<string, unknown>[];
    subscriptions: Record<string, unknown>[];
    charges: Record<string, unknown>[];
    cryptoPayments: Record<string, unknown>[];
  };
}

async function billingOf(deps: Pick<Deps, "prisma">, userId: string): Promise<AccountExport["billing"]> {
  const profile = await deps.prisma.billingProfile.findUnique({ where: { customerId: userId } });
  if (!profile) return { profile: null, paymentMethods: [], subscriptions: [], charges: [], cryptoPayments: [] };
  const where = { billingProfileId: profile.id };
  const byDate = { createdAt: "asc" as const };
  const [paymentMethods, subscriptions, charges, cryptoPayments] = await Promise.all([
    deps.prisma.paymentMethod.findMany({ where, orderBy: byDate }),
    deps.prisma.subscription.findMany({ where, orderBy: byDate }),
    deps.prisma.charge.findMany({ where, orderBy: byDate }),
    deps.prisma.cryptoPayment.findMany({ where, orderBy: byDate }),
  ]);
  return {
    profile: plain(profile),
    paymentMethods: paymentMethods.map(plain),
    subscriptions: subscriptions.map(plain),
    charges: charges.map(plain),
    cryptoPayments: cryptoPayments.map(plain),
  };
}

/**
 * Collects the caller's data: account, identities (with provider profile snapshots), every
 * session (revoked ones too, with their IP and device), passkeys (names and dates), PATs
 * (without secrets), MFA state (without secrets), trusted devices, pending sign-in links and
 * codes sent to their addresses, their audit trail and, when billing rows exist, billing profile,
 * payment methods, subscriptions and payments. Audited as `data_exported`.
 */
export async function exportAccountData(
  deps: Pick<Deps, "prisma" | "now">,
  input: { principal: Principal; context: RequestContext },
): Promise<AccountExport> {
  const { userId } = input.principal;
  const now = deps.now();
  const user = await deps.prisma.user.findUniqueOrThrow({
    where: { id: userId },
    include: {
      tenant: { select: { id: true, slug: true, name: true } },
      identities: { orderBy: { createdAt: "asc" } },
      sessions: { orderBy: { createdAt: "asc" } },
      webAuthnCredentials: { orderBy: { createdAt: "asc" } },
      personalAccessTokens: { orderBy: { createdAt: "asc" } },
      deviceAuthorizations: { orderBy: { createdAt: "asc" } },
      mfaSettings: true,
      backupCodes: { orderBy: { createdAt: "desc" } },
      trustedDevices: { orderBy: { createdAt: "asc" } },
    },
  });
  const emails = [user.email, ...user.identities.filter((i) => i.provider === "email").map((i) => i.subject)];
  const phones = [user.phone, ...user.identities.filter((i) => i.provider === "sms").map((i) => i.subject)];
  const [magicLinks, smsCodes, audit, billing] = await Promise.all([
    deps.prisma.magicLink.findMany({
      where: { tenantId: user.tenantId, email: { in: emails.filter((e): e is string => !!e) } },
      orderBy: { createdAt: "asc" },
    }),
    deps.prisma.otpCode.findMany({
      where: { tenantId: user.tenantId, phone: { in: phones.filter((p): p is string => !!p) } },
      orderBy: { createdAt: "asc" },
    }),
    deps.prisma.authAuditLog.findMany({ where: { userId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] }),
    billingOf(deps, userId),
  ]);
  const result: AccountExport = {
    exportedAt: now.toISOString(),
    user: {
      id: user.id,
      email: user.email,
      emailVerifiedAt: iso(user.emailVerifiedAt),
      phone: user.phone,
      phoneVerifiedAt: iso(user.phoneVerifiedAt),
      displayName: user.displayName,
      roles: user.roles,
      createdAt: iso(user.createdAt),
      updatedAt: iso(user.updatedAt),
    },
    tenant: user.tenant,
    identities: user.identities.map((i) => ({
      id: i.id,
      provider: i.provider,
      subject: i.subject,
      chainFamily: i.chainFamily,
      metadata: i.metadata,
      createdAt: iso(i.createdAt),
      lastUsedAt: iso(i.lastUsedAt),
    })),
    sessions: user.sessions.map((s) => ({
      id: s.id,
      amr: s.amr,
      ipAddress: s.ipAddress,
      userAgent: s.userAgent,
      deviceHash: s.deviceHash,
      createdAt: iso(s.createdAt),
      lastSeenAt: iso(s.lastSeenAt),
      mfaVerifiedAt: iso(s.mfaVerifiedAt),
      expiresAt: iso(s.expiresAt),
      revokedAt: iso(s.revokedAt),
      revokedReason: s.revokedReason,
    })),
    passkeys: user.webAuthnCredentials.map((c) => ({
      id: c.id,
      friendlyName: c.friendlyName,
      deviceType: c.deviceType,
      backedUp: c.backedUp,
      transports: c.transports,
      aaguid: c.aaguid,
      createdAt: iso(c.createdAt),
      lastUsedAt: iso(c.lastUsedAt),
    })),
    personalAccessTokens: user.personalAccessTokens.map((p) => ({
      id: p.id,
      name: p.name,
      displayPrefix: p.displayPrefix,
      scopes: p.scopes,
      createdAt: iso(p.createdAt),
      expiresAt: iso(p.expiresAt),
      lastUsedAt: iso(p.lastUsedAt),
      revokedAt: iso(p.revokedAt),
    })),
    deviceAuthorizations: user.deviceAuthorizations.map((d) => ({
      id: d.id,
      clientName: d.clientName,
      hostname: d.hostname,
      scopes: d.scopes,
      status: d.status,
      requestIp: d.requestIp,
      requestGeo: d.requestGeo,
      requestUserAgent: d.requestUserAgent,
      patId: d.patId,
      createdAt: iso(d.createdAt),
      decidedAt: iso(d.decidedAt),
    })),
    mfa: {
      totpEnabled: user.mfaSettings?.totpEnabled ?? false,
      totpEnabledAt: iso(user.mfaSettings?.totpEnabledAt),
      backupCodes: {
        total: user.backupCodes.length,
        unused: user.backupCodes.filter((b) => !b.usedAt).length,
        createdAt: iso(user.backupCodes[0]?.createdAt),
      },
    },
    trustedDevices: user.trustedDevices.map((d) => ({
      id: d.id,
      label: d.label,
      deviceHash: d.deviceHash,
      createdAt: iso(d.createdAt),
      lastUsedAt: iso(d.lastUsedAt),
      expiresAt: iso(d.expiresAt),
      revokedAt: iso(d.revokedAt),
    })),
    pendingSignIns: {
      magicLinks: magicLinks.map((m) => ({
        id: m.id,
        email: m.email,
        redirectTo: m.redirectTo,
        ipAddress: m.ipAddress,
        createdAt: iso(m.createdAt),
        expiresAt: iso(m.expiresAt),
        consumedAt: iso(m.consumedAt),
      })),
      smsCodes: smsCodes.map((o) => ({
        id: o.id,
        phone: o.phone,
        attempts: o.attempts,
        createdAt: iso(o.createdAt),
        expiresAt: iso(o.expiresAt),
        consumedAt: iso(o.consumedAt),
      })),
    },
    auditEvents: audit.map(toAuditItem),
    billing,
  };
  await recordAudit(
    deps.prisma,
    {
      eventType: "data_exported",
      tenantId: user.tenantId,
      userId,
      context: input.context,
      details: { auditEvents: audit.length },
    },
    now,
  );
  return result;
}
