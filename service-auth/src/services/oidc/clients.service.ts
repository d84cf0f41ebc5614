// A tenant's OpenID Connect clients: registration, changes, secret rotation with overlap, and the
// metadata oidc-provider reads (adapter.ts). Secrets are shown once and stored as SHA-256 hex.
import { AppError } from "@atlas/errors";
import type { OidcClient, Prisma } from "../../../generated/prisma/client.ts";
import { isLoopbackUrl } from "../../config.ts";
import type { Deps, Principal } from "../../ports.ts";
import { recordAudit } from "../audit/audit.service.ts";
import type { RequestContext } from "../login/request-context.ts";
import { sha256Hex } from "../platform/crypto.ts";
import { afterCursor, decodeCursor, toPage } from "../platform/keyset-cursor.ts";

export const OIDC_SCOPES = ["openid", "profile", "email", "phone", "offline_access"] as const;
export const CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "private_key_jwt"] as const;
export type ClientAuthMethod = (typeof CLIENT_AUTH_METHODS)[number];

export interface ClientInput {
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[] | undefined;
  allowedScopes: string[];
  firstParty?: boolean | undefined;
  tokenEndpointAuthMethod: ClientAuthMethod;
  jwks?: { keys: Record<string, unknown>[] } | null | undefined;
  logoUri?: string | null | undefined;
}

export type ClientPatch = Partial<ClientInput>;

/** A client as admins see it: never a secret or its hash. */
export interface ClientView {
  clientId: string;
  tenantId: string;
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  allowedScopes: string[];
  firstParty: boolean;
  tokenEndpointAuthMethod: string;
  jwks: { keys: Record<string, unknown>[] } | null;
  logoUri: string | null;
  previousSecretExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
}

interface Actor {
  principal: Principal;
  context: RequestContext;
}

type ClientDeps = Pick<Deps, "prisma" | "now" | "random" | "config">;

export const toClientView = (c: OidcClient): ClientView => ({
  clientId: c.id,
  tenantId: c.tenantId,
  name: c.name,
  redirectUris: c.redirectUris,
  postLogoutRedirectUris: c.postLogoutRedirectUris,
  allowedScopes: c.allowedScopes,
  firstParty: c.firstParty,
  tokenEndpointAuthMethod: c.tokenEndpointAuthMethod,
  jwks: (c.jwks as ClientView["jwks"]) ?? null,
  logoUri: c.logoUri,
  previousSecretExpiresAt: c.previousSecretExpiresAt?.toISOString() ?? null,
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
});

/**
 * Redirect URIs are matched exactly (oidc-provider), so they must be absolute, without fragment
 * or credentials, and https; plain http only on loopback outside production.
 */
export function assertRedirectUri(deps: Pick<Deps, "config">, uri: string, field: string): void {
  const url = URL.canParse(uri) ? new URL(uri) : null;
  const loopbackHttp = url?.protocol === "http:" && deps.config.dev.plainHttpPeers && isLoopbackUrl(uri);
  const ok = url !== null && (url.protocol === "https:" || loopbackHttp) && !url.hash && !url.username && !url.password;
  if (!ok) {
    throw new AppError("VALIDATION_FAILED", {
      detail: `${field} must be https URLs without fragment (http only for localhost outside production)`,
      extensions: { field },
    });
  }
}

function validate(deps: Pick<Deps, "config">, input: ClientPatch, method: string, jwks: unknown): void {
  for (const uri of input.redirectUris ?? []) assertRedirectUri(deps, uri, "redirectUris");
  for (const uri of input.postLogoutRedirectUris ?? []) assertRedirectUri(deps, uri, "postLogoutRedirectUris");
  if (input.allowedScopes && !input.allowedScopes.includes("openid")) {
    throw new AppError("VALIDATION_FAILED", { detail: "allowedScopes must include openid" });
  }
  if (method === "private_key_jwt" && !jwks) {
    throw new AppError("VALIDATION_FAILED", { detail: "private_key_jwt needs jwks (the client's public keys)" });
  }
}

/** What oidc-provider reads for a client (snake_case client metadata, RFC 7591 / OIDC Registration). */
export function clientMetadata(c: OidcClient, idTokenAlg: string): Record<string, unknown> {
  const secret = c.tokenEndpointAuthMethod !== "private_key_jwt";
  return {
    client_id: c.id,
    client_name: c.name,
    ...(c.logoUri ? { logo_uri: c.logoUri } : {}),
    redirect_uris: c.redirectUris,
    post_logout_redirect_uris: c.postLogoutRedirectUris,
    grant_types: c.allowedScopes.includes("offline_access")
      ? ["authorization_code", "refresh_token"]
      : ["authorization_code"],
    response_types: ["code"],
    scope: c.allowedScopes.join(" "),
    token_endpoint_auth_method: c.tokenEndpointAuthMethod,
    // The stored hash stands in for the secret: compareClientSecret hashes what the client sends.
    ...(secret ? { client_secret: c.secretHash ?? "" } : {}),
    ...(c.jwks ? { jwks: c.jwks } : {}),
    id_token_signed_response_alg: idTokenAlg,
    atlas_first_party: c.firstParty,
    ...(c.previousSecretHash && c.previousSecretExpiresAt
      ? {
          atlas_previous_secret_hash: c.previousSecretHash,
          atlas_previous_secret_expires_at: Math.floor(c.previousSecretExpiresAt.getTime() / 1000),
        }
      : {}),
  };
}

const newSecret = (deps: Pick<Deps, "random">) => deps.random.token(32);

async function audit(
  db: Prisma.TransactionClient,
  eventType: "oidc_client_created" | "oidc_client_updated" | "oidc_client_secret_rotated" | "oidc_client_deleted",
  client: OidcClient,
  actor: Actor,
  now: Date,
  extra: Record<string, unknown> = {},
) {
  await recordAudit(
    db,
    {
      eventType,
      tenantId: client.tenantId,
      userId: actor.principal.userId,
      context: actor.context,
      details: { clientId: client.id, byTenantId: actor.principal.tenantId, ...extra },
    },
    now,
  );
}

async function requireTenant(deps: Pick<Deps, "prisma">, tenantId: string): Promise<void> {
  const tenant = await deps.prisma.tenant.findUnique({ where: { id: tenantId }, select: { id: true } });
  if (!tenant) throw new AppError("NOT_FOUND", { detail: "No such tenant" });
}

async function findClient(deps: Pick<Deps, "prisma">, tenantId: string, clientId: string): Promise<OidcClient> {
  const row = await deps.prisma.oidcClient.findFirst({ where: { id: clientId, tenantId } });
  if (!row) throw new AppError("NOT_FOUND", { detail: "No such client" });
  return row;
}

/** Registers a client; the secret (secret-based auth methods) is returned once. Audited. */
export async function createClient(
  deps: ClientDeps,
  tenantId: string,
  input: ClientInput,
  actor: Actor,
): Promise<{ client: ClientView; clientSecret?: string }> {
  await requireTenant(deps, tenantId);
  validate(deps, input, input.tokenEndpointAuthMethod, input.jwks);
  const now = deps.now();
  const clientSecret = input.tokenEndpointAuthMethod === "private_key_jwt" ? undefined : newSecret(deps);
  const row = await deps.prisma.$transaction(async (tx) => {
    const created = await tx.oidcClient.create({
      data: {
        id: deps.random.bytes(16).toString("hex"),
        tenantId,
        name: input.name,
        redirectUris: input.redirectUris,
        postLogoutRedirectUris: input.postLogoutRedirectUris ?? [],
        allowedScopes: input.allowedScopes,
        firstParty: input.firstParty ?? false,
        tokenEndpointAuthMethod: input.tokenEndpointAuthMethod,
        jwks: (input.jwks ?? undefined) as Prisma.InputJsonValue | undefined,
        logoUri: input.logoUri ?? null,
        secretHash: clientSecret ? sha256Hex(clientSecret) : null,
        createdAt: now,
        updatedAt: now,
      },
    });
    await audit(tx, "oidc_client_created", created, actor, now, { firstParty: created.firstParty });
    return created;
  });
  return { client: toClientView(row), ...(clientSecret ? { clientSecret } : {}) };
}

export async function listClients(
  deps: Pick<Deps, "prisma">,
  tenantId: string,
  page: { limit: number; cursor?: string | undefined },
) {
  await requireTenant(deps, tenantId);
  const cursor = page.cursor ? decodeCursor(page.cursor) : null;
  const rows = await deps.prisma.oidcClient.findMany({
    where: { tenantId, ...(cursor ? afterCursor(cursor) : {}) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: page.limit + 1,
  });
  return toPage(rows, page.limit, toClientView);
}

export async function getClient(deps: Pick<Deps, "prisma">, tenantId: string, clientId: string) {
  return toClientView(await findClient(deps, tenantId, clientId));
}

/**
 * Changes any subset of a client's fields. Switching to a secret-based method from
 * private_key_jwt issues a secret (returned once). Audited with the changed field names.
 */
export async function updateClient(
  deps: ClientDeps,
  tenantId: string,
  clientId: string,
  patch: ClientPatch,
  actor: Actor,
): Promise<ClientView & { clientSecret?: string }> {
  const current = await findClient(deps, tenantId, clientId);
  const method = patch.tokenEndpointAuthMethod ?? current.tokenEndpointAuthMethod;
  const jwks = patch.jwks === undefined ? current.jwks : patch.jwks;
  validate(deps, patch, method, jwks);
  const now = deps.now();
  const clientSecret = method !== "private_key_jwt" && !current.secretHash ? newSecret(deps) : undefined;
  const row = await deps.prisma.$transaction(async (tx) => {
    const updated = await tx.oidcClient.update({
      where: { id: clientId },
      data: {
        name: patch.name,
        redirectUris: patch.redirectUris,
        postLogoutRedirectUris: patch.postLogoutRedirectUris,
        allowedScopes: patch.allowedScopes,
        firstParty: patch.firstParty,
        tokenEndpointAuthMethod: patch.tokenEndpointAuthMethod,
        ...(patch.jwks !== undefined ? { jwks: (patch.jwks ?? undefined) as Prisma.InputJsonValue } : {}),
        ...(patch.logoUri !== undefined ? { logoUri: patch.logoUri } : {}),
        ...(clientSecret ? { secretHash: sha256Hex(clientSecret) } : {}),
        updatedAt: now,
      },
    });
    await audit(tx, "oidc_client_updated", updated, actor, now, { fields: Object.keys(patch).sort() });
    return updated;
  });
  return { ...toClientView(row), ...(clientSecret ? { clientSecret } : {}) };
}

/**
 * Deletes a client and everything the provider holds for it (grants, codes, tokens) and the
 * consents users gave it. Audited.
 */
export async function deleteClient(deps: ClientDeps, tenantId: string, clientId: string, actor: Actor) {
  const current = await findClient(deps, tenantId, clientId);
  const now = deps.now();
  await deps.prisma.$transaction(async (tx) => {
    await tx.oidcClient.delete({ where: { id: clientId } });
    await tx.oidcConsent.deleteMany({ where: { clientId } });
    await tx.$executeRaw`DELETE FROM "auth"."auth_oidc_payloads"
      WHERE "tenantId" = ${tenantId} AND payload->>'clientId' = ${clientId}`;
    await audit(tx, "oidc_client_deleted", current, actor, now);
  });
}

/**
 * Rotates the secret: a new one (returned once) becomes current at once; the previous one keeps
 * authenticating for `overlapSeconds` (0: not at all), so deployed apps can switch over.
 */
export async function rotateClientSecret(
  deps: ClientDeps,
  tenantId: string,
  clientId: string,
  overlapSeconds: number,
  actor: Actor,
): Promise<{ clientSecret: string; previousSecretExpiresAt: string | null }> {
  const current = await findClient(deps, tenantId, clientId);
  if (current.tokenEndpointAuthMethod === "private_key_jwt") {
    throw new AppError("CONFLICT", { detail: "This client authenticates with private_key_jwt: it has no secret" });
  }
  const now = deps.now();
  const clientSecret = newSecret(deps);
  const previousSecretExpiresAt = overlapSeconds > 0 ? new Date(now.getTime() + overlapSeconds * 1000) : null;
  await deps.prisma.$transaction(async (tx) => {
    const updated = await tx.oidcClient.update({
      where: { id: clientId },
      data: {
        secretHash: sha256Hex(clientSecret),
        previousSecretHash: previousSecretExpiresAt ? current.secretHash : null,
        previousSecretExpiresAt,
        updatedAt: now,
      },
    });
    await audit(tx, "oidc_client_secret_rotated", updated, actor, now, { overlapSeconds });
  });
  return { clientSecret, previousSecretExpiresAt: previousSecretExpiresAt?.toISOString() ?? null };
}
