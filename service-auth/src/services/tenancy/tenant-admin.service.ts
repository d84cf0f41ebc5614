// Tenant management for platform admins: list, create, update (deactivate), rotate the webhook
// secret. A change empties this instance's tenant caches after commit and NOTIFYs the others in
// its transaction (services/tenancy/tenant-cache.ts), so it reaches every instance at once.
import { AppError } from "@atlas/errors";
import type { Prisma, Tenant } from "../../../generated/prisma/client.ts";
import type { Deps, Principal } from "../../ports.ts";
import { recordAudit } from "../audit/audit.service.ts";
import type { LoginMethod } from "../login/method-ids.ts";
import type { RequestContext } from "../login/request-context.ts";
import { afterCursor, decodeCursor, toPage } from "../platform/keyset-cursor.ts";
import { DEFAULT_TENANT_SLUG, parseBrand, type TenantBrand } from "./tenant.service.ts";
import { notifyTenantChanged } from "./tenant-cache.ts";
import { createWebhookSecret, rotateWebhookSecret } from "./tenant-webhook-secrets.ts";

/** A tenant as admins see it (never its webhook secrets). */
export interface TenantView {
  id: string;
  name: string;
  slug: string;
  allowedOrigins: string[];
  allowedMethods: string[];
  jwtAudience: string;
  webhookUrl: string | null;
  isActive: boolean;
  settings: Record<string, unknown>;
  brand: TenantBrand;
  createdAt: string;
  updatedAt: string;
}

export interface TenantSettingsInput {
  mfa?: "optional" | "required" | undefined;
}

/** The body of `POST /admin/tenants`, already validated at the edge. */
export interface TenantCreateInput {
  name: string;
  slug: string;
  allowedOrigins: string[];
  allowedMethods: LoginMethod[];
  jwtAudience: string;
  webhookUrl?: string | null | undefined;
  isActive?: boolean | undefined;
  settings?: TenantSettingsInput | undefined;
  /** Merged key by key into the stored brand; a null field removes it. */
  brand?: { [K in keyof TenantBrand]?: TenantBrand[K] | null | undefined } | undefined;
}

/** The body of `PATCH /admin/tenants/:id`: any subset. */
export type TenantPatchInput = Partial<TenantCreateInput>;

interface Actor {
  principal: Principal;
  context: RequestContext;
}

const jsonStrings = (v: Prisma.JsonValue): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
const jsonRecord = (v: Prisma.JsonValue): Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

export const toTenantView = (t: Tenant): TenantView => ({
  id: t.id,
  name: t.name,
  slug: t.slug,
  allowedOrigins: jsonStrings(t.allowedOrigins),
  allowedMethods: jsonStrings(t.allowedMethods),
  jwtAudience: t.jwtAudience,
  webhookUrl: t.webhookUrl,
  isActive: t.isActive,
  settings: jsonRecord(t.settings),
  brand: parseBrand(t.brand),
  createdAt: t.createdAt.toISOString(),
  updatedAt: t.updatedAt.toISOString(),
});

function mergeBrand(current: TenantBrand, patch: TenantCreateInput["brand"]): TenantBrand {
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch ?? {})) {
    if (value === null) delete merged[key];
    else if (value !== undefined) merged[key] = value;
  }
  return merged as TenantBrand;
}

/**
 * Webhook URLs: absolute http(s) without credentials or fragment; https only in production (the
 * payloads describe users' logins). 400 VALIDATION_FAILED otherwise.
 */
export function assertWebhookUrl(deps: { config: Pick<Deps["config"], "dev"> }, url: string): void {
  const parsed = URL.canParse(url) ? new URL(url) : null;
  const production = !deps.config.dev.plainHttpPeers;
  const ok =
    parsed !== null &&
    (parsed.protocol === "https:" || (!production && parsed.protocol === "http:")) &&
    parsed.username === "" &&
    parsed.password === "" &&
    parsed.hash === "";
  if (!ok) {
    throw new AppError("VALIDATION_FAILED", {
      detail: production
        ? "webhookUrl must be an https URL without credentials or fragment"
        : "webhookUrl must be an http(s) URL without credentials or fragment",
    });
  }
}

/** One page of tenants, newest first. */
export async function listTenants(deps: Pick<Deps, "prisma">, page: { limit: number; cursor?: string | undefined }) {
  const cursor = page.cursor ? decodeCursor(page.cursor) : null;
  const rows = await deps.prisma.tenant.findMany({
    where: cursor ? afterCursor(cursor) : {},
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: page.limit + 1,
  });
  return toPage(rows, page.limit, toTenantView);
}

export async function getTenant(deps: Pick<Deps, "prisma">, id: string): Promise<TenantView> {
  const row = await deps.prisma.tenant.findUnique({ where: { id } });
  if (!row) throw new AppError("NOT_FOUND", { detail: "No such tenant" });
  return toTenantView(row);
}

/**
 * Serialises tenant writes and checks the uniqueness rules the schema cannot: no two tenants
 * share a `jwtAudience`, so a token minted for one tenant never carries another's audience.
 */
async function assertUnique(
  tx: Prisma.TransactionClient,
  values: { slug?: string; jwtAudience?: string },
  selfId?: string,
) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('atlas:tenant-admin'))`;
  const clash = await tx.tenant.findFirst({
    where: {
      id: selfId ? { not: selfId } : undefined,
      OR: [
        ...(values.slug !== undefined ? [{ slug: values.slug }] : []),
        ...(values.jwtAudience !== undefined ? [{ jwtAudience: values.jwtAudience }] : []),
      ],
    },
  });
  if (!clash) return;
  const field = clash.slug === values.slug ? "slug" : "jwtAudience";
  throw new AppError("CONFLICT", { detail: `Another tenant already has this ${field}`, extensions: { field } });
}

/**
 * Creates a tenant and its first webhook secret (returned in clear once); audited
 * `tenant_created` in the same transaction. Slug or audience already taken: 409 CONFLICT.
 */
export async function createTenant(
  deps: Pick<Deps, "prisma" | "now" | "keyRing" | "random" | "config" | "tenantCache">,
  input: TenantCreateInput,
  actor: Actor,
): Promise<{ tenant: TenantView; webhookSecret: string }> {
  if (input.webhookUrl) assertWebhookUrl(deps, input.webhookUrl);
  const now = deps.now();
  const created = await deps.prisma.$transaction(async (tx) => {
    await assertUnique(tx, { slug: input.slug, jwtAudience: input.jwtAudience });
    const row = await tx.tenant.create({
      data: {
        name: input.name,
        slug: input.slug,
        allowedOrigins: input.allowedOrigins,
        allowedMethods: input.allowedMethods,
        jwtAudience: input.jwtAudience,
        webhookUrl: input.webhookUrl ?? null,
        isActive: input.isActive ?? true,
        settings: (input.settings ?? {}) as Prisma.InputJsonValue,
        brand: mergeBrand({}, input.brand) as Prisma.InputJsonValue,
        createdAt: now,
        updatedAt: now,
      },
    });
    const webhookSecret = await createWebhookSecret(tx, deps, row.id, now);
    // Caches may hold "unknown tenant" for this slug.
    await notifyTenantChanged(tx, row.id);
    await recordAudit(
      tx,
      {
        eventType: "tenant_created",
        tenantId: row.id,
        userId: actor.principal.userId,
        context: actor.context,
        details: { slug: row.slug, isActive: row.isActive, byTenantId: actor.principal.tenantId },
      },
      now,
    );
    return { tenant: toTenantView(row), webhookSecret };
  });
  deps.tenantCache.invalidate();
  return created;
}

/**
 * Applies any subset of the tenant's fields; `settings` is merged key by key into the stored
 * policy (keys it does not name are kept). The `default` tenant always exists: it cannot be
 * deactivated or renamed (409 CONFLICT). Audited `tenant_updated` with the changed field names.
 * Setting a `webhookUrl` on a tenant that has no signing secret yet creates one (returned once).
 */
export async function updateTenant(
  deps: Pick<Deps, "prisma" | "now" | "config" | "keyRing" | "random" | "tenantCache">,
  id: string,
  patch: TenantPatchInput,
  actor: Actor,
): Promise<TenantView & { webhookSecret?: string }> {
  if (patch.webhookUrl) assertWebhookUrl(deps, patch.webhookUrl);
  const now = deps.now();
  const updated = await deps.prisma.$transaction(async (tx) => {
    await assertUnique(tx, { slug: patch.slug, jwtAudience: patch.jwtAudience }, id);
    const current = await tx.tenant.findUnique({ where: { id } });
    if (!current) throw new AppError("NOT_FOUND", { detail: "No such tenant" });
    if (
      current.slug === DEFAULT_TENANT_SLUG &&
      (patch.isActive === false || (patch.slug ?? current.slug) !== current.slug)
    ) {
      throw new AppError("CONFLICT", { detail: "The default tenant cannot be deactivated or renamed" });
    }
    const { settings, brand, ...rest } = patch;
    const data: Prisma.TenantUpdateInput = { ...rest, updatedAt: now };
    if (brand) data.brand = mergeBrand(parseBrand(current.brand), brand) as Prisma.InputJsonValue;
    if (settings) data.settings = { ...jsonRecord(current.settings), ...settings } as Prisma.InputJsonValue;
    const row = await tx.tenant.update({ where: { id }, data });
    // Delivered to the other instances on commit, never for a rolled-back change.
    await notifyTenantChanged(tx, id);
    // A tenant made before webhooks existed (the seeded `default` one) gets its first secret when
    // it gets a URL: webhooks are never sent unsigned. Shown once, in this answer.
    const webhookSecret =
      patch.webhookUrl && (await tx.tenantWebhookSecret.count({ where: { tenantId: id } })) === 0
        ? await createWebhookSecret(tx, deps, id, now)
        : undefined;
    await recordAudit(
      tx,
      {
        eventType: "tenant_updated",
        tenantId: row.id,
        userId: actor.principal.userId,
        context: actor.context,
        details: {
          fields: Object.keys(patch).sort(),
          ...(patch.isActive !== undefined ? { isActive: patch.isActive } : {}),
          byTenantId: actor.principal.tenantId,
        },
      },
      now,
    );
    return webhookSecret ? { ...toTenantView(row), webhookSecret } : toTenantView(row);
  });
  // This instance does not wait for its own notification (nor needs a LISTEN when embedded).
  deps.tenantCache.invalidate();
  return updated;
}

/**
 * A new webhook secret for the tenant (returned in clear once). The previous secrets keep
 * signing for TENANT_WEBHOOK_SECRET_GRACE_HOURS; audited `webhook_secret_rotated`.
 */
export async function rotateTenantWebhookSecret(
  deps: Pick<Deps, "prisma" | "now" | "keyRing" | "random" | "config">,
  id: string,
  actor: Actor,
): Promise<{ webhookSecret: string; previousSecretsExpireAt: string }> {
  const now = deps.now();
  return deps.prisma.$transaction(async (tx) => {
    const tenant = await tx.tenant.findUnique({ where: { id } });
    if (!tenant) throw new AppError("NOT_FOUND", { detail: "No such tenant" });
    const rotated = await rotateWebhookSecret(tx, deps, {
      tenantId: id,
      now,
      graceMs: deps.config.TENANT_WEBHOOK_SECRET_GRACE_HOURS * 3_600_000,
    });
    await recordAudit(
      tx,
      {
        eventType: "webhook_secret_rotated",
        tenantId: id,
        userId: actor.principal.userId,
        context: actor.context,
        details: {
          previousSecretsExpireAt: rotated.previousSecretsExpireAt.toISOString(),
          byTenantId: actor.principal.tenantId,
        },
      },
      now,
    );
    return { webhookSecret: rotated.secret, previousSecretsExpireAt: rotated.previousSecretsExpireAt.toISOString() };
  });
}
