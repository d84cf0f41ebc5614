import { AppError } from "@atlas/errors";
import { z } from "zod";
import type { PrismaClient, Tenant } from "../../../generated/prisma/client.ts";
import { LOGIN_METHODS, type LoginMethod } from "../login/method-ids.ts";

/**
 * What tenant lookups need (`Pick<Deps, "prisma">`, spelled out: this module sits below ports.ts,
 * which names ResolvedTenant, and so must not import it).
 */
export interface TenantLookup {
  prisma: PrismaClient;
}

export const DEFAULT_TENANT_SLUG = "default";

const originsSchema = z.array(z.string());
const methodsSchema = z.array(z.enum(LOGIN_METHODS));

/** A tenant with its JSON columns parsed; malformed columns fail closed (empty lists). */
export interface ResolvedTenant {
  id: string;
  slug: string;
  name: string;
  isActive: boolean;
  jwtAudience: string;
  allowedOrigins: string[];
  allowedMethods: LoginMethod[];
  /** Tenant policy: every user must pass a second factor (`settings.mfa = "required"`). */
  mfaRequired: boolean;
  /** `soft` (default): attacked accounts demand stronger proof; `hard`: they lock for a while. */
  lockout: "soft" | "hard";
  /** Risk policy: at `challengeAt` a login needs stronger proof, at `denyAt` it is refused. */
  risk: { challengeAt: number; denyAt: number };
  /** White-label brand of hosted pages and e-mails (each field optional). */
  brand: TenantBrand;
}

export interface TenantBrand {
  name?: string;
  logoUrl?: string;
  /** `#rrggbb`. */
  primaryColor?: string;
  supportEmail?: string;
}

/** The brand column as stored; fields of the wrong shape are dropped (never shown). */
export const brandSchema = z.object({
  name: z.string().min(1).max(100).optional().catch(undefined),
  logoUrl: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .optional()
    .catch(undefined),
  primaryColor: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/)
    .optional()
    .catch(undefined),
  supportEmail: z.email().max(254).optional().catch(undefined),
});

export function parseBrand(value: unknown): TenantBrand {
  const parsed = brandSchema.safeParse(value ?? {});
  if (!parsed.success) return {};
  return Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined)) as TenantBrand;
}

const settingsSchema = z
  .object({
    mfa: z.enum(["optional", "required"]).optional(),
    lockout: z.enum(["soft", "hard"]).optional(),
    risk: z
      .object({ challengeAt: z.number().min(0).max(1).optional(), denyAt: z.number().min(0).max(1.01).optional() })
      .optional(),
  })
  .loose();

export function toResolvedTenant(t: Tenant): ResolvedTenant {
  const origins = originsSchema.safeParse(t.allowedOrigins);
  const methods = methodsSchema.safeParse(t.allowedMethods);
  const settings = settingsSchema.safeParse(t.settings ?? {});
  return {
    id: t.id,
    slug: t.slug,
    name: t.name,
    isActive: t.isActive,
    jwtAudience: t.jwtAudience,
    allowedOrigins: origins.success ? origins.data : [],
    allowedMethods: methods.success ? methods.data : [],
    // A malformed policy fails closed: MFA required.
    mfaRequired: settings.success ? settings.data.mfa === "required" : true,
    lockout: settings.success ? (settings.data.lockout ?? "soft") : "soft",
    risk: {
      challengeAt: (settings.success ? settings.data.risk?.challengeAt : undefined) ?? 0.5,
      // Default: never deny on risk alone (1.01 > the maximum score); challenge instead.
      denyAt: (settings.success ? settings.data.risk?.denyAt : undefined) ?? 1.01,
    },
    brand: parseBrand(t.brand),
  };
}

export const tenantSlugSchema = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/);

/**
 * Resolves the tenant named by the `X-Tenant` header (absent: `default`).
 * Unknown → 404 NOT_FOUND; inactive → 403 FORBIDDEN (api.md "Status codes").
 */
export async function resolveTenant(deps: TenantLookup, slugHeader: string | undefined): Promise<ResolvedTenant> {
  const slug = slugHeader ?? DEFAULT_TENANT_SLUG;
  if (!tenantSlugSchema.safeParse(slug).success) throw new AppError("NOT_FOUND", { detail: "Unknown tenant" });
  const row = await deps.prisma.tenant.findUnique({ where: { slug } });
  if (!row) throw new AppError("NOT_FOUND", { detail: "Unknown tenant" });
  if (!row.isActive) throw new AppError("FORBIDDEN", { detail: "This tenant is inactive" });
  return toResolvedTenant(row);
}

/** A tenant by id (flows that stored it, such as an OAuth callback); 404 unknown, 403 inactive. */
export async function resolveTenantById(deps: TenantLookup, id: string): Promise<ResolvedTenant> {
  const row = await deps.prisma.tenant.findUnique({ where: { id } });
  if (!row) throw new AppError("NOT_FOUND", { detail: "Unknown tenant" });
  if (!row.isActive) throw new AppError("FORBIDDEN", { detail: "This tenant is inactive" });
  return toResolvedTenant(row);
}

/** Whether any active tenant allows `origin` (used for CORS preflights, which carry no X-Tenant). */
export async function isOriginAllowedByAnyTenant(deps: TenantLookup, origin: string): Promise<boolean> {
  const rows = await deps.prisma.$queryRaw<{ n: number }[]>`
    SELECT 1 AS n FROM "auth"."auth_tenants"
    WHERE "isActive" AND "allowedOrigins" @> to_jsonb(ARRAY[${origin}]::text[]) LIMIT 1`;
  return rows.length > 0;
}
