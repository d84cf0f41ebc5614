// oidc-provider's storage adapter on Postgres (auth_oidc_payloads), one adapter class per tenant,
// so a tenant's provider never finds another tenant's codes, tokens, sessions or grants. The
// `Client` kind reads the tenant's registered clients (auth_oidc_clients) instead.
// Contract: https://github.com/panva/node-oidc-provider/blob/v9.x/example/my_adapter.js
import type { Prisma } from "../../../generated/prisma/client.ts";
import type { Deps } from "../../ports.ts";
import { sha256Hex } from "../platform/crypto.ts";
import { clientMetadata } from "./clients.service.ts";

/**
 * Artefacts whose id is a bearer credential for the API (a code, a token): stored hashed. Sessions
 * keep their id: oidc-provider looks them up by uid and saves them back under the same id.
 */
const HASHED_KINDS = new Set([
  "AuthorizationCode",
  "RefreshToken",
  "AccessToken",
  "ClientCredentials",
  "DeviceCode",
  "BackchannelAuthenticationRequest",
  "PushedAuthorizationRequest",
]);

type Payload = Record<string, unknown> & {
  jti?: string;
  grantId?: string;
  userCode?: string;
  uid?: string;
  consumed?: number;
};

export type AdapterDeps = Pick<Deps, "prisma" | "now">;

/** What the adapter needs of the OP setup: the tenant, and the signing alg clients must use. */
export interface AdapterScope {
  tenantId: string;
  idTokenAlg: string;
}

/** The row key of an artefact id: its SHA-256 for bearer kinds, the id itself otherwise. */
export const storedId = (kind: string, id: string) => (HASHED_KINDS.has(kind) ? sha256Hex(id) : id);

/** Builds oidc-provider's adapter constructor for one tenant. */
export function postgresAdapter(deps: AdapterDeps, scope: AdapterScope) {
  const { prisma } = deps;
  const { tenantId } = scope;
  return class PostgresAdapter {
    constructor(readonly kind: string) {}

    async upsert(id: string, payload: Payload, expiresIn?: number): Promise<void> {
      if (this.kind === "Client") throw new Error("clients are managed through /admin/tenants/:id/clients");
      const now = deps.now();
      const expiresAt = expiresIn ? new Date(now.getTime() + expiresIn * 1000) : null;
      // The id (jti) is not stored in the payload: for bearer kinds it is the secret itself.
      const { jti: _jti, ...rest } = payload;
      const key = { tenantId, kind: this.kind, id: storedId(this.kind, id) };
      const data = {
        payload: rest as Prisma.InputJsonValue,
        grantId: payload.grantId ?? null,
        userCode: payload.userCode ?? null,
        uid: payload.uid ?? null,
        expiresAt,
      };
      await prisma.oidcPayload.upsert({
        where: { tenantId_kind_id: key },
        create: { ...key, ...data, createdAt: now },
        update: data,
      });
    }

    async find(id: string): Promise<Payload | undefined> {
      if (this.kind === "Client") {
        const client = await prisma.oidcClient.findFirst({ where: { id, tenantId } });
        return client ? (clientMetadata(client, scope.idTokenAlg) as Payload) : undefined;
      }
      const row = await prisma.oidcPayload.findUnique({
        where: { tenantId_kind_id: { tenantId, kind: this.kind, id: storedId(this.kind, id) } },
      });
      return this.#live(row, id);
    }

    #live(
      row: { payload: Prisma.JsonValue; expiresAt: Date | null; consumedAt: Date | null } | null,
      id: string,
    ): Payload | undefined {
      if (!row) return undefined;
      // Expired rows are gone for the provider even before the sweep deletes them.
      if (row.expiresAt && row.expiresAt.getTime() <= deps.now().getTime()) return undefined;
      const payload = { ...(row.payload as Payload), jti: id };
      if (row.consumedAt) payload.consumed = Math.floor(row.consumedAt.getTime() / 1000);
      return payload;
    }

    async findByUid(uid: string): Promise<Payload | undefined> {
      const row = await prisma.oidcPayload.findFirst({ where: { tenantId, kind: this.kind, uid } });
      // Only Sessions (stored under their own id) and Interactions are looked up by uid.
      return row ? this.#live(row, row.id) : undefined;
    }

    async findByUserCode(userCode: string): Promise<Payload | undefined> {
      const row = await prisma.oidcPayload.findFirst({ where: { tenantId, kind: this.kind, userCode } });
      return row ? this.#live(row, row.id) : undefined;
    }

    async consume(id: string): Promise<void> {
      await prisma.oidcPayload.updateMany({
        where: { tenantId, kind: this.kind, id: storedId(this.kind, id) },
        data: { consumedAt: deps.now() },
      });
    }

    async destroy(id: string): Promise<void> {
      await prisma.oidcPayload.deleteMany({ where: { tenantId, kind: this.kind, id: storedId(this.kind, id) } });
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await prisma.oidcPayload.deleteMany({ where: { tenantId, grantId } });
    }
  };
}

/** Deletes artefacts past their expiry (the sweep job); returns how many. */
export async function sweepExpiredOidcPayloads(deps: AdapterDeps): Promise<number> {
  const { count } = await deps.prisma.oidcPayload.deleteMany({ where: { expiresAt: { lte: deps.now() } } });
  return count;
}
