// Atlas users as oidc-provider accounts: the tenant's live users only (deleted users, and every
// user of an inactive tenant, are not found, so their sessions and tokens stop working), with
// the standard claims per scope and the user's wallet as a CAIP-10 `wallet_address`.
import type { Identity } from "../../../generated/prisma/client.ts";
import type { Deps } from "../../ports.ts";
import type { ResolvedTenant } from "../tenancy/tenant.service.ts";

const WALLET_PROVIDERS = new Set(["siwe", "siws", "arweave"]);

/** CAIP-10 account id of a wallet identity (SIWE subjects of contract wallets already are). */
export function walletCaip10(identity: Pick<Identity, "provider" | "subject" | "metadata">): string {
  if (identity.provider === "siwe") {
    if (identity.subject.startsWith("eip155:")) return identity.subject;
    const chainId = (identity.metadata as { chainId?: unknown } | null)?.chainId;
    return `eip155:${typeof chainId === "number" ? chainId : 1}:${identity.subject}`;
  }
  // CAIP-2 chain ids: Solana mainnet's genesis-hash prefix; Arweave's network name.
  if (identity.provider === "siws") return `solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp:${identity.subject}`;
  return `arweave:mainnet:${identity.subject}`;
}

/**
 * The account oidc-provider asks for. `clientId` (the requesting client) goes into ID tokens as
 * `azp` (OpenID Connect Core 2: the authorized party), which oidc-provider does not add itself.
 */
export async function findOidcAccount(
  deps: Pick<Deps, "prisma" | "now" | "tenantCache">,
  tenant: ResolvedTenant,
  sub: string,
  clientId?: string,
) {
  if (!(await deps.tenantCache.isActive(deps, tenant.id))) return undefined;
  const user = await deps.prisma.user.findFirst({
    where: { id: sub, tenantId: tenant.id, deletedAt: null },
    include: { identities: { orderBy: { lastUsedAt: { sort: "desc", nulls: "last" } } } },
  });
  if (!user) return undefined;
  const wallet = user.identities.find((i) => WALLET_PROVIDERS.has(i.provider));
  return {
    accountId: user.id,
    claims: async (use: string) => ({
      sub: user.id,
      ...(use === "id_token" && clientId ? { azp: clientId } : {}),
      ...(user.displayName ? { name: user.displayName } : {}),
      ...(wallet ? { wallet_address: walletCaip10(wallet) } : {}),
      ...(user.email ? { email: user.email, email_verified: user.emailVerifiedAt !== null } : {}),
      ...(user.phone ? { phone_number: user.phone, phone_number_verified: user.phoneVerifiedAt !== null } : {}),
    }),
  };
}
