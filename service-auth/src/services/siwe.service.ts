import { AppError } from "@atlas/errors";
import { SiweMessage } from "siwe";
import { createPublicClient, getAddress, type Hex, http, type PublicClient, verifyMessage } from "viem";
import type { AuthConfig } from "../config.ts";
import type { Deps } from "../deps.ts";
import type { RequestContext } from "./request-context.ts";
import type { TokenResponse } from "./session.service.ts";
import type { ResolvedTenant } from "./tenant.service.ts";
import {
  completeWalletLogin,
  guardWallet,
  malformedWalletMessage,
  signInMessageFailure,
  walletFailure,
} from "./wallet.service.ts";

export const DEFAULT_SIWE_CHAINS = [1, 10, 137, 8453, 42161, 11155111] as const;
const DEV_CHAIN = 31337;

/** The chain ids SIWE messages may name: configured, or the defaults (+ anvil's outside production). */
export function allowedSiweChains(config: Pick<AuthConfig, "SIWE_CHAIN_IDS" | "dev">): number[] {
  if (config.SIWE_CHAIN_IDS) return config.SIWE_CHAIN_IDS;
  return config.dev.localChains ? [...DEFAULT_SIWE_CHAINS, DEV_CHAIN] : [...DEFAULT_SIWE_CHAINS];
}

/**
 * Verifies EIP-191 personal-message signatures for an address. With an RPC endpoint for the
 * chain, viem's public client checks all three kinds: EOAs (ecrecover), deployed smart-contract
 * wallets (ERC-1271 `isValidSignature` via eth_call) and counterfactual ones (ERC-6492 wrapper,
 * simulated deployless). Without one, only EOA signatures can be checked, locally.
 */
export class EvmSignatureVerifier {
  private readonly clients = new Map<number, PublicClient>();

  constructor(private readonly rpcUrls: Map<number, string>) {}

  hasRpc(chainId: number): boolean {
    return this.rpcUrls.has(chainId);
  }

  async verify(chainId: number, address: Hex, message: string, signature: Hex): Promise<boolean> {
    const url = this.rpcUrls.get(chainId);
    if (!url) return verifyMessage({ address, message, signature }).catch(() => false);
    let client = this.clients.get(chainId);
    if (!client) {
      client = createPublicClient({ transport: http(url, { timeout: 10_000, retryCount: 1 }) });
      this.clients.set(chainId, client);
    }
    try {
      return await client.verifyMessage({ address, message, signature });
    } catch (error) {
      // An unreachable chain must not decide a login either way: fail closed, retryable.
      throw new AppError("SERVICE_UNAVAILABLE", {
        detail: "The chain could not be reached to verify this wallet; try again later",
        cause: error,
      });
    }
  }
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

  let parsed: SiweMessage;
  try {
    parsed = new SiweMessage(input.message);
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
  const checksummed = getAddress(address);
  await guardWallet(deps, { tenant, address: checksummed, context });
  const valid = await deps.evm.verify(chainId, checksummed, input.message, input.signature);
  if (!valid) throw await fail("bad_signature", checksummed);
  return completeWalletLogin(deps, {
    tenant,
    method: "siwe",
    nonce,
    subject: checksummed,
    chainFamily: "eip155",
    metadata: { chainId: String(chainId) },
    context,
  });
}
