import type { SiweMessage } from "siwe";
import type { Hex } from "viem";
import type { AuthConfig } from "../config.ts";
import type { Deps } from "../ports.ts";
import { viemSdk } from "../providers/sdks.ts";
import type { RequestContext } from "./login/request-context.ts";
import {
  completeWalletLogin,
  guardWallet,
  malformedWalletMessage,
  signInMessageFailure,
  walletFailure,
} from "./methods/wallet/wallet.service.ts";
import type { ResolvedTenant } from "./tenancy/tenant.service.ts";
import type { TokenResponse } from "./tokens/session.service.ts";

export const DEFAULT_SIWE_CHAINS = [1, 10, 137, 8453, 42161, 11155111] as const;
const DEV_CHAIN = 31337;

/** The chain ids SIWE messages may name: configured, or the defaults (+ anvil's outside production). */
export function allowedSiweChains(config: Pick<AuthConfig, "SIWE_CHAIN_IDS" | "dev">): number[] {
  if (config.SIWE_CHAIN_IDS) return config.SIWE_CHAIN_IDS;
  return config.dev.localChains ? [...DEFAULT_SIWE_CHAINS, DEV_CHAIN] : [...DEFAULT_SIWE_CHAINS];
}

/**
 * Sign-In with Ethereum (EIP-4361), as an ordered list of checks: strict parse (`siwe`'s ABNF
 * parser: field order, EIP-55 address, version 1), required fields, domain and uri against the
 * tenant's origins, allowed chain, freshness, signature, then the single-use nonce.
 */
export async function verifySiwe(
  deps: Deps,
  input: { tenant: ResolvedTenant; message: string; signature: Hex; context: RequestContext },
): Promise<TokenResponse> {
  const { tenant, context } = input;
  const fail = (reason: string, address?: string) =>
    walletFailure(deps, { tenant, method: "siwe", reason, context, ...(address ? { address } : {}) });

  // The parser (siwe) and viem load at the first SIWE login, not at boot.
  const [siwe, viem] = await Promise.all([import("siwe"), viemSdk()]);
  let parsed: SiweMessage;
  try {
    parsed = new siwe.SiweMessage(input.message);
  } catch {
    throw await malformedWalletMessage(deps, { tenant, method: "siwe", context });
  }
  const { domain, address, uri, version, chainId, nonce, issuedAt } = parsed;
  if (!domain || !address || !uri || version !== "1" || !chainId || !nonce || !issuedAt) {
    throw await fail("missing_fields");
  }
  const refused = signInMessageFailure(deps, tenant, {
    domain,
    uri,
    scheme: parsed.scheme,
    issuedAt,
    expirationTime: parsed.expirationTime,
    notBefore: parsed.notBefore,
  });
  if (refused) throw await fail(refused, address);
  if (!allowedSiweChains(deps.config).includes(chainId)) throw await fail("chain_not_allowed", address);
  const checksummed = viem.getAddress(address);
  await guardWallet(deps, { tenant, address: checksummed, context });
  const valid = await deps.evm.verify(chainId, checksummed, input.message, input.signature);
  if (!valid) throw await fail("bad_signature", checksummed);
  // A key's signature proves the address on every chain; a contract's (ERC-1271/6492) only on the
  // chain that verified it, where the same address may have another owner elsewhere.
  const byKey = await signedByKey(checksummed, input.message, input.signature);
  if (byKey) await reclaimLegacyEoaIdentity(deps, tenant.id, checksummed);
  return completeWalletLogin(deps, {
    tenant,
    method: "siwe",
    nonce,
    subject: byKey ? checksummed : caip10(chainId, checksummed),
    chainFamily: "eip155",
    metadata: { chainId: String(chainId), signer: byKey ? "eoa" : "contract" },
    context,
  });
}

/** CAIP-10 account id: `eip155:<chainId>:<address>`. */
export const caip10 = (chainId: number, address: string) => `eip155:${chainId}:${address}`;

/** Whether `signature` is the address's own key's (ecrecover), not a contract wallet's. */
async function signedByKey(address: Hex, message: string, signature: Hex): Promise<boolean> {
  try {
    return (await (await viemSdk()).recoverMessageAddress({ message, signature })) === address;
  } catch {
    // Not a 65-byte ECDSA signature (an ERC-6492 wrapper, a contract's own format).
    return false;
  }
}

/**
 * Identities from before contract wallets were keyed by chain were moved to the CAIP-10 id of the
 * chain they were created on, with `signer: "unknown"` (migration 20261207140000_siwe_caip10: the
 * signer kind was never stored). A key's signature proves the address on every chain, so the key's
 * holder takes such an identity back to the chain-agnostic address.
 */
async function reclaimLegacyEoaIdentity(deps: Pick<Deps, "prisma">, tenantId: string, address: string) {
  const plain = await deps.prisma.identity.findUnique({
    where: { tenantId_provider_subject: { tenantId, provider: "siwe", subject: address } },
  });
  if (plain) return;
  const legacy = await deps.prisma.identity.findFirst({
    where: {
      tenantId,
      provider: "siwe",
      subject: { startsWith: "eip155:", endsWith: `:${address}` },
      metadata: { path: ["signer"], equals: "unknown" },
    },
  });
  if (!legacy) return;
  const metadata = { ...(legacy.metadata as Record<string, unknown>), signer: "eoa" };
  await deps.prisma.identity
    .updateMany({ where: { id: legacy.id, subject: legacy.subject }, data: { subject: address, metadata } })
    .catch((error: unknown) => {
      // A concurrent login of the same key created the plain identity first: that one is used.
      if ((error as { code?: string }).code !== "P2002") throw error;
    });
}
